import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { mixedTree, patchOf, snapshotOf } from "./fixtures";
import { clearPosted, openView, postAndPaint, postedMessages, startHarness, type WebviewHarness } from "./harness";

let harness: WebviewHarness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness.close();
});

/** The data-id of the focused element's row, or what has focus when it is not a row. */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = (globalThis as unknown as { document: { activeElement: { dataset?: Record<string, string>; getAttribute(n: string): string | null; className: string } | null } }).document.activeElement;
    return active?.dataset?.["id"] ?? active?.getAttribute("aria-label") ?? active?.className ?? "none";
  });
}

async function openTree(): Promise<Page> {
  const page = await openView(harness);
  await postAndPaint(page, snapshotOf(mixedTree()));
  return page;
}

describe("agent tree keyboard", () => {
  it("enters the tree with Tab and moves with arrows, Home and End", async () => {
    const page = await openTree();
    await page.locator(".tree").focus();
    await page.keyboard.press("ArrowDown");
    assert.equal(await focused(page), "root-2");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focused(page), "notes-a");
    await page.keyboard.press("End");
    assert.equal(await focused(page), "stuck");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focused(page), "stuck", "stays on the last row");
    await page.keyboard.press("Home");
    assert.equal(await focused(page), "root-2");
    await page.keyboard.press("ArrowUp");
    assert.equal(await focused(page), "root-2");
    // One tab stop: the focused row. Tab goes to its buttons, Shift+Tab comes back.
    await page.keyboard.press("Tab");
    assert.match(await focused(page), /^Send message to Write release notes$|^Open transcript of Write release notes$/);
    await page.keyboard.press("Shift+Tab");
    assert.equal(await focused(page), "root-2");
    await page.close();
  });

  it("collapses and expands with Left and Right, and climbs to the parent", async () => {
    const page = await openTree();
    await page.locator('[data-id="scan-a"] .name').click();
    await page.keyboard.press("ArrowLeft");
    assert.equal(await focused(page), "scan");
    await page.keyboard.press("ArrowLeft");
    assert.equal(await page.locator('[data-id="scan"]').getAttribute("aria-expanded"), "false");
    assert.equal(await page.locator('[data-id="scan-a"]').count(), 0);
    assert.equal(await focused(page), "scan");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.locator('[data-id="scan"]').getAttribute("aria-expanded"), "true");
    await page.keyboard.press("ArrowRight");
    assert.equal(await focused(page), "scan-a");
    // Collapsing an ancestor of the focused row moves focus to that ancestor.
    await page.locator('[data-id="root-1"] .twisty').click();
    assert.equal(await focused(page), "root-1");
    await page.close();
  });

  it("selects with Enter and Space, showing the detail pane", async () => {
    const page = await openTree();
    await page.locator(".tree").focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    assert.equal(await page.locator('[data-id="root-2"]').getAttribute("aria-selected"), "true");
    assert.equal(await page.locator(".detail-name").textContent(), "Write release notes");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press(" ");
    assert.equal(await page.locator(".detail-name").textContent(), "Collect changes");
    assert.equal(await page.locator('[data-id="root-2"]').getAttribute("aria-selected"), "false");
    await page.close();
  });

  it("opens the actions menu with Shift+F10 and the context-menu key, and returns focus on Escape", async () => {
    const page = await openTree();
    await page.locator('[data-id="edit"] .name').click();
    await page.keyboard.press("Shift+F10");
    const menu = page.getByRole("menu", { name: "Actions for Move files" });
    assert.equal(await menu.isVisible(), true);
    assert.deepEqual(await menu.getByRole("menuitem").allTextContents(), [
      "Interrupt",
      "Extend Timeout by 5 Minutes",
      "Set Timeout…",
      "Remove Time Limit",
      "Send Message…",
      "Open Transcript",
    ]);
    assert.equal(await focused(page), "Interrupt Move files");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focused(page), "Extend timeout of Move files");
    await page.keyboard.press("End");
    assert.equal(await focused(page), "Open transcript of Move files");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focused(page), "Interrupt Move files", "wraps around");
    await page.keyboard.press("Escape");
    assert.equal(await menu.count(), 0);
    assert.equal(await focused(page), "edit");

    await clearPosted(page);
    await page.keyboard.press("ContextMenu");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    assert.deepEqual(await postedMessages(page), [{ type: "extendTimeout", agentId: "edit", seconds: 300 }]);
    assert.equal(await focused(page), "edit");
    await page.close();
  });

  it("keeps focus on the tree when the focused agent is removed", async () => {
    const page = await openTree();
    await page.locator('[data-id="notes-b"] .name').click();
    await postAndPaint(page, patchOf(1, [], ["notes-b"]));
    assert.equal(await focused(page), "notes-c");
    await page.keyboard.press("ArrowUp");
    assert.equal(await focused(page), "notes-a");
    await page.close();
  });
});
