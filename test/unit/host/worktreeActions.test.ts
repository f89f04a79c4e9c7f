import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { WorktreeInfo } from "../../../src/core/isolation/agentWorkspaces";
import { GitWorktrees } from "../../../src/host/worktrees/gitWorktrees";
import { WorktreeActions } from "../../../src/host/worktrees/worktreeActions";
import { resetShim } from "../../fakes/vscodeShim";
import { shimUi } from "../../fakes/vscodeShimUi";
import { FakeUserControls, RecordingLogger } from "./agentTreeFakes";
import { makeWorkspace, readText, snapshot, writeFile } from "./hostTestSupport";

const gitIn = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", ...args], { cwd, encoding: "utf8" });

/** The tree as the actions see it: one finished isolated agent and the supervisor's two worktree calls. */
class Controls extends FakeUserControls {
  readonly ended: string[] = [];
  constructor(
    private readonly worktree: WorktreeInfo,
    status: "completed" | "running",
  ) {
    super([snapshot("iso", { name: "Isolated", status, worktree })]);
  }
  requireWorktreeIdle(agentId: string): WorktreeInfo {
    if (this.get(agentId)?.status === "running") throw new Error("Isolated is still running in its worktree; wait for it to finish or interrupt it first.");
    return this.worktree;
  }
  worktreeEnded(agentId: string): void {
    this.ended.push(agentId);
  }
}

describe("Merge and Discard of an agent's worktree (host, real git)", () => {
  let repo: ReturnType<typeof makeWorkspace>;
  let storage: ReturnType<typeof makeWorkspace>;
  let git: GitWorktrees;
  let info: WorktreeInfo;

  beforeEach(async () => {
    repo = makeWorkspace({ "a.txt": "one\n" });
    storage = makeWorkspace();
    gitIn(repo.root, "init", "-q");
    gitIn(repo.root, "add", "--all");
    gitIn(repo.root, "commit", "-q", "-m", "start");
    resetShim({ root: repo.root });
    git = new GitWorktrees(repo.root, storage.root, new RecordingLogger());
    const created = await git.create("iso", "Isolated");
    info = { path: created.path, branch: created.branch, base: created.base };
    writeFile(info.path, "a.txt", "two\n");
  });
  afterEach(() => {
    repo.cleanup();
    storage.cleanup();
  });

  it("Merge applies the agent's change to the workspace, removes the worktree and tells the supervisor", async () => {
    const controls = new Controls(info, "completed");
    await new WorktreeActions(controls, () => git, new RecordingLogger()).merge("iso");
    assert.equal(readText(repo.root, "a.txt"), "two\n");
    assert.equal(existsSync(info.path), false);
    assert.deepEqual(controls.ended, ["iso"]);
    assert.match(shimUi.messages.at(-1)?.message ?? "", /Merged 1 file changed by Isolated into the workspace/);
  });

  it("Discard asks in a modal first; dismissed, nothing happens; confirmed, the worktree and branch go and the workspace stays", async () => {
    const controls = new Controls(info, "completed");
    const actions = new WorktreeActions(controls, () => git, new RecordingLogger());
    await actions.discard("iso");
    assert.ok(shimUi.messages[0]?.modal);
    assert.equal(existsSync(info.path), true);
    shimUi.messageAnswer = () => "Discard";
    await actions.discard("iso");
    assert.equal(existsSync(info.path), false);
    assert.equal(gitIn(repo.root, "branch", "--list", info.branch).trim(), "");
    assert.equal(readText(repo.root, "a.txt"), "one\n");
    assert.deepEqual(controls.ended, ["iso"]);
  });

  it("refuses while the agent still runs, and keeps the worktree", async () => {
    const controls = new Controls(info, "running");
    await assert.rejects(new WorktreeActions(controls, () => git, new RecordingLogger()).merge("iso"), /still running in its worktree/);
    assert.equal(existsSync(info.path), true);
    assert.equal(readText(repo.root, "a.txt"), "one\n");
  });

  it("the palette command lists the agents that have a worktree", async () => {
    const controls = new Controls(info, "completed");
    shimUi.pickAnswers.push((items) => items[0]);
    await new WorktreeActions(controls, () => git, new RecordingLogger()).merge();
    assert.deepEqual(shimUi.picks[0]?.items.map((i) => i.label), ["Isolated"]);
    assert.equal(readText(repo.root, "a.txt"), "two\n");
  });
});
