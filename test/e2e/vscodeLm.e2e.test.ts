import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { buildFakeLmExtension, FAKE_LM_EXTENSION_ID } from "./fakeLmExtension/build";
import { FAKE_DEFINITION_FILE, FAKE_DEFINITION_TEXT, FAKE_LM_LOG, FAKE_MODEL_REF, FAKE_TOOL, LOOKUP_CHILD, PLAIN_CHILD, toolAnswer } from "./fakeLmExtension/script";
import { packageTestExtension } from "./harness/hostTests";
import { E2ESession } from "./harness/session";
import { waitUntil } from "../fakes/polling";

/**
 * A model VS Code offers, end to end: a test-only extension registers a
 * scripted LanguageModelChatProvider and a language model tool in
 * code-server; Run Task lists the model as a `vscode-lm:` ref; the root on
 * it fans out to two children; one calls the VS Code tool after it is
 * approved in the tree; everything completes with the results in the tree.
 * No key is added in this session: the model needs none.
 */

let session: E2ESession;
const vsix = packageTestExtension("subagents-fake-lm", buildFakeLmExtension);
vsix.catch(() => undefined);

const ROOT = "LM fan out on the fake VS Code model";

interface FakeLogEntry {
  kind: "activated" | "request" | "tool" | "completion";
  models?: string[];
  word?: string;
  tools?: string[];
  toolResults?: string[];
  firstUserText?: string;
}

function fakeLog(): FakeLogEntry[] {
  const file = path.join(session.workspace, FAKE_LM_LOG);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as FakeLogEntry);
}

describe("models and tools VS Code offers (code-server)", { timeout: 10 * 60_000 }, () => {
  before(async () => {
    session = await E2ESession.start({
      name: "vscode-lm",
      settings: { "subagents.extensionTools": ["subagents_fake_*"], "subagents.approval.subagents": "ask" },
    });
  });

  after(async () => {
    await session?.close();
  });

  it("Run Task on a vscode-lm model fans out; a child calls the VS Code tool after approval in the tree; all complete with results", { timeout: 300_000 }, async () => {
    await session.scenario("vscode-lm-fan-out", async () => {
      await session.installExtension(await vsix, FAKE_LM_EXTENSION_ID);
      await waitUntil("the fake model extension to activate", () => fakeLog().some((e) => e.kind === "activated"), 60_000);
      const tree = await session.tree();

      await session.workbench.runCommand("Subagents: Run Task…");
      await session.workbench.typeIntoInputBox(ROOT, { title: "Run Task" });
      const labels = await session.workbench.waitForQuickPick({ title: /model for the root agent/, minRows: 2, timeoutMs: 30_000 });
      assert.ok(labels.some((l) => l.includes(FAKE_MODEL_REF)), `the model pick should list ${FAKE_MODEL_REF}, lists: ${labels.join(" | ")}`);
      assert.ok(labels.some((l) => l.includes("test:scripted")), "the configured provider's model is still offered");
      await session.workbench.pickQuickPickItem(FAKE_MODEL_REF);

      await waitUntil(
        async () => `Approve button on ${LOOKUP_CHILD}'s row (buttons: ${(await tree.buttonLabels()).join(" | ")})`,
        () => tree.hasButton(`Approve command of ${LOOKUP_CHILD}`),
        60_000,
      );
      const pendingRow = await tree.rowText(LOOKUP_CHILD);
      assert.match(pendingRow, new RegExp(FAKE_TOOL), `the pending approval names the VS Code tool: ${pendingRow}`);
      assert.ok(!fakeLog().some((e) => e.kind === "tool"), "the tool must not run before it is approved");
      await session.workbench.screenshot("vscode-lm-approval-pending");
      await tree.clickButton(`Approve command of ${LOOKUP_CHILD}`);

      await tree.waitForRow(LOOKUP_CHILD, "Completed", 60_000);
      await tree.waitForRow(PLAIN_CHILD, "Completed", 60_000);
      await tree.waitForRow(ROOT, "Completed", 60_000);

      const log = fakeLog();
      assert.deepEqual(log.filter((e) => e.kind === "tool").map((e) => e.word), ["zebra"], "the tool ran once, with the model's input");
      const lookupRequests = log.filter((e) => e.kind === "request" && (e.firstUserText ?? "").includes("zebra"));
      assert.ok(lookupRequests.every((e) => e.tools?.includes(FAKE_TOOL)), "the child was offered the VS Code tool");
      assert.ok(lookupRequests.some((e) => e.toolResults?.includes(toolAnswer("zebra"))), "the tool's answer reached the model");
      const rootRequests = log.filter((e) => e.kind === "request" && e.tools?.includes("spawn_agent"));
      assert.ok(rootRequests.length >= 2, `the root asked the model at least twice, asked ${rootRequests.length} times`);

      await tree.select(LOOKUP_CHILD);
      const lookupDetail = await tree.detailText();
      assert.ok(lookupDetail.includes(toolAnswer("zebra")), `the child's result in the tree carries the tool's answer: ${lookupDetail.slice(0, 600)}`);
      assert.match(lookupDetail, /vscode-lm:subagents-fake\/fake-agent|subagents-fake\/fake-agent/, "the detail names the model");
      await tree.select(ROOT);
      const rootDetail = await tree.detailText();
      assert.ok(rootDetail.includes("root done; children said:"), `the root's answer is in the tree: ${rootDetail.slice(0, 600)}`);
      assert.ok(rootDetail.includes("hello from the plain child"));
      assert.doesNotMatch(session.extensionLog(), /no API key/i);
    });
  });
  it("completing a definition file offers VS Code's models and tools, as the editor asks for them", { timeout: 180_000 }, async () => {
    await session.scenario("vscode-lm-definition-completion", async () => {
      if (!fakeLog().some((e) => e.kind === "activated")) {
        await session.installExtension(await vsix, FAKE_LM_EXTENSION_ID);
        await waitUntil("the fake model extension to activate", () => fakeLog().some((e) => e.kind === "activated"), 60_000);
      }
      const file = path.join(session.workspace, FAKE_DEFINITION_FILE);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, FAKE_DEFINITION_TEXT);
      await session.workbench.runCommand("Subagents Fake: Complete Definition");
      await waitUntil("the fake extension to log what completion offered", () => fakeLog().some((e) => e.kind === "completion"), 90_000);
      const done = fakeLog().find((e) => e.kind === "completion");
      assert.ok(done?.models?.includes(FAKE_MODEL_REF), `model: completes ${FAKE_MODEL_REF}; offered: ${done?.models?.join(" | ")}`);
      assert.ok(done?.models?.includes("test:scripted"), "the configured provider's model is still offered");
      assert.ok(done?.tools?.includes(`vscode:${FAKE_TOOL}`), `tools: completes vscode:${FAKE_TOOL}; offered: ${done?.tools?.join(" | ")}`);
      assert.ok(done?.tools?.includes("search_text"), "our own tools are still offered");
      assert.ok(!done?.tools?.includes("read_file"), "a tool already listed is not offered again");
    });
  });
});
