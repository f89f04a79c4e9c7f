import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import type { ProviderApi } from "../../../src/core/settings/schema";
import { spawnCall, startLiveKit, type LiveKit, assertDrained } from "../../fakes/liveModelKit";

/**
 * The same agent scenarios on each wire format: the agent loop, the
 * supervisor and the transcripts do not know which API runs underneath.
 */
let kit: LiveKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});


const APIS: ProviderApi[] = ["chat", "responses", "anthropic"];

for (const api of APIS) {
  describe(`agent scenarios over the ${api} transport`, { timeout: 60_000 }, () => {
    it("fan-out: the root spawns 6 children on 3 keys, each reads a file; all complete with usage counted", async () => {
      kit = await startLiveKit({
        api,
        keyCount: 3,
        script: (v) => {
          if (v.role === "root") {
            if (v.turn === 0) return { toolCalls: Array.from({ length: 6 }, (_, i) => spawnCall(`part ${i}`)) };
            return { text: `merged ${v.toolResults.length} results` };
          }
          if (v.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "src/a.ts" } }] };
          return { text: `${v.task} saw ${v.lastTool.includes("export const a = 1") ? "the file" : "nothing"}`, usage: { prompt_tokens: 100, completion_tokens: 10 } };
        },
      });
      const final = await kit.service.runRoot({ task: "fan out" }).done;
      assert.equal(final.status, "completed", final.statusReason);
      assert.equal(final.result, "merged 6 results");
      const children = kit.service.snapshot().filter((a) => a.parentId === final.id);
      assert.equal(children.length, 6);
      for (const child of children) {
        assert.equal(child.status, "completed");
        assert.match(child.result ?? "", /saw the file$/);
      }
      assert.ok(final.subtreeTokensIn >= 6 * 100);
      assert.ok(kit.server.requests.every((r) => r.api === api), "every request went to this API's route");
      assert.equal(new Set(kit.server.requests.map((r) => r.keyFingerprint)).size, 3, "all three keys served requests");
      await assertDrained(kit);
    });

    it("tool loop: an agent calls tools over several turns and sees each result", async () => {
      kit = await startLiveKit({
        api,
        keyCount: 1,
        script: (v) => {
          if (v.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "README.md" } }] };
          if (v.turn === 1) return { toolCalls: [{ name: "read_file", arguments: { path: "src/a.ts" } }, { name: "read_file", arguments: { path: "README.md" } }] };
          return { text: `results: ${v.toolResults.length}; last mentions a: ${v.toolResults.some((r) => r.includes("export const a"))}` };
        },
      });
      const final = await kit.service.runRoot({ task: "read twice" }).done;
      assert.equal(final.status, "completed", final.statusReason);
      assert.equal(final.result, "results: 3; last mentions a: true");
      assert.equal(kit.server.requests.length, 3);
      await assertDrained(kit);
    });

    it("a keyless provider runs a fan-out with no keys, capped by maxConcurrentAgents", async () => {
      let seenAuth = 0;
      // The first four children answer only once all four are waiting at the server at the same time:
      // with the key-based cap of a provider without keys (max(1, 0) × 2 = 2) this never happens.
      let waiting = 0;
      let openGate: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      kit = await startLiveKit({
        api,
        keyCount: 0,
        keyless: true,
        settings: { maxConcurrentAgents: 4 },
        script: (v) => {
          if (v.request.headers.authorization !== undefined || v.request.headers["x-api-key"] !== undefined) seenAuth++;
          if (v.role === "root") return v.turn === 0 ? { toolCalls: Array.from({ length: 8 }, (_, i) => spawnCall(`c${i}`)) } : { text: "ok" };
          if (waiting < 4) {
            if (++waiting === 4) openGate();
            return gate.then(() => ({ text: "child" }));
          }
          return { text: "child" };
        },
      });
      const final = await kit.service.runRoot({ task: "local" }).done;
      assert.equal(final.status, "completed", final.statusReason);
      assert.equal(kit.service.snapshot().filter((a) => a.status === "completed").length, 9);
      assert.equal(seenAuth, 0, "no request carried a credential");
      assert.equal(kit.server.maxConcurrent, 4, "children ran up to the global cap and no further");
      await assertDrained(kit);
    });
  });
}
