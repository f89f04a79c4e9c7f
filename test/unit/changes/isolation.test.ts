import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AgentWorkspaces, type WorktreeProvider } from "../../../src/core/isolation/agentWorkspaces";
import { assertQuiet, byName, scriptedKitPerTest, spawnCall } from "../../fakes/agentTestKit";
import { FakeWorkspaceTools } from "../../fakes/fakeWorkspaceTools";
import { lastToolResult, type ModelScript } from "../../fakes/scriptedModelClient";

const start = scriptedKitPerTest();

/** Worktrees as in-memory workspaces, each a copy of the shared one when created. */
function fakeWorktrees(shared: () => FakeWorkspaceTools, failWith?: string) {
  const trees = new Map<string, FakeWorkspaceTools>();
  const provider: WorktreeProvider = {
    async create(agent) {
      if (failWith) throw new Error(failWith);
      const path = `/storage/worktrees/${agent.id}`;
      trees.set(path, new FakeWorkspaceTools(Object.fromEntries([...shared().files].map(([p, f]) => [p, f.text]))));
      return { path, branch: `subagents/${agent.name}`, base: "base-commit" };
    },
    toolsAt: (path) => trees.get(path) ?? new FakeWorkspaceTools(),
  };
  return { provider, trees };
}

/** The root spawns one editor (isolated or not, as `extra` says); the editor edits a.txt. */
const oneEditor = (extra: Record<string, unknown>): ModelScript => (call) => {
  if (call.role === "root") return call.turn === 0 ? { toolCalls: [spawnCall("editor", extra)] } : { text: `root saw: ${lastToolResult(call.messages)}` };
  if (call.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "a.txt" } }] };
  if (call.turn === 1) return { toolCalls: [{ name: "edit_file", arguments: { path: "a.txt", old_text: "old", new_text: "new" } }] };
  return { text: "edited" };
};

describe("worktree isolation in the supervisor", () => {
  it("an isolated child edits its own worktree: the workspace is untouched, no change set, the snapshot names the worktree", async () => {
    const box: { shared?: FakeWorkspaceTools } = {};
    const worktrees = fakeWorktrees(() => box.shared!);
    const { kit } = start(oneEditor({ isolation: "worktree" }), { deps: { worktrees: worktrees.provider } });
    box.shared = kit.workspace;
    kit.workspace.put("a.txt", "old");
    await kit.service.runRoot({ task: "root" }).done;
    const editor = byName(kit.service, "editor")!;
    assert.equal(editor.status, "completed");
    assert.deepEqual(editor.worktree, { path: `/storage/worktrees/${editor.id}`, branch: "subagents/editor", base: "base-commit" });
    assert.equal(kit.workspace.text("a.txt"), "old", "the shared workspace is untouched");
    assert.equal(worktrees.trees.get(editor.worktree!.path)?.text("a.txt"), "new");
    assert.equal(editor.changedFiles, undefined, "its changes are merged or discarded, not reverted");

    assert.deepEqual(kit.service.requireWorktreeIdle(editor.id), editor.worktree);
    assert.equal(kit.service.clearFinished(), 0, "a tree with an unmerged worktree is not cleared");
    kit.service.worktreeEnded(editor.id);
    assert.equal(kit.service.get(editor.id)?.worktree, undefined);
    assert.equal(kit.service.clearFinished(), 2, "after Merge or Discard it is");
    await assertQuiet(kit);
  });

  it("the user's default applies when spawn_agent does not say, and isolation none overrides it", async () => {
    const box: { shared?: FakeWorkspaceTools } = {};
    const worktrees = fakeWorktrees(() => box.shared!);
    const { kit } = start(oneEditor({ isolation: "none" }), { settings: { isolation: "worktree" }, deps: { worktrees: worktrees.provider } });
    box.shared = kit.workspace;
    kit.workspace.put("a.txt", "old");
    await kit.service.runRoot({ task: "root" }).done;
    assert.equal(kit.workspace.text("a.txt"), "new", "isolation none works in the workspace");
    assert.equal(worktrees.trees.size, 0);
    assert.equal(byName(kit.service, "editor")?.changedFiles, 1);
  });

  it("fails the child with the reason when no worktree can be made (not a git repository), never falling back to the workspace", async () => {
    const box: { shared?: FakeWorkspaceTools } = {};
    const reason = "Worktree isolation needs a git repository, and /w is not one.";
    const worktrees = fakeWorktrees(() => box.shared!, reason);
    const { kit } = start(oneEditor({ isolation: "worktree" }), { deps: { worktrees: worktrees.provider } });
    box.shared = kit.workspace;
    kit.workspace.put("a.txt", "old");
    const root = await kit.service.runRoot({ task: "root" }).done;
    const editor = byName(kit.service, "editor")!;
    assert.equal(editor.status, "failed");
    assert.match(editor.error ?? "", /needs a git repository/);
    assert.match(root.result ?? "", /needs a git repository/, "the parent learns why");
    assert.equal(kit.workspace.text("a.txt"), "old");
  });

  it("an isolated agent without a worktree gets tools that refuse, never the shared workspace", async () => {
    const shared = new FakeWorkspaceTools({ "a.txt": "old" });
    const workspaces = new AgentWorkspaces(shared, fakeWorktrees(() => shared).provider);
    const tools = workspaces.workspaceFor("lost", "worktree", undefined);
    await assert.rejects(tools.readFile("a.txt"), /runs isolated but has no git worktree/);
    await assert.rejects(tools.writeFile({ path: "a.txt", content: "x" }), /runs isolated but has no git worktree/);
    assert.equal(shared.text("a.txt"), "old");
    assert.equal(workspaces.workspaceFor("plain", undefined, undefined), shared);
  });
});
