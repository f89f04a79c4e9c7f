import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { makeAgent, mixedTree, patchOf, snapshotOf } from "./fixtures";
import {
  clearPosted,
  contextMenuRequests,
  cspViolations,
  openView,
  pageErrors,
  postAndPaint,
  postToView,
  postedMessages,
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

async function openTree(): Promise<Page> {
  const page = await openView(harness);
  await postAndPaint(page, snapshotOf(mixedTree()));
  await clearPosted(page);
  return page;
}

describe("agent tree controls", () => {
  it("row buttons post the matching message for that agent", async () => {
    const page = await openTree();
    const edit = page.locator('[data-id="edit"]');
    await edit.hover();
    await edit.getByRole("button", { name: "Interrupt Move files" }).click();
    await edit.getByRole("button", { name: "Extend timeout of Move files" }).click();
    await edit.getByRole("button", { name: "Open transcript of Move files" }).click();
    const tests = page.locator('[data-id="tests"]');
    await tests.getByRole("button", { name: "Approve command of Run unit tests" }).click();
    await tests.getByRole("button", { name: "Deny command of Run unit tests" }).click();
    assert.deepEqual(await postedMessages(page), [
      { type: "interrupt", agentId: "edit" },
      { type: "extendTimeout", agentId: "edit", seconds: 300 },
      { type: "openTranscript", agentId: "edit" },
      { type: "resolveApproval", agentId: "tests", requestId: "req-1", decision: "approved" },
      { type: "resolveApproval", agentId: "tests", requestId: "req-1", decision: "denied" },
    ]);
    await page.close();
  });

  it("offers only the controls that apply: none to stop a finished agent", async () => {
    const page = await openTree();
    const scan = page.locator('[data-id="scan"]');
    assert.equal(await scan.getByRole("button", { name: "Interrupt Scan imports" }).count(), 0);
    assert.equal(await scan.getByRole("button", { name: "Send message to Scan imports" }).count(), 1);
    assert.equal(await page.locator('[data-id="lint"]').getByRole("button", { name: /Extend timeout/ }).count(), 0, "no limit to extend");
    // "More actions" opens VS Code's native menu for the row, offering what applies to a finished agent.
    const more = scan.getByRole("button", { name: "More actions for Scan imports" });
    await more.click();
    const [request] = await contextMenuRequests(page);
    assert.equal(request?.context["agentId"], "scan");
    const offered = Object.entries(request?.context ?? {}).filter(([k, v]) => k.startsWith("subagents.can.") && v === true).map(([k]) => k);
    assert.deepEqual(offered, ["subagents.can.sendMessage", "subagents.can.openTranscript", "subagents.can.copyResult"]);
    const box = await more.boundingBox();
    assert.ok(box && Math.abs((request?.x ?? 0) - box.x) < 1 && Math.abs((request?.y ?? 0) - (box.y + box.height)) < 1, "the menu opens under the button");
    assert.deepEqual(await postedMessages(page), []);

    // The agent ends while its row is on screen: its Interrupt button goes away with the patch.
    const edit = page.locator('[data-id="edit"]');
    assert.equal(await edit.getByRole("button", { name: "Interrupt Move files" }).count(), 1);
    await postAndPaint(page, patchOf(1, [makeAgent({ id: "edit", name: "Move files", parentId: "root-1", rootId: "root-1", depth: 1, status: "completed" })]));
    assert.equal(await edit.getByRole("button", { name: "Interrupt Move files" }).count(), 0);
    await page.close();
  });

  it("sets a timeout through an inline prompt, validating what was typed", async () => {
    const page = await openTree();
    await page.locator('[data-id="edit"] .name').click();
    await page.locator(".detail").getByRole("button", { name: "Set timeout of Move files" }).click();
    const dialog = page.getByRole("dialog", { name: "Set timeout of Move files" });
    assert.equal(await dialog.isVisible(), true);
    const input = dialog.locator("vscode-textfield input");
    await input.waitFor();
    await page.waitForFunction(() => {
      const active = (globalThis as unknown as { document: { activeElement: { localName: string } | null } }).document.activeElement;
      return active?.localName === "vscode-textfield";
    });
    await page.keyboard.type("ten minutes");
    await page.keyboard.press("Enter");
    assert.match((await dialog.locator(".prompt-hint").textContent()) ?? "", /Type a duration/);
    assert.deepEqual(await postedMessages(page), []);
    // Beyond the one-hour maximum the host would refuse, so the prompt refuses it first.
    await input.fill("1h 30m");
    await input.press("Enter");
    assert.match((await dialog.locator(".prompt-hint").textContent()) ?? "", /from 1s to 1 hour/);
    assert.deepEqual(await postedMessages(page), []);
    await input.fill("45m");
    await input.press("Enter");
    assert.deepEqual(await postedMessages(page), [{ type: "setTimeout", agentId: "edit", seconds: 2700 }]);
    assert.equal(await dialog.isVisible(), false);

    await clearPosted(page);
    await page.locator(".detail").getByRole("button", { name: "Remove timeout of Move files" }).click();
    assert.deepEqual(await postedMessages(page), [{ type: "setTimeout", agentId: "edit", seconds: null }]);
    assert.deepEqual(await cspViolations(page), [], "the element library runs under the strict CSP");
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  it("sends a follow-up message with Ctrl+Enter, and Escape cancels", async () => {
    const page = await openTree();
    const scan = page.locator('[data-id="scan"]');
    await scan.hover();
    await scan.getByRole("button", { name: "Send message to Scan imports" }).click();
    const dialog = page.getByRole("dialog", { name: "Send message to Scan imports" });
    const textarea = dialog.locator("vscode-textarea textarea");
    await textarea.fill("Also scan docs/ please");
    await textarea.press("Control+Enter");
    assert.deepEqual(await postedMessages(page), [{ type: "sendMessage", agentId: "scan", message: "Also scan docs/ please" }]);

    await scan.getByRole("button", { name: "Send message to Scan imports" }).click();
    await dialog.locator("vscode-textarea textarea").fill("never mind");
    await dialog.locator("vscode-textarea textarea").press("Escape");
    assert.equal(await dialog.isVisible(), false);
    assert.equal(await scan.getByRole("button", { name: "Send message to Scan imports" }).evaluate((b) => b === b.ownerDocument.activeElement), true);
    assert.equal((await postedMessages(page)).length, 1);
    await page.close();
  });

  it("does not send a prompt's answer for an agent that has gone", async () => {
    const page = await openTree();
    const docs = page.locator('[data-id="docs"]');
    await docs.locator(".name").click();
    await page.locator(".detail").getByRole("button", { name: "Set timeout of Update docs" }).click();
    const input = page.locator(".prompt vscode-textfield input");
    await input.fill("10m");
    await postAndPaint(page, patchOf(1, [], ["docs"]));
    await input.press("Enter");
    assert.match((await page.locator(".prompt-hint").textContent()) ?? "", /Update docs no longer exists/);
    assert.deepEqual(await postedMessages(page), []);
    await page.close();
  });

  it("shows notices from the host and asks for a snapshot after a lost patch", async () => {
    const page = await openTree();
    await postAndPaint(page, { type: "notice", level: "warning", message: "Scan imports has already finished (completed)." });
    assert.equal(await page.getByRole("status").textContent(), "Scan imports has already finished (completed).");
    await postToView(page, patchOf(5, []));
    await waitForPosted(page, (m) => m.type === "ready");
    assert.deepEqual(await postedMessages(page), [{ type: "ready" }]);
    await page.close();
  });
});
