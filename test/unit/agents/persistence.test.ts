import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { assertQuiet, byName, createKit, type AgentTestKit } from "../../fakes/agentTestKit";
import { MemoryTranscriptStore, MemoryTreeStore } from "../../fakes/memoryStores";
import { ScriptedModelClient } from "../../fakes/scriptedModelClient";
import { waitUntil } from "../../fakes/polling";

const kits: AgentTestKit[] = [];
afterEach(() => {
  for (const k of kits.splice(0)) k.service.dispose();
});

describe("persistence and window reload", () => {
  it("saves the tree, restores unfinished agents as interrupted and resumes one from its transcript", async () => {
    const treeStore = new MemoryTreeStore();
    const transcripts = new MemoryTranscriptStore();
    const client = new ScriptedModelClient((call) => {
      if (call.role === "root") return call.turn === 0 ? { toolCalls: [{ name: "spawn_agent", arguments: { task: "long child", name: "child" } }] } : { text: "root done" };
      if (call.turn === 0) return { text: "child step 1", toolCalls: [{ name: "list_files", arguments: {} }] };
      return { text: "child working", delayMs: 60_000, chunkMs: 20 };
    });
    const first = createKit(client, { treeStore, transcripts });
    kits.push(first);
    first.service.runRoot({ task: "root task" });
    await waitUntil("child mid-run", () => byName(first.service, "child")?.toolCount === 1 && byName(first.service, "child")?.status === "running");
    await waitUntil("a save with the running child", () => treeStore.saved.some((a) => a.name === "child" && a.status === "running"));
    const rootId = first.service.snapshot()[0]!.id;
    first.service.dispose(); // the window closes: statuses are saved as they were

    const resumedClient = new ScriptedModelClient((call) => ({ text: `resumed with ${call.messages.length} messages` }));
    const second = createKit(resumedClient, { treeStore, transcripts, settings: { resumeAfterReload: false } });
    kits.push(second);
    await second.service.ready;
    const restored = second.service.snapshot();
    assert.deepEqual(restored.map((a) => [a.name, a.status, a.statusReason]), [
      ["root task", "interrupted", "window reloaded"],
      ["child", "interrupted", "window reloaded"],
    ]);
    assert.equal(restored[1]?.parentId, rootId);
    assert.equal(treeStore.saved[0]?.status, "interrupted");

    const child = restored[1]!;
    second.service.sendMessage(child.id, "please continue");
    await waitUntil("resumed child done", () => second.service.get(child.id)?.status === "completed");
    const call = resumedClient.calls[0]!;
    // system, task, assistant(tool call), tool result, user follow-up — rebuilt from the transcript.
    assert.deepEqual(call.messages.map((m) => m.role), ["system", "user", "assistant", "tool", "user"]);
    assert.equal(call.messages[4]?.content, "please continue");
    assert.equal(second.service.get(child.id)?.result, "resumed with 5 messages");
    await assertQuiet(second);
  });

  it("a tool call cut off by the reload gets a synthetic result so the conversation stays valid", async () => {
    const treeStore = new MemoryTreeStore();
    const transcripts = new MemoryTranscriptStore();
    const client = new ScriptedModelClient(() => ({ toolCalls: [{ name: "get_diagnostics", arguments: {} }] }));
    const first = createKit(client, { treeStore, transcripts });
    kits.push(first);
    first.workspace.getDiagnostics = () => new Promise(() => undefined);
    const { agentId } = first.service.runRoot({ task: "root" });
    await waitUntil("tool running", () => first.service.get(agentId)?.currentTool === "get_diagnostics");
    first.service.dispose();
    const resumedClient = new ScriptedModelClient(() => ({ text: "ok" }));
    const second = createKit(resumedClient, { treeStore, transcripts, settings: { resumeAfterReload: false } });
    kits.push(second);
    await second.service.ready;
    second.service.sendMessage(agentId, "go on");
    await waitUntil("done", () => second.service.get(agentId)?.status === "completed");
    const messages = resumedClient.calls[0]!.messages;
    assert.deepEqual(messages.map((m) => m.role), ["system", "user", "assistant", "tool", "user"]);
    assert.match(String(messages[3]?.content), /did not finish/);
    await assertQuiet(second);
  });

  it("clearFinished removes only whole finished root trees", async () => {
    const client = new ScriptedModelClient((call) => (call.task === "slow" ? { text: "s", delayMs: 60_000, chunkMs: 20 } : { text: "done" }));
    const kit = createKit(client);
    kits.push(kit);
    await kit.service.runRoot({ task: "quick" }).done;
    const slow = kit.service.runRoot({ task: "slow" });
    assert.equal(kit.service.clearFinished(), 1);
    assert.deepEqual(kit.service.snapshot().map((a) => a.name), ["slow"]);
    kit.service.interrupt(slow.agentId);
    await slow.done;
    assert.equal(kit.service.clearFinished(), 1);
    await waitUntil("the cleared tree saved", () => kit.treeStore.saved.length === 0);
    await assertQuiet(kit);
  });
});
