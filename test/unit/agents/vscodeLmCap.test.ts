import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scriptedKitPerTest, spawnCall } from "../../fakes/agentTestKit";
import { waitUntil } from "../../fakes/polling";

const start = scriptedKitPerTest();

describe("agents on VS Code's models (vscode-lm)", () => {
  it("hold at most subagents.vscodeLm.maxConcurrent execution slots; the others wait queued for a vscode-lm slot", async () => {
    const release: Array<() => void> = [];
    const { kit } = start(
      async (call) => {
        if (call.role === "root") return call.turn === 0 ? { toolCalls: ["a", "b", "c"].map((n) => spawnCall(n)) } : { text: "root done" };
        await new Promise<void>((resolve) => release.push(resolve));
        return { text: `${call.task} done` };
      },
      { settings: { "vscodeLm.maxConcurrent": 1, maxConcurrentAgents: 8 } },
    );
    const { done } = kit.service.runRoot({ task: "fan out", modelRef: "vscode-lm:copilot/gpt-5-mini" });
    const children = () => kit.service.snapshot().filter((a) => a.parentId !== null);
    await waitUntil("one child calling the model, two queued", () => release.length === 1 && children().filter((a) => a.status === "queued").length === 2);
    for (const child of children().filter((a) => a.status === "queued")) {
      assert.equal(child.providerId, "vscode-lm");
      assert.match(child.statusReason ?? "", /waiting for an execution slot \(vscode-lm\)/);
    }
    for (let n = 1; n <= 3; n++) {
      await waitUntil(`request ${n} in flight`, () => release.length === n);
      assert.equal(children().filter((a) => a.status === "running").length, 1, "never more than one at a time");
      release[n - 1]?.();
    }
    assert.equal((await done).status, "completed");
  });
});
