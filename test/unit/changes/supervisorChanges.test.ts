import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertQuiet, byName, createKit, scriptedKitPerTest, spawnCall } from "../../fakes/agentTestKit";
import { MemoryChangeStore } from "../../fakes/memoryStores";
import { ScriptedModelClient, type ModelScript } from "../../fakes/scriptedModelClient";

const start = scriptedKitPerTest();

/** A root that fans out two children in one turn; each child reads its file and edits it. */
const twoEditors: ModelScript = (call) => {
  if (call.role === "root") return call.turn === 0 ? { toolCalls: [spawnCall("edit-a"), spawnCall("edit-b")] } : { text: "root done" };
  const file = call.task === "edit-a" ? "a.txt" : "b.txt";
  if (call.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: file } }] };
  if (call.turn === 1) return { toolCalls: [{ name: "edit_file", arguments: { path: file, old_text: "old", new_text: `new by ${call.task}` } }] };
  return { text: `edited ${file}` };
};

describe("change sets in the supervisor", () => {
  it("keeps each child's edits with that child and rolls them up to the root; the snapshot carries counts and paths, not contents", async () => {
    const { kit } = start(twoEditors);
    kit.workspace.put("a.txt", "old a");
    kit.workspace.put("b.txt", "old b");
    const root = kit.service.runRoot({ task: "fan out" });
    assert.equal((await root.done).status, "completed");
    const a = byName(kit.service, "edit-a")!;
    const b = byName(kit.service, "edit-b")!;
    assert.deepEqual([a.changedFiles, a.changes], [1, [{ path: "a.txt", kind: "modified" }]]);
    assert.deepEqual([b.changedFiles, b.changes], [1, [{ path: "b.txt", kind: "modified" }]]);
    const top = kit.service.get(root.agentId)!;
    assert.deepEqual([top.changedFiles, top.subtreeChangedFiles, top.changes], [0, 2, undefined]);
    assert.equal(JSON.stringify(kit.service.snapshot()).includes("old a"), false, "no file contents in snapshots");

    const plan = await kit.service.review.planRevert(a.id, "agent");
    assert.deepEqual(plan, { steps: [{ path: "a.txt", restore: "old a", agentIds: [a.id] }], conflicts: [] });
    await assertQuiet(kit);
    // Clearing the finished tree keeps the files as they are and ends their review.
    kit.service.clearFinished();
    assert.equal(kit.service.review.count(a.id, "agent"), 0);
    assert.equal(kit.workspace.text("a.txt"), "new by edit-a a");
  });

  it("survives a window reload: a new supervisor on the same stores shows the same change sets", async () => {
    const changeStore = new MemoryChangeStore();
    const first = createKit(new ScriptedModelClient(twoEditors), { deps: { changeStore } });
    first.workspace.put("a.txt", "old a");
    first.workspace.put("b.txt", "old b");
    await first.service.runRoot({ task: "fan out" }).done;
    const rootId = first.service.snapshot().find((s) => s.parentId === null)!.id;
    first.service.dispose();

    const second = createKit(new ScriptedModelClient(() => ({ text: "unused" })), { deps: { changeStore }, treeStore: first.treeStore });
    await second.service.ready;
    const reloaded = second.service.get(rootId);
    assert.equal(reloaded?.subtreeChangedFiles, 2);
    const a = byName(second.service, "edit-a")!;
    assert.deepEqual(second.service.review.list(a.id, "agent").map((c) => [c.change.path, c.change.before, c.change.after]), [["a.txt", "old a", "new by edit-a a"]]);
    second.service.dispose();
  });
});
