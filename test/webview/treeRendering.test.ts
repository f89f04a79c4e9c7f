import assert from "node:assert/strict";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { FIXTURE_KEYS, makeAgent, mixedTree, patchOf, snapshotOf } from "./fixtures";
import {
  ROOT,
  advanceAndPaint,
  clearPosted,
  cspViolations,
  nextPaint,
  openView,
  pageErrors,
  postAndPaint,
  postToView,
  startHarness,
  waitForPosted,
  type WebviewHarness,
} from "./harness";

let harness: WebviewHarness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness.close();
});

async function attribute(page: Page, selector: string, name: string): Promise<string | null> {
  return page.locator(selector).getAttribute(name);
}

describe("agent tree rendering", () => {
  it("shows a loading line, then an empty state that tells a new user what to do", async () => {
    const page = await openView(harness);
    assert.equal(await page.locator(".connecting").isVisible(), true);
    await postAndPaint(page, snapshotOf([], { keys: [] }));
    assert.equal(await page.locator(".connecting").isVisible(), false);
    const empty = page.locator(".empty");
    assert.equal(await empty.isVisible(), true);
    assert.match((await empty.textContent()) ?? "", /No agents yet.*Add an API key/s);
    await page.getByRole("button", { name: "Add API Key…" }).first().click();
    await page.locator(".empty").getByRole("button", { name: "Run Task…" }).click();
    await waitForPosted(page, (m) => m.type === "runCommand" && m.command === "runTask");
    await waitForPosted(page, (m) => m.type === "runCommand" && m.command === "addApiKey");

    await postAndPaint(page, snapshotOf([], { keys: FIXTURE_KEYS }));
    assert.equal(await page.locator(".empty").getByRole("button", { name: "Add API Key…" }).isVisible(), false);
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it("renders an ARIA tree with levels, positions, expansion and '<name>, <status>' names", async () => {
    const page = await openView(harness);
    await postAndPaint(page, snapshotOf(mixedTree()));
    assert.equal(await page.getByRole("tree", { name: "Agents" }).count(), 1);
    assert.equal(await page.getByRole("treeitem").count(), 14);
    const root = '[data-id="root-1"]';
    assert.equal(await attribute(page, root, "aria-level"), "1");
    assert.equal(await attribute(page, root, "aria-expanded"), "true");
    assert.equal(await attribute(page, root, "aria-posinset"), "2");
    assert.equal(await attribute(page, root, "aria-setsize"), "2");
    assert.equal(await attribute(page, '[data-id="scan-b"]', "aria-level"), "3");
    assert.equal(await attribute(page, '[data-id="lint"]', "aria-expanded"), null);
    for (const [name, status] of [
      ["Refactor auth module", "Waiting"],
      ["Move files", "Running"],
      ["Update docs", "Queued"],
      ["Lint changes", "Starting"],
      ["Scan imports", "Completed"],
      ["Scan test/", "Failed"],
      ["Benchmark login", "Timed out"],
      ["Collect changes", "Interrupted"],
    ]) {
      assert.equal(await page.getByRole("treeitem", { name: `${name}, ${status}`, exact: true }).count(), 1, name);
    }
    // The description reads out what the row shows besides name and status.
    const scan = mixedTree().find((a) => a.id === "scan");
    assert.ok(scan);
    assert.equal(
      await attribute(page, '[data-id="scan"]', "aria-description"),
      `elapsed 42s; ${scan.tokensIn} tokens in, ${scan.tokensOut} tokens out`,
    );
    assert.match((await attribute(page, '[data-id="edit"]', "aria-description")) ?? "", /^elapsed \d+s; \d+ tokens in, \d+ tokens out$/);
    assert.match(
      (await attribute(page, '[data-id="tests"]', "aria-description")) ?? "",
      /; command waiting for approval: npm test -- --grep auth$/,
    );
    await page.close();
  });

  it("shows each status with its own icon and word, and animates only running agents", async () => {
    const page = await openView(harness);
    await postAndPaint(page, snapshotOf(mixedTree()));
    const looks = await page.$$eval(".row", (rows) =>
      rows.map((row) => ({
        status: [...row.classList].find((c) => c.startsWith("status-")),
        icon: row.querySelector(".status-icon")?.className ?? "",
        word: row.querySelector(".status-text")?.textContent ?? "",
      })),
    );
    const iconsByStatus = new Map<string, string>();
    for (const look of looks) {
      const icon = /codicon-(?!modifier)[\w-]+/.exec(look.icon)?.[0] ?? "";
      iconsByStatus.set(look.status ?? "", icon);
      assert.equal(look.icon.includes("codicon-modifier-spin"), look.status === "status-running", look.status);
      assert.ok(look.word.length > 0);
    }
    assert.equal(iconsByStatus.size, 8);
    assert.equal(new Set(iconsByStatus.values()).size, 8, "every status has a distinct icon");
    const colours = await page.$$eval(".row .status-icon", (icons) => {
      const style = (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle;
      return new Set(icons.map((i) => style(i).color)).size;
    });
    assert.ok(colours >= 6, `status colours come from theme variables (${colours} distinct)`);
    await page.close();
  });

  it("shows model, activity, time left, tokens, key, stale marker and a pending approval", async () => {
    // A paused fake clock: no once-a-second tick can move "33s" or "4m 00s" while the test reads them.
    const page = await openView(harness, { pausedClockAt: 1_000_000 });
    await postToView(page, snapshotOf(mixedTree()));
    await advanceAndPaint(page, 0);
    const edit = page.locator('[data-id="edit"]');
    assert.match((await edit.textContent()) ?? "", /Move files.*33s.*Running.*gpt-5-mini.*edit_file src\/core\/auth\/session\.ts.*4m 00s.*↑1\.2k ↓340.*…c3d4/s);
    assert.match((await page.locator('[data-id="stuck"] .badge.stale').textContent()) ?? "", /stale/);
    const tests = page.locator('[data-id="tests"]');
    assert.match((await tests.locator(".approval").textContent()) ?? "", /npm test -- --grep auth/);
    assert.equal(await tests.getByRole("button", { name: "Approve command of Run unit tests" }).isVisible(), true);
    assert.equal(await tests.getByRole("button", { name: "Deny command of Run unit tests" }).isVisible(), true);

    // A collapsed parent shows its subtree total.
    await page.locator('[data-id="root-1"] .twisty').click();
    assert.equal(await attribute(page, '[data-id="root-1"]', "aria-expanded"), "false");
    assert.match((await page.locator('[data-id="root-1"] .tokens').textContent()) ?? "", /Σ ↑48k ↓12k/);
    assert.equal(await page.getByRole("treeitem").count(), 5);
    await page.close();
  });

  it("ticks elapsed time while running and freezes it when the agent ends", async () => {
    // On a paused fake clock the view's once-a-second tick runs only when the test moves time.
    const page = await openView(harness, { pausedClockAt: 1_000_000 });
    const elapsed = page.locator('[data-id="a"] .elapsed');
    await postToView(page, snapshotOf([makeAgent({ id: "a", name: "Ticker", elapsedMs: 5_000 })]));
    await advanceAndPaint(page, 0);
    assert.equal(await elapsed.textContent(), "5s");
    await advanceAndPaint(page, 2_000);
    assert.equal(await elapsed.textContent(), "7s", "two ticks later the running agent shows two more seconds");
    await postToView(page, patchOf(1, [makeAgent({ id: "a", name: "Ticker", status: "completed", elapsedMs: 7_000 })]));
    await advanceAndPaint(page, 3_000);
    assert.equal(await elapsed.textContent(), "7s", "a finished agent's time stands still");
    await page.close();
  });

  it("shows the toolbar state and the key-pool summary", async () => {
    const page = await openView(harness);
    await postAndPaint(page, snapshotOf(mixedTree(), { spawningPaused: true }));
    const keys = page.getByRole("button", { name: /^Key pool: openai 3 healthy, 1 cooling, 0 invalid; kimi 2 healthy/ });
    assert.equal(await keys.count(), 1);
    const resume = page.getByRole("button", { name: "Resume Spawning" });
    assert.equal(await resume.getAttribute("aria-pressed"), "true");
    assert.match((await page.locator(".summary").textContent()) ?? "", /spawning paused · 1 starting · 1 queued · 3 running/);
    await clearPosted(page);
    await resume.click();
    await keys.click();
    await page.getByRole("button", { name: "Interrupt All Agents" }).click();
    await page.getByRole("button", { name: "Clear Finished Agents" }).click();
    await page.getByRole("button", { name: "Run Task…" }).click();
    await waitForPosted(page, (m) => m.type === "runCommand" && m.command === "runTask");
    const { postedMessages } = await import("./harness");
    assert.deepEqual(await postedMessages(page), [
      { type: "setSpawningPaused", paused: false },
      { type: "runCommand", command: "showKeyPool" },
      { type: "runCommand", command: "interruptAll" },
      { type: "runCommand", command: "clearFinished" },
      { type: "runCommand", command: "runTask" },
    ]);
    await page.close();
  });

  it("saves light and dark screenshots of a mixed tree", async () => {
    const outDir = join(ROOT, "test-output", "screenshots");
    // The README's copies change only when asked for, so a test run leaves the work tree clean.
    const docsDir = process.env.UPDATE_SCREENSHOTS ? join(ROOT, "docs", "screenshots") : undefined;
    await mkdir(outDir, { recursive: true });
    if (docsDir) await mkdir(docsDir, { recursive: true });
    for (const theme of ["light", "dark"] as const) {
      const page = await openView(harness, { theme, width: 380, height: 760 });
      await postAndPaint(page, snapshotOf(mixedTree()));
      await page.locator('[data-id="tests"] .name').click();
      await page.mouse.move(0, 0);
      await nextPaint(page);
      const file = join(outDir, `agent-tree-${theme}.png`);
      await page.screenshot({ path: file });
      if (docsDir) await copyFile(file, join(docsDir, `agent-tree-${theme}.png`));
      assert.deepEqual(await cspViolations(page), []);
      assert.deepEqual(pageErrors(page), []);
      await page.close();
    }
  });
});
