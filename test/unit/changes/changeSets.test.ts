import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AgentChanges } from "../../../src/core/changes/agentChanges";
import { ChangeReview } from "../../../src/core/changes/changeReview";
import type { ChangeStore } from "../../../src/core/changes/fileChange";
import { silentLogger } from "../../../src/core/common/logger";
import { FileLedger } from "../../../src/core/tools/fileLedger";
import type { AgentTool, ToolContext } from "../../../src/core/tools/toolDefinition";
import { createWorkspaceTools } from "../../../src/core/tools/workspaceToolAdapters";
import { FakeWorkspaceTools } from "../../fakes/fakeWorkspaceTools";
import { ManualClock } from "../../fakes/manualClock";
import { MemoryChangeStore } from "../../fakes/memoryStores";

/** A small tree: root → a, b. */
const tree: Record<string, string[]> = { root: ["a", "b"], a: [], b: [] };
const agents = {
  nameOf: (id: string) => (id in tree ? `agent-${id}` : undefined),
  subtreeOf: (id: string): string[] => [id, ...(tree[id] ?? []).flatMap((c) => agents.subtreeOf(c))],
};

function setup(files: Record<string, string> = {}, store?: ChangeStore) {
  const workspace = new FakeWorkspaceTools(files);
  const changes = new AgentChanges(store, new ManualClock(), silentLogger);
  const review = new ChangeReview(changes, agents, workspace);
  const toolsOf = (agentId: string) => {
    const tools = createWorkspaceTools(workspace, new FileLedger(), async () => ({ run: true }), changes);
    const context: ToolContext = { agentId, callId: "c", signal: new AbortController().signal, waitWithoutSlot: (_r, wait) => wait() };
    const call = (name: string, args: Record<string, unknown>) => (tools.find((t) => t.name === name) as AgentTool).execute(args, context);
    return { call };
  };
  return { workspace, changes, review, toolsOf };
}

