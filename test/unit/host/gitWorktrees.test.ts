import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as nodePath from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { GitWorktrees, worktreeBranch } from "../../../src/host/worktrees/gitWorktrees";
import { RecordingLogger } from "./agentTreeFakes";
import { makeWorkspace, readText, writeFile } from "./hostTestSupport";

const gitIn = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" });

function commitAll(root: string, message: string): void {
  gitIn(root, "add", "--all");
  gitIn(root, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", message);
}

describe("git worktrees for isolated agents (real git)", () => {
  let repo: ReturnType<typeof makeWorkspace>;
  let storage: ReturnType<typeof makeWorkspace>;
  let worktrees: GitWorktrees;

  beforeEach(() => {
    repo = makeWorkspace({ "src/a.js": "export const a = 1;\n", "src/b.js": "export const b = 1;\n" });
    storage = makeWorkspace();
    gitIn(repo.root, "init", "-q");
    commitAll(repo.root, "start");
    worktrees = new GitWorktrees(repo.root, storage.root, new RecordingLogger());
  });
  afterEach(() => {
    repo.cleanup();
    storage.cleanup();
  });

  it("creates a worktree under the storage on a branch named after the agent; the workspace is untouched until Merge", async () => {
    const wt = await worktrees.create("agent-7", "Refactor math");
    assert.equal(wt.branch, "subagents/refactor-math-agent-7");
    assert.equal(nodePath.dirname(wt.path), nodePath.join(storage.root, "worktrees"));
    assert.equal(readFileSync(nodePath.join(wt.path, "src/a.js"), "utf8"), "export const a = 1;\n");
    writeFile(wt.path, "src/a.js", "export const a = 2;\n");
    writeFile(wt.path, "src/new.js", "export const n = 1;\n");
    assert.equal(readText(repo.root, "src/a.js"), "export const a = 1;\n", "not in the workspace yet");

    const outcome = await worktrees.merge(wt);
    assert.deepEqual(outcome, { files: ["src/a.js", "src/new.js"], conflicts: [] });
    assert.equal(readText(repo.root, "src/a.js"), "export const a = 2;\n");
    assert.equal(readText(repo.root, "src/new.js"), "export const n = 1;\n");
    assert.equal(existsSync(wt.path), false, "the worktree is removed after the merge");
    assert.equal(gitIn(repo.root, "branch", "--list", wt.branch).trim(), "", "and its branch");
    assert.equal(gitIn(repo.root, "diff", "--cached", "--name-only").trim(), "", "a clean merge leaves the user's index alone");
  });

  it("lists conflicts when the workspace changed the same lines meanwhile, leaving markers to resolve", async () => {
    const wt = await worktrees.create("agent-8", "Edit a");
    writeFile(wt.path, "src/a.js", "export const a = 2;\n");
    writeFile(repo.root, "src/a.js", "export const a = 3;\n");
    commitAll(repo.root, "user edit");
    const outcome = await worktrees.merge(wt);
    assert.deepEqual(outcome.conflicts, ["src/a.js"]);
    assert.match(readText(repo.root, "src/a.js"), /<<<<<<<[\s\S]*a = 3[\s\S]*=======[\s\S]*a = 2[\s\S]*>>>>>>>/);
  });

  it("Discard removes the worktree and the branch; nothing reaches the workspace", async () => {
    const wt = await worktrees.create("agent-9", "Throwaway");
    writeFile(wt.path, "src/b.js", "export const b = 99;\n");
    await worktrees.discard(wt);
    assert.equal(existsSync(wt.path), false);
    assert.equal(gitIn(repo.root, "branch", "--list", wt.branch).trim(), "");
    assert.equal(readText(repo.root, "src/b.js"), "export const b = 1;\n");
  });

  it("sweeps worktrees left behind by agents no longer in the tree, and keeps the others", async () => {
    const kept = await worktrees.create("live", "Live");
    const orphan = await worktrees.create("gone", "Gone");
    const swept = await worktrees.sweep(new Set(["live"]));
    assert.deepEqual(swept, [orphan.path]);
    assert.equal(existsSync(orphan.path), false);
    assert.equal(existsSync(kept.path), true);
    assert.equal(gitIn(repo.root, "branch", "--list", orphan.branch).trim(), "");
  });

  it("gives a clear error in a folder that is not a git repository, and in one with no commit", async () => {
    const plain = makeWorkspace({ "x.txt": "x" });
    try {
      const noRepo = new GitWorktrees(plain.root, storage.root, new RecordingLogger());
      await assert.rejects(noRepo.create("a", "A"), /Worktree isolation needs a git repository, and .* is not one/);
      gitIn(plain.root, "init", "-q");
      await assert.rejects(noRepo.create("a", "A"), /needs at least one commit/);
    } finally {
      plain.cleanup();
    }
  });

  it("does not run the workspace's git hooks", async () => {
    writeFile(repo.root, ".git/hooks/post-checkout", "#!/bin/sh\ntouch \"$(git rev-parse --git-common-dir)/hook-ran\"\n");
    execFileSync("chmod", ["+x", nodePath.join(repo.root, ".git/hooks/post-checkout")]);
    await worktrees.create("agent-h", "Hooked");
    assert.equal(existsSync(nodePath.join(repo.root, ".git", "hook-ran")), false);
  });

  it("names branches safely whatever the agent is called", () => {
    assert.equal(worktreeBranch("id1", "../../Weird name ~^:?*[ "), "subagents/weird-name-id1");
    assert.equal(worktreeBranch("id2", "!!!"), "subagents/agent-id2");
  });
});
