import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { makeAgent, patchOf, snapshotOf } from "./fixtures";
import {
  clearPosted,
  contextMenuRequests,
  openView,
  pageErrors,
  postAndPaint,
  postedMessages,
  startHarness,
  waitForPosted,
  type WebviewHarness,
} from "./harness";

/** A task's budget in the tree: spend against it on the root's row and in the detail pane, and Raise Budget… for its root. */
let harness: WebviewHarness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness.close();
});

const within = makeAgent({
  id: "within",
  name: "Within budget",
  role: "root",
  status: "running",
  subtreeTokensIn: 7000,
  subtreeTokensOut: 500,
  budget: { maxTokens: 10_000 },
});
const spent = makeAgent({
  id: "spent",
  name: "Spent task",
  role: "root",
  status: "waiting",
  subtreeTokensIn: 9800,
  subtreeTokensOut: 400,
  subtreeCostUsd: 0.5,
  budget: { maxTokens: 10_000, maxCostUsd: 2, reached: true },
});
const child = makeAgent({ id: "child", name: "Child of spent", parentId: "spent", rootId: "spent", depth: 1, status: "running" });
const open = makeAgent({ id: "open", name: "No budget", role: "root", status: "running" });

async function openTree(): Promise<Page> {
  const page = await openView(harness);
  await postAndPaint(page, snapshotOf([within, spent, child, open]));
  await clearPosted(page);
  return page;
}

describe("task budget in the tree", () => {
  it("a root's row shows the share spent, or that the budget is spent; other rows show none", async () => {
    const page = await openTree();
    const badge = (id: string) => page.locator(`[data-id="${id}"] .badge.budget`);
    assert.equal(await badge("within").textContent(), "75% budget");
    assert.equal(await badge("within").isVisible(), true);
    assert.equal(await badge("within").evaluate((n) => n.classList.contains("reached")), false);
    assert.equal(await badge("spent").textContent(), "budget spent");
    assert.equal(await badge("spent").evaluate((n) => n.classList.contains("reached")), true);
    assert.match((await badge("spent").getAttribute("title")) ?? "", /^Task budget: budget spent, 10k of 10k tokens · \$0\.50 of \$2\.00\. Select the task to raise it\.$/);
    assert.equal(await badge("child").isVisible(), false);
    assert.equal(await badge("open").isVisible(), false);
    // Screen readers hear it with the row.
    assert.match((await page.locator('[data-id="within"]').getAttribute("aria-description")) ?? "", /75% of budget used, 7\.5k of 10k tokens/);
    assert.doesNotMatch((await page.locator('[data-id="open"]').getAttribute("aria-description")) ?? "", /budget/);

    // The host raises the budget: the row follows the next patch.
    await postAndPaint(page, patchOf(1, [{ ...spent, budget: { maxTokens: 40_000, maxCostUsd: 2 }, budgetRaise: { maxTokens: 40_000 } }]));
    assert.equal(await badge("spent").textContent(), "25% budget");
    assert.equal(await badge("spent").evaluate((n) => n.classList.contains("reached")), false);
    // The badge sits next to the status, outside line 1 where the hover controls would cover it.
    assert.equal(await page.locator('[data-id="spent"] .line2 .badge.budget').count(), 1);

    // A command waiting for approval takes line 2; the budget is still read out, and shown in the details.
    await postAndPaint(page, patchOf(2, [{ ...within, pendingApproval: { requestId: "q1", command: "npm test" } }]));
    assert.equal(await badge("within").isVisible(), false);
    assert.match((await page.locator('[data-id="within"]').getAttribute("aria-description")) ?? "", /75% of budget used/);
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it("the detail pane shows spend against budget and a keyboard-reachable Raise Budget… for the root only", async () => {
    const page = await openTree();
    await page.locator('[data-id="spent"] .name').click();
    assert.equal(await page.locator(".detail-budget").textContent(), "10k of 10k tokens · $0.50 of $2.00 · reached: no new subagents, agents told to wrap up");
    const raise = page.locator(".detail").getByRole("button", { name: "Raise the task budget of Spent task" });
    assert.equal(await raise.textContent(), "Raise Budget…");
    await raise.focus();
    await page.keyboard.press("Enter");
    await waitForPosted(page, (m) => m["type"] === "raiseBudget");
    assert.deepEqual(await postedMessages(page), [{ type: "raiseBudget", agentId: "spent" }]);

    await page.locator('[data-id="within"] .name').click();
    assert.equal(await page.locator(".detail-budget").textContent(), "7.5k of 10k tokens");
    assert.equal(await page.locator(".detail").getByRole("button", { name: /Raise the task budget/ }).count(), 1);
    for (const id of ["child", "open"]) {
      await page.locator(`[data-id="${id}"] .name`).click();
      assert.equal(await page.locator(".detail").getByRole("button", { name: /Raise the task budget/ }).count(), 0, id);
    }
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it("the row's native context menu offers Raise Budget… only on a root with a budget", async () => {
    const page = await openTree();
    const offers = async (id: string): Promise<unknown> => {
      await page.locator(`[data-id="${id}"] .name`).click({ button: "right" });
      const requests = await contextMenuRequests(page);
      const request = requests[requests.length - 1];
      assert.equal(request?.context["agentId"], id);
      return request?.context["subagents.can.raiseBudget"];
    };
    assert.equal(await offers("spent"), true);
    assert.equal(await offers("within"), true);
    assert.equal(await offers("child"), false);
    assert.equal(await offers("open"), false);
    assert.deepEqual(await postedMessages(page), [], "the menu itself posts nothing; VS Code runs the command");
    await page.close();
  });
});
