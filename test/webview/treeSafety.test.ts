import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { makeAgent, snapshotOf } from "./fixtures";
import { cspViolations, nextPaint, openView, pageErrors, postAndPaint, postToView, startHarness, type WebviewHarness } from "./harness";

let harness: WebviewHarness;
before(async () => {
  harness = await startHarness();
});
after(async () => {
  await harness.close();
});

const HOSTILE = [
  "Done. <img src=x onerror=\"globalThis.__pwned = 'img'\">",
  "<script>globalThis.__pwned = 'script'</script>",
  "[click me](javascript:globalThis.__pwned='link')",
  "<a href=\"javascript:globalThis.__pwned='a'\">raw link</a>",
  "<svg onload=\"globalThis.__pwned='svg'\"></svg>",
  "<iframe src=\"data:text/html,<script>parent.__pwned='iframe'</script>\"></iframe>",
  "![tracker](https://example.invalid/pixel.png)",
  "<style>body{display:none}</style>",
  "**bold** and `code`",
].join("\n\n");

describe("agent tree safety", () => {
  it("renders model output as sanitised Markdown: nothing executes, raw HTML shows as text", async () => {
    const page = await openView(harness);
    await postAndPaint(
      page,
      snapshotOf([
        makeAgent({
          id: "evil",
          name: "<b onmouseover=\"globalThis.__pwned='name'\">Evil</b>",
          status: "completed",
          task: HOSTILE,
          result: HOSTILE,
          error: HOSTILE,
          currentTool: "<img src=x onerror=\"globalThis.__pwned='tool'\">",
          recentTools: [{ name: "<script>x</script>", preview: "<img src=x onerror=\"globalThis.__pwned='preview'\">", ok: true }],
        }),
      ]),
    );
    await page.locator('[data-id="evil"]').click();
    await page.locator('[data-id="evil"]').hover();
    await nextPaint(page);

    assert.equal(await page.evaluate(() => (globalThis as unknown as { __pwned?: string }).__pwned), undefined);
    const found = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document;
      return {
        scripts: doc.querySelectorAll("#app script").length,
        images: doc.querySelectorAll("#app img").length,
        svgs: doc.querySelectorAll("#app svg").length,
        iframes: doc.querySelectorAll("#app iframe").length,
        styles: doc.querySelectorAll("#app style").length,
        handlers: doc.querySelectorAll("#app [onerror], #app [onload], #app [onmouseover]").length,
        jsLinks: doc.querySelectorAll('#app a[href^="javascript"]').length,
      };
    });
    assert.deepEqual(found, { scripts: 0, images: 0, svgs: 0, iframes: 0, styles: 0, handlers: 0, jsLinks: 0 });
    const result = page.locator(".detail-result .markdown");
    assert.equal(await result.locator("strong").first().textContent(), "bold");
    assert.equal(await result.locator("code").first().textContent(), "code");
    assert.match((await result.textContent()) ?? "", /<img src=x onerror=/, "raw HTML is visible as text");
    assert.equal(await page.locator(".detail-name").textContent(), "<b onmouseover=\"globalThis.__pwned='name'\">Evil</b>");
    assert.deepEqual(await cspViolations(page), [], "nothing even tried to load or run");
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it("ignores malformed host messages and keeps working", async () => {
    const page = await openView(harness);
    for (const junk of [
      { type: "snapshot" },
      { type: "patch", seq: 1, hostNow: 0, upserts: [{ id: "x" }], removed: [] },
      { type: "notice", level: "panic", message: "x" },
      { type: "html", html: "<img src=x onerror=alert(1)>" },
    ]) {
      await postToView(page, junk);
    }
    await page.evaluate(() => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage("just a string", "*"));
    await postAndPaint(page, snapshotOf([makeAgent({ id: "ok", name: "Still fine" })]));
    assert.equal(await page.getByRole("treeitem", { name: "Still fine, Running" }).count(), 1);
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });
});
