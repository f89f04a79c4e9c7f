import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeAgent, snapshotOf } from "./fixtures";
import { clearPosted, contextMenuRequests, openView, pageErrors, postAndPaint, startHarness, waitForPosted, type WebviewHarness } from "./harness";

let harness: WebviewHarness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness.close();
});

/** A root whose two children changed files; the root itself changed none. */
function changedTree() {
  return snapshotOf([
    makeAgent({ id: "root", name: "Task", status: "completed", changedFiles: 0, subtreeChangedFiles: 3 }),
    makeAgent({
      id: "child-a",
      name: "Writer A",
      parentId: "root",
      rootId: "root",
      depth: 1,
      role: "leaf",
      status: "completed",
      changedFiles: 2,
      subtreeChangedFiles: 2,
      changes: [
        { path: "src/a.ts", kind: "modified" },
        { path: "src/new.ts", kind: "created" },
      ],
    }),
    makeAgent({
      id: "child-b",
      name: "Writer B",
      parentId: "root",
      rootId: "root",
      depth: 1,
      role: "leaf",
      status: "completed",
      changedFiles: 1,
      subtreeChangedFiles: 1,
      changes: [{ path: "src/b.ts", kind: "modified" }],
    }),
    makeAgent({ id: "quiet", name: "Reader", status: "completed" }),
  ]);
}

describe("change review in the tree", () => {
  it("shows ±N files on the rows of agents that changed files, the subtree's total on a collapsed parent, and nothing elsewhere", async () => {
    const page = await openView(harness);
    await postAndPaint(page, changedTree());
    assert.equal(await page.locator('[data-id="child-a"] .badge.changes').textContent(), "±2 files");
    assert.equal(await page.locator('[data-id="child-b"] .badge.changes').textContent(), "±1 file");
    assert.equal(await page.locator('[data-id="root"] .badge.changes').isVisible(), false, "an expanded root stands for itself, which changed nothing");
    assert.equal(await page.locator('[data-id="quiet"] .badge.changes').isVisible(), false);
    await page.locator('[data-id="root"] .twisty').click();
    assert.equal(await page.locator('[data-id="root"] .badge.changes').textContent(), "±3 files");
    assert.match((await page.locator('[data-id="root"]').getAttribute("aria-description")) ?? "", /subtree changed 3 files/);
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it("lists the agent's files in the detail pane; a click opens the diff, and each file can be reverted or kept", async () => {
    const page = await openView(harness);
    await postAndPaint(page, changedTree());
    await page.locator('[data-id="child-a"] .name').click();
    const items = page.locator(".detail-changes .change-open");
    assert.deepEqual(await items.evaluateAll((buttons) => buttons.map((b) => b.textContent)), ["src/a.tsmodified", "src/new.tscreated"]);
    await clearPosted(page);
    await items.first().click();
    assert.deepEqual(await waitForPosted(page, (m) => m.type === "openChange"), { type: "openChange", agentId: "child-a", path: "src/a.ts" });
    await page.getByRole("button", { name: "Revert src/new.ts" }).click();
    assert.deepEqual(await waitForPosted(page, (m) => m.type === "revertChanges"), { type: "revertChanges", agentId: "child-a", scope: "agent", path: "src/new.ts" });
    await page.getByRole("button", { name: "Keep all files changed by Writer A" }).click();
    assert.deepEqual(await waitForPosted(page, (m) => m.type === "keepChanges"), { type: "keepChanges", agentId: "child-a", scope: "agent" });
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it("offers Review, Revert and Keep of the subtree in the row's native context menu and the pane's buttons", async () => {
    const page = await openView(harness);
    await postAndPaint(page, changedTree());
    await page.locator('[data-id="root"] .name').click({ button: "right" });
    const [request] = await contextMenuRequests(page);
    assert.equal(request?.context["subagents.can.revertChanges"], true);
    assert.equal(request?.context["subagents.can.keepChanges"], true);
    await page.locator('[data-id="root"] .name').click();
    assert.equal(await page.locator(".detail-changes").count(), 0, "the root changed no file itself");
    await clearPosted(page);
    await page.locator(".detail-actions .action-revertChanges").click();
    assert.deepEqual(await waitForPosted(page, (m) => m.type === "revertChanges"), { type: "revertChanges", agentId: "root", scope: "subtree" });
    await page.close();
  });

  it("shows an isolated agent's worktree branch and offers Merge and Discard once it stopped", async () => {
    const page = await openView(harness);
    const worktree = { path: "/storage/worktrees/iso", branch: "subagents/isolated-iso", base: "abc123" };
    await postAndPaint(page, snapshotOf([makeAgent({ id: "iso", name: "Isolated", status: "completed", isolation: "worktree", worktree })]));
    await page.locator('[data-id="iso"] .name').click();
    assert.equal(await page.locator(".detail-worktree code").textContent(), "subagents/isolated-iso");
    await clearPosted(page);
    await page.getByRole("button", { name: "Merge the worktree of Isolated into the workspace" }).click();
    assert.deepEqual(await waitForPosted(page, (m) => m.type === "mergeWorktree"), { type: "mergeWorktree", agentId: "iso" });
    await page.getByRole("button", { name: "Discard the worktree of Isolated" }).click();
    assert.deepEqual(await waitForPosted(page, (m) => m.type === "discardWorktree"), { type: "discardWorktree", agentId: "iso" });
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });
});
