import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import * as nodePath from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import type * as vscode from "vscode";
import { silentLogger } from "../../../src/core/common/logger";
import { runTask, type RunTaskDeps } from "../../../src/host/agents/runTask";
import {
  RUN_FROM_EDITOR,
  RUN_NOW,
  TASK_HINT,
  TYPE_NEW_TASK,
  WRITE_IN_EDITOR_MESSAGE,
  WRITE_IN_EDITOR_TOOLTIP,
  taskFromDocumentText,
  validateTask,
} from "../../../src/host/agents/taskInput";
import { createKit, TEST_PROVIDERS, type AgentTestKit } from "../../fakes/agentTestKit";
import { ScriptedModelClient } from "../../fakes/scriptedModelClient";
import { ShimRange, ShimUri } from "../../fakes/vscodeShimClasses";
import { ShimTextDocument } from "../../fakes/vscodeShimDocuments";
import { resetShim, shimState } from "../../fakes/vscodeShim";
import { makeWorkspace } from "./hostTestSupport";

const EMPTY = validateTask("") ?? "";
const MULTI = "Refactor the parser:\n\n- split lexing from parsing\n  - keep the public API\n\nThen run the tests.";

describe("Run Task: where the task comes from", () => {
  const ui = shimState.ui;
  let ws: ReturnType<typeof makeWorkspace>;
  let kit: AgentTestKit;
  let deps: RunTaskDeps;

  const rootTasks = () => kit.service.snapshot().filter((a) => a.parentId === null).map((a) => a.task);
  const lastDocument = () => ui.shownDocuments.at(-1) as unknown as ShimTextDocument;
  /** The user answers the "write it in the editor" notification: types `text` below the hint, then clicks (or not). */
  const answerEditorNotice = (text: string | undefined, click = true) => {
    ui.messageAnswer = (m) => {
      if (m.message !== WRITE_IN_EDITOR_MESSAGE) return undefined;
      if (text !== undefined) lastDocument().typeText(lastDocument().getText() + text);
      return click ? RUN_NOW : undefined;
    };
  };

  beforeEach(() => {
    ws = makeWorkspace();
    resetShim({ root: ws.root });
    // One provider with one model: no model quick pick, so every pick below is the task's.
    kit = createKit(new ScriptedModelClient(() => ({ text: "done" })), { settings: { providers: [TEST_PROVIDERS[0]!] } });
    deps = {
      supervisor: kit.service,
      settings: () => kit.settings,
      storedKeyCount: async () => 1,
      openDocument: async () => undefined,
      logger: silentLogger,
    };
  });

  afterEach(() => {
    kit.service.dispose();
    ws.cleanup();
  });

  it("keeps the single-line input box: same texts, Enter runs, blanks are refused in place", async () => {
    ui.inputAnswers.push("   ", "Find every TODO");
    await runTask(deps);
    assert.deepEqual(rootTasks(), ["Find every TODO"]);
    const box = ui.inputBoxes[0];
    assert.equal(box?.title, "Subagents: Run Task");
    assert.equal(box?.prompt, "What should the root agent do? It can fan the work out to subagents.");
    assert.match(box?.placeHolder ?? "", /^e\.g\. Find every TODO/);
    assert.equal(box?.ignoreFocusOut, true);
    assert.deepEqual(box?.buttons?.map((b) => b.tooltip), [WRITE_IN_EDITOR_TOOLTIP]);
    assert.ok(box?.validationMessages?.includes(EMPTY), "blanks are refused with the message");
    assert.equal(ui.picks.length, 0, "no editor offer without an editor");
    assert.equal(ui.shownDocuments.length, 0);
  });

  it("Escape in the input box runs nothing; an argument skips every question", async () => {
    ui.inputAnswers.push(undefined);
    await runTask(deps);
    assert.deepEqual(rootTasks(), []);
    await runTask(deps, "line one\nline two");
    await runTask(deps, { task: "from a keybinding", model: "alpha:m-alpha" });
    assert.deepEqual(rootTasks(), ["line one\nline two", "from a keybinding"]);
    assert.equal(ui.inputBoxes.length, 1);
    await runTask(deps, "  \n ");
    assert.equal(ui.messages.at(-1)?.message, `Subagents: ${EMPTY}`);
  });

  it("a keyless provider starts at once without keys; a provider that takes keys and has none asks first", async () => {
    deps.storedKeyCount = async () => 0;
    kit.settings.providers = [{ ...TEST_PROVIDERS[0]!, auth: "none" }];
    await runTask(deps, "on the local server");
    assert.deepEqual(rootTasks(), ["on the local server"]);
    assert.equal(ui.messages.filter((m) => /no API key/.test(m.message)).length, 0, "no key warning for a keyless provider");

    kit.settings.providers = [TEST_PROVIDERS[0]!];
    await runTask(deps, "needs a key");
    assert.deepEqual(rootTasks(), ["on the local server"], "dismissing the warning starts nothing");
    const warning = ui.messages.find((m) => /no API key for "alpha"/.test(m.message));
    assert.ok(warning);
    assert.match(warning.message, /"auth": "none"/);
    assert.deepEqual(warning.items, ["Add API Key…", "Open Settings"]);
  });

  it("the model pick lists VS Code's models next to the configured ones; a vscode-lm model starts at once, asking for no key", async () => {
    deps.storedKeyCount = async () => 0;
    deps.vscodeModels = async () => ["vscode-lm:copilot/gpt-5-mini", "alpha:m-alpha"];
    ui.inputAnswers.push("on Copilot");
    ui.pickAnswers.push((items) => items.find((item) => item.label === "vscode-lm:copilot/gpt-5-mini"));
    await runTask(deps);
    const pick = ui.picks.at(-1);
    assert.deepEqual(pick?.items.map((i) => i.label), ["alpha:m-alpha", "vscode-lm:copilot/gpt-5-mini"], "configured first, VS Code's models after, no duplicates");
    assert.equal(pick?.items[1]?.description, "offered by VS Code, no key needed");
    const root = kit.service.snapshot().find((a) => a.task === "on Copilot");
    assert.deepEqual(root && [root.providerId, root.model], ["vscode-lm", "copilot/gpt-5-mini"]);
    assert.equal(ui.messages.filter((m) => /no API key/.test(m.message)).length, 0);
  });

  it("the input box's button opens a Markdown task document; Run Task Now runs it with its newlines, without the hint", async () => {
    ui.inputAnswers.push({ button: WRITE_IN_EDITOR_TOOLTIP });
    answerEditorNotice(`${MULTI}\n`);
    await runTask(deps);
    const doc = lastDocument();
    assert.equal(doc.languageId, "markdown");
    assert.equal(doc.isUntitled, true);
    assert.ok(doc.getText().startsWith(`${TASK_HINT}\n`));
    const notice = ui.messages.find((m) => m.message === WRITE_IN_EDITOR_MESSAGE);
    assert.deepEqual(notice && { items: notice.items, modal: notice.modal, level: notice.level }, { items: [RUN_NOW], modal: false, level: "info" });
    assert.deepEqual(rootTasks(), [MULTI]);
  });

  it("refuses an empty task document with the input box's message", async () => {
    ui.inputAnswers.push({ button: WRITE_IN_EDITOR_TOOLTIP });
    answerEditorNotice("  \n\n");
    await runTask(deps);
    assert.deepEqual(rootTasks(), []);
    assert.equal(ui.messages.at(-1)?.message, `Subagents: ${EMPTY}`);
    assert.equal(ui.messages.at(-1)?.level, "warning");
  });

  it("with a task document active, offers it first; Type a new task… falls back to the input box", async () => {
    ui.inputAnswers.push({ button: WRITE_IN_EDITOR_TOOLTIP });
    answerEditorNotice(MULTI, false); // dismissed: the user writes, then runs the command again
    await runTask(deps);
    assert.deepEqual(rootTasks(), []);

    ui.pickAnswers.push((items) => items[0]);
    await runTask(deps);
    assert.deepEqual(ui.picks[0]?.items.map((i) => i.label), [RUN_FROM_EDITOR, TYPE_NEW_TASK]);
    assert.equal(ui.picks[0]?.items[0]?.detail, "Refactor the parser:");
    assert.deepEqual(rootTasks(), [MULTI]);

    ui.pickAnswers.push((items) => items.find((i) => i.label === TYPE_NEW_TASK));
    ui.inputAnswers.push("a short one");
    await runTask(deps);
    assert.deepEqual(rootTasks(), [MULTI, "a short one"]);

    // Emptied: refused with the same message; Escape on the offer runs nothing.
    lastDocument().typeText(`${TASK_HINT}\n \n`);
    ui.pickAnswers.push((items) => items[0]);
    await runTask(deps);
    assert.equal(ui.messages.at(-1)?.message, `Subagents: ${EMPTY}`);
    await runTask(deps);
    assert.equal(rootTasks().length, 2);

    // A closed task document is no longer offered.
    shimState.documents.close(lastDocument().uri);
    ui.inputAnswers.push(undefined);
    const picks = ui.picks.length;
    await runTask(deps);
    assert.equal(ui.picks.length, picks);
  });

  it("offers a multi-line selection of any editor, not a single-line one", async () => {
    const file = new ShimTextDocument(ShimUri.file(nodePath.join(ws.root, "notes.md")), "# Notes\nfirst step\nsecond step\nend\n", "markdown");
    ui.activeEditor = { document: file, selection: new ShimRange(1, 0, 2, 11) } as unknown as vscode.TextEditor;
    ui.pickAnswers.push((items) => items[0]);
    await runTask(deps);
    assert.equal(ui.picks[0]?.items[0]?.description, "selected lines");
    assert.deepEqual(rootTasks(), ["first step\nsecond step"]);

    ui.activeEditor = { document: file, selection: new ShimRange(1, 0, 1, 10) } as unknown as vscode.TextEditor;
    ui.inputAnswers.push("typed");
    await runTask(deps);
    assert.equal(ui.picks.length, 1);
    assert.deepEqual(rootTasks(), ["first step\nsecond step", "typed"]);
  });

  it("strips only the hint comment", () => {
    assert.equal(taskFromDocumentText(`${TASK_HINT}\nDo it.\n<!-- keep -->`), "Do it.\n<!-- keep -->");
    assert.equal(taskFromDocumentText(`\n${TASK_HINT}\r\nDo it.`), "Do it.");
    assert.equal(taskFromDocumentText("<!-- other -->\nDo it."), "<!-- other -->\nDo it.");
  });
});
