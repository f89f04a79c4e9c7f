import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { mixedTree, patchOf, snapshotOf } from "./fixtures";
import { clearPosted, contextMenuRequests, openView, postAndPaint, postedMessages, startHarness, type WebviewHarness } from "./harness";

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

  it("opens VS Code's native menu of the focused row with Shift+F10 and the context-menu key", async () => {
    const page = await openTree();
    await page.locator('[data-id="edit"] .name').click();
    await clearPosted(page);
    await page.keyboard.press("Shift+F10");
    await page.keyboard.press("ContextMenu");
    const requests = await contextMenuRequests(page);
    assert.equal(requests.length, 2, "each key reaches VS Code as an unprevented contextmenu event");
    for (const request of requests) {
      assert.equal(request.focused, "edit", "the row keeps focus");
      assert.equal(request.context["webviewSection"], "agentRow");
      assert.equal(request.context["agentId"], "edit");
      assert.equal(request.context["preventDefaultContextMenuItems"], true, "no Cut/Copy/Paste on a row");
      // The keys package.json's `when` clauses test: the same actions the view offers.
      const offered = Object.entries(request.context)
        .filter(([key, value]) => key.startsWith("subagents.can.") && value === true)
        .map(([key]) => key.slice("subagents.can.".length));
      assert.deepEqual(offered, ["interrupt", "extendTimeout", "setTimeout", "removeTimeout", "sendMessage", "openTranscript"]);
    }
    assert.deepEqual(await postedMessages(page), [], "the view itself does nothing with the keys");

    // The menu's "Set Timeout…" runs a host command, which asks the view for its prompt;
    // the answer goes out as a message, and focus returns to the row.
    await postAndPaint(page, { type: "openPrompt", agentId: "edit", prompt: "timeout" });
    const dialog = page.getByRole("dialog", { name: "Set timeout of Move files" });
    const input = dialog.locator("vscode-textfield input");
    await input.waitFor();
    await input.fill("2h");
    await input.press("Enter");
    assert.match((await dialog.locator(".prompt-hint").textContent()) ?? "", /from 1s to 1 hour/, "two hours is refused in the view");
    await input.fill("10m");
    await input.press("Enter");
    assert.deepEqual(await postedMessages(page), [{ type: "setTimeout", agentId: "edit", seconds: 600 }]);
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
