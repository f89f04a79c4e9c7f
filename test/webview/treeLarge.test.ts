import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { largeTree, makeAgent, mixedTree, patchOf, snapshotOf } from "./fixtures";
import { waitUntil } from "../fakes/polling";
import { openView, postAndPaint, postedMessages, startHarness, waitForPosted, type WebviewHarness } from "./harness";

let harness: WebviewHarness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness.close();
});

const renderedRows = (page: Page): Promise<number> => page.locator(".row").count();

describe("agent tree at scale and across reloads", () => {
  it("renders only the rows near the viewport of a 2,000-agent tree", async () => {
    const page = await openView(harness, { height: 640 });
    const agents = largeTree(2000);
    // How fast this paints is measured by `npm run bench` (tree.firstPaint2000Ms), not asserted here.
    await postAndPaint(page, snapshotOf(agents));
    const rows = await renderedRows(page);
    assert.ok(rows > 10 && rows < 60, `${rows} rows in the DOM`);
    assert.equal(await page.locator(".tree-canvas").evaluate((c) => c.getBoundingClientRect().height), 2000 * 40);

    await page.locator(".tree").evaluate((tree) => {
      tree.scrollTop = tree.scrollHeight;
    });
    const last = agents.at(-1);
    assert.ok(last);
    await page.locator(`[data-id="${last.id}"]`).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator(`[data-id="${last.id}"]`).count(), 1, "the last agent is rendered after scrolling");
    assert.ok((await renderedRows(page)) < 60);

    // 200 status changes in one patch: still only the visible rows are in the DOM.
    const changed = agents.slice(0, 200).map((a) => ({ ...a, status: "completed" as const, elapsedMs: 1000 }));
    await postAndPaint(page, patchOf(1, changed));
    assert.ok((await renderedRows(page)) < 60);

    await page.locator(".tree").evaluate((tree) => {
      tree.scrollTop = 0;
    });
    await page.getByRole("treeitem", { name: "Root 0, Completed" }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole("treeitem", { name: "Root 0, Completed" }).count(), 1);
    await page.close();
  });

  it("walks the whole tree from the keyboard: End reaches the last of 2,000 rows", async () => {
    const page = await openView(harness);
    const agents = largeTree(2000);
    await postAndPaint(page, snapshotOf(agents));
    await page.locator(".tree").focus();
    await page.keyboard.press("End");
    const focusedId = await page.evaluate(
      () => (globalThis as unknown as { document: { activeElement: { dataset: Record<string, string> } } }).document.activeElement.dataset["id"],
    );
    assert.equal(focusedId, agents.at(-1)?.id);
    const last = page.locator(`[data-id="${focusedId ?? ""}"]`);
    assert.deepEqual([await last.getAttribute("aria-level"), await last.getAttribute("aria-posinset")], ["2", "5"]);
    await page.keyboard.press("PageUp");
    await page.keyboard.press("Home");
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { dataset: Record<string, string> } } }).document.activeElement.dataset["id"]),
      agents[0]?.id,
    );
    await page.close();
  });

  it("restores collapsed, selected and scroll state after a reload, from getState and a new snapshot", async () => {
    const page = await openView(harness, { height: 400 });
    const older = largeTree(200).map((a) => ({ ...a, createdAt: a.createdAt - 10_000_000 }));
    const agents = [...mixedTree(), ...older];
    await postAndPaint(page, snapshotOf(agents));
    await page.locator('[data-id="root-2"] .twisty').click();
    await page.locator('[data-id="scan"] .twisty').click();
    await page.locator('[data-id="edit"] .name').click();
    await page.locator(".tree").evaluate((tree) => {
      tree.scrollTop = 120;
    });
    // The view saves its scroll position (through setState) once it has handled the scroll.
    await waitUntil("the view to save its scroll position", () => page.evaluate(() => (globalThis as unknown as { acquireVsCodeApi?: unknown; sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem("subagents-webview-state")?.includes('"scrollTop":120') === true), 10_000);

    await page.reload();
    await waitForPosted(page, (m) => m.type === "ready");
    assert.equal(await page.locator(".row").count(), 0, "no data until the host answers ready");
    await postAndPaint(page, snapshotOf(agents));
    assert.equal(await page.locator('[data-id="root-2"]').getAttribute("aria-expanded"), "false");
    assert.equal(await page.locator('[data-id="scan"]').getAttribute("aria-expanded"), "false");
    assert.equal(await page.locator('[data-id="edit"]').getAttribute("aria-selected"), "true");
    assert.equal(await page.locator(".detail-name").textContent(), "Move files");
    assert.equal(await page.locator(".tree").evaluate((tree) => tree.scrollTop), 120);

    // State about agents that no longer exist is dropped.
    await postAndPaint(page, snapshotOf([makeAgent({ id: "fresh", name: "Fresh" })]));
    assert.equal(await page.locator(".detail").isVisible(), false);
    assert.deepEqual(
      (await postedMessages(page)).map((m) => m.type),
      ["ready"],
    );
    await page.close();
  });
});