describe("change sets", () => {
  it("records a created file with no before, and an edited file's text before the first and after the last edit", async () => {
    const { changes, toolsOf } = setup({ "src/x.ts": "one\ntwo\n" });
    const a = toolsOf("a");
    await a.call("write_file", { path: "src/new.ts", content: "fresh\n" });
    await a.call("read_file", { path: "src/x.ts" });
    await a.call("edit_file", { path: "src/x.ts", old_text: "one", new_text: "ONE" });
    await a.call("edit_file", { path: "src/x.ts", old_text: "two", new_text: "TWO" });
    const recorded = changes.of("a").map(({ path, before, after }) => ({ path, before, after }));
    assert.deepEqual(recorded, [
      { path: "src/new.ts", before: null, after: "fresh\n" },
      { path: "src/x.ts", before: "one\ntwo\n", after: "ONE\nTWO\n" },
    ]);
  });

  it("a file edited back to its original text leaves the change set", async () => {
    const { changes, toolsOf } = setup({ "f.txt": "same" });
    const a = toolsOf("a");
    await a.call("read_file", { path: "f.txt" });
    await a.call("edit_file", { path: "f.txt", old_text: "same", new_text: "other" });
    assert.equal(changes.count("a"), 1);
    await a.call("edit_file", { path: "f.txt", old_text: "other", new_text: "same" });
    assert.equal(changes.count("a"), 0);
  });

  it("keeps two agents' changes of different files apart and rolls them up per subtree", async () => {
    const { review, toolsOf } = setup({ "a.txt": "A", "b.txt": "B" });
    await toolsOf("a").call("read_file", { path: "a.txt" });
    await toolsOf("a").call("edit_file", { path: "a.txt", old_text: "A", new_text: "A2" });
    await toolsOf("b").call("read_file", { path: "b.txt" });
    await toolsOf("b").call("edit_file", { path: "b.txt", old_text: "B", new_text: "B2" });
    await toolsOf("b").call("write_file", { path: "c.txt", content: "C" });
    assert.deepEqual(review.list("a", "agent").map((c) => c.change.path), ["a.txt"]);
    assert.deepEqual(review.list("b", "agent").map((c) => c.change.path), ["b.txt", "c.txt"]);
    assert.equal(review.count("root", "agent"), 0);
    assert.equal(review.count("root", "subtree"), 3);
    assert.deepEqual(review.list("root", "subtree").map((c) => `${c.agentName}:${c.change.path}`), ["agent-a:a.txt", "agent-b:b.txt", "agent-b:c.txt"]);
  });

  it("plans a revert of one agent that restores only its files (a created file is deleted)", async () => {
    const { review, toolsOf } = setup({ "a.txt": "A", "b.txt": "B" });
    await toolsOf("a").call("read_file", { path: "a.txt" });
    await toolsOf("a").call("edit_file", { path: "a.txt", old_text: "A", new_text: "A2" });
    await toolsOf("a").call("write_file", { path: "made.txt", content: "M" });
    await toolsOf("b").call("read_file", { path: "b.txt" });
    await toolsOf("b").call("edit_file", { path: "b.txt", old_text: "B", new_text: "B2" });
    const plan = await review.planRevert("a", "agent");
    assert.deepEqual(plan.conflicts, []);
    assert.deepEqual(plan.steps, [
      { path: "a.txt", restore: "A", agentIds: ["a"] },
      { path: "made.txt", restore: null, agentIds: ["a"] },
    ]);
    review.reverted(plan.steps);
    assert.equal(review.count("a", "agent"), 0);
    assert.equal(review.count("b", "agent"), 1, "the other agent's change set is untouched");
  });

  it("refuses (as a conflict naming the file and the agent) a file the user changed after the agent", async () => {
    const { review, workspace, toolsOf } = setup({ "a.txt": "A" });
    await toolsOf("a").call("read_file", { path: "a.txt" });
    await toolsOf("a").call("edit_file", { path: "a.txt", old_text: "A", new_text: "A2" });
    workspace.put("a.txt", "A2 plus the user's line");
    const plan = await review.planRevert("a", "agent", "a.txt");
    assert.equal(plan.conflicts.length, 1);
    assert.match(plan.conflicts[0]!.message, /^a\.txt was changed by agent-a and has changed since/);
  });

  it("refuses a file another agent changed after this one, naming that agent", async () => {
    const { review, toolsOf } = setup({ "shared.txt": "S" });
    await toolsOf("a").call("read_file", { path: "shared.txt" });
    await toolsOf("a").call("edit_file", { path: "shared.txt", old_text: "S", new_text: "SA" });
    await toolsOf("b").call("read_file", { path: "shared.txt" });
    await toolsOf("b").call("edit_file", { path: "shared.txt", old_text: "SA", new_text: "SAB" });
    const plan = await review.planRevert("a", "agent");
    assert.match(plan.conflicts[0]?.message ?? "", /shared\.txt was changed by agent-a and later by agent-b/);
    // Reverting the whole subtree covers both agents: back to the text before the first change, no conflict.
    const subtree = await review.planRevert("root", "subtree");
    assert.deepEqual(subtree.conflicts, []);
    assert.deepEqual(subtree.steps, [{ path: "shared.txt", restore: "S", agentIds: ["a", "b"] }]);
  });

  it("flags a before-text that held a redacted key instead of restoring the marker silently", async () => {
    const { review, changes, workspace } = setup({ "env.txt": "after" });
    changes.recordChange("a", "env.txt", "KEY=[redacted key …abcd]", "after");
    assert.equal(workspace.text("env.txt"), "after");
    const plan = await review.planRevert("a", "agent");
    assert.match(plan.conflicts[0]?.message ?? "", /held an API key/);
  });

  it("a deleted file is recorded with no after and is re-created by its revert", async () => {
    const { review, changes } = setup();
    changes.recordChange("a", "gone.txt", "was here", null);
    const plan = await review.planRevert("a", "agent");
    assert.deepEqual(plan, { steps: [{ path: "gone.txt", restore: "was here", agentIds: ["a"] }], conflicts: [] });
  });

  it("Keep clears the marker of one file or of the subtree", async () => {
    const { review, changes } = setup();
    changes.recordChange("a", "1.txt", null, "1");
    changes.recordChange("a", "2.txt", null, "2");
    changes.recordChange("b", "3.txt", null, "3");
    review.keep("a", "agent", "1.txt");
    assert.deepEqual(review.list("a", "agent").map((c) => c.change.path), ["2.txt"]);
    review.keep("root", "subtree");
    assert.equal(review.count("root", "subtree"), 0);
  });

  it("survives a reload: saved change sets are restored and new changes order after them", async () => {
    const store = new MemoryChangeStore();
    const first = setup({}, store);
    first.changes.recordChange("a", "x.txt", "old", "new");
    first.changes.recordChange("b", "x.txt", "new", "newer");
    first.changes.recordChange("a", "y.txt", null, "y");
    first.review.keep("a", "agent", "y.txt");

    const second = setup({ "x.txt": "newer" }, store);
    await second.changes.load();
    assert.deepEqual(second.changes.of("a").map(({ path, before, after }) => ({ path, before, after })), [{ path: "x.txt", before: "old", after: "new" }]);
    const plan = await second.review.planRevert("a", "agent");
    assert.match(plan.conflicts[0]?.message ?? "", /later by agent-b/, "the order of changes survives the reload");
    second.changes.recordChange("a", "z.txt", null, "z");
    const z = second.changes.of("a").find((c) => c.path === "z.txt")!;
    assert.ok(z.firstSeq > second.changes.of("b")[0]!.lastSeq);
  });
});
