import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ScriptedReply, ScriptedRequest } from "../fixtures/fakeOpenAiServer";
import { taskOf } from "./harness/model";
import { E2ESession, makeTestKeys } from "./harness/session";
import {
  clickNotificationAction,
  clickQuickInputButton,
  editorHasFocus,
  quickOpenFile,
  textIfVisible,
  type AgentTreeView,
} from "./harness/workbench";
import { waitUntil } from "../fakes/polling";

/**
 * Scenario 9 in its own code-server: multi-line tasks for "Subagents: Run
 * Task…". (a) The input box's "Write a multi-line task in an editor" button
 * opens an untitled Markdown task document with a hint comment and a "Run
 * Task Now" notification; three typed lines reach the model with their
 * newlines and without the hint. (b) A multi-line selection in an editor is
 * offered as "Run the task written in the editor" and runs as the task.
 */

// The strings of src/host/agents/taskInput.ts (it imports vscode, so it cannot be loaded here).
const WRITE_IN_EDITOR_TOOLTIP = "Write a multi-line task in an editor";
const WRITE_IN_EDITOR_MESSAGE = /Write the task in the editor, then run Subagents: Run Task… again\./;
const RUN_NOW = "Run Task Now";
const RUN_FROM_EDITOR = "Run the task written in the editor";
const TYPE_NEW_TASK = "Type a new task…";
const HINT_START = "<!-- Subagents: write the task for the root agent below";
const HINT_TAIL = "This comment is not sent.";

/** Typed into the task document one by one, Enter between them. Each first line is short enough to be the row's name. */
const EDITOR_TASK = ["S9 multi-line task from the editor", "Second line: list the exported functions of src", "Third line: answer in one sentence"];
const EDITOR_ANSWER = "S9 editor root answer: add is the only export.";

/** A notes file: only its middle three lines are selected and run. */
const SELECTED_TASK = ["S9 selected lines task", "Second selected line: read the math module", "Third selected line: reply with one word"];
const NOTES_FILE = "s9-task-notes.md";
const NOTES = ["# Notes not part of the task", ...SELECTED_TASK, "Trailing line not part of the task", ""].join("\n");
const SELECTION_ANSWER = "S9 selection root answer: done.";

let session: E2ESession;
/** Every model request the fake server got, in order. */
const seen: ScriptedRequest[] = [];

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part === "object" && part && "text" in part ? String((part as { text: unknown }).text) : "")).join("");
  return "";
}

/** All the text a request carried (every message), to prove the hint never left the editor. */
function allMessages(request: ScriptedRequest): string {
  return request.messages.map((m) => contentText(m.content)).join("\n");
}

function rootRequest(firstLine: string): ScriptedRequest | undefined {
  return seen.find((r) => taskOf(r).includes(firstLine));
}

async function clearedTree(): Promise<AgentTreeView> {
  const wb = session.workbench;
  await wb.closeQuickInput();
  await wb.clearNotifications();
  const tree = await session.tree();
  await tree.clearFinished();
  await tree.waitForEmpty();
  return tree;
}

/** The root finished: Completed in the tree, its answer open in an editor, the "finished in" notification. */
async function expectCompleted(tree: AgentTreeView, name: string, answer: string): Promise<void> {
  const wb = session.workbench;
  await tree.waitForRow(name, "Completed", 60_000);
  const rows = await tree.rows();
  assert.deepEqual(
    rows.map((r) => `${r.level}:${r.name}`),
    [`1:${name}`],
    `the tree should show only the root, named after the task's first line; shows: ${rows.map((r) => r.label).join(" | ")}`,
  );
  await waitUntil(
    async () => `the root's answer to open (active tab: "${await wb.activeTabTitle()}")`,
    async () => /result/i.test(await wb.activeTabTitle()) && (await wb.activeEditorText()).includes(answer),
    20_000,
  );
  await wb.waitForNotification(/finished in/);
}

/** The active tab's whole text: its title and its description. */
async function activeTabText(): Promise<string> {
  const tab = session.workbench.page.locator(".part.editor .tab.active").first();
  return textIfVisible(tab);
}

function assertTaskSent(request: ScriptedRequest | undefined, lines: readonly string[], what: string): void {
  assert.ok(request, `the model server never got the root's request for ${what} (it got ${seen.length} request(s): ${seen.map((r) => JSON.stringify(taskOf(r).slice(0, 60))).join(", ")})`);
  const task = taskOf(request);
  // A root has no parent context, so its first user message is exactly the task (trimmed).
  assert.equal(task, lines.join("\n"), `the root's task should be the three lines joined by newlines; it was:\n${JSON.stringify(task)}`);
  const everything = allMessages(request);
  assert.ok(!everything.includes(HINT_START) && !everything.includes(HINT_TAIL), `the hint comment must not reach the model; the request held:\n${JSON.stringify(everything.slice(0, 2000))}`);
}

describe("Subagents multi-line Run Task (code-server)", { timeout: 10 * 60_000 }, () => {
  before(async () => {
    session = await E2ESession.start({
      name: "multiline",
      fakeServer: {
        script: (request): ScriptedReply => {
          seen.push(request);
          const task = taskOf(request);
          if (task.includes(EDITOR_TASK[0] ?? "?")) return { text: EDITOR_ANSWER };
          if (task.includes(SELECTED_TASK[0] ?? "?")) return { text: SELECTION_ANSWER };
          return { text: `unexpected request for task: ${task.slice(0, 80)}` };
        },
      },
    });
    // A stored key, so Run Task asks nothing more before it starts.
    await session.addKeys(makeTestKeys(1));
    // Extra files go into the temp copy of the sample workspace, never into the committed one.
    writeFileSync(path.join(session.workspace, NOTES_FILE), NOTES);
  });

  after(async () => {
    await session?.close();
  });

  it("9a: the input box's button opens a Markdown task document; three typed lines run with their newlines and without the hint", { timeout: 180_000 }, async () => {
    await session.scenario("9-multiline-editor", async () => {
      const wb = session.workbench;
      const tree = await clearedTree();

      await wb.runCommand("Subagents: Run Task…");
      await wb.waitForInputBox({ title: "Run Task" });
      await clickQuickInputButton(wb, WRITE_IN_EDITOR_TOOLTIP);

      // An untitled Markdown document holding the hint, with the cursor under it, and the notification.
      await waitUntil(
        async () => `an untitled task document with the hint (active tab: "${await activeTabText()}", text: ${JSON.stringify((await wb.activeEditorText()).slice(0, 200))})`,
        async () => /Untitled-\d+/.test(await activeTabText()) && (await wb.activeEditorText()).includes(HINT_START),
        15_000,
      );
      // Focus first: looking for the notification in the notification centre would take it.
      await waitUntil("the task document to have the keyboard focus", () => editorHasFocus(wb), 10_000);
      await wb.waitForNotification(WRITE_IN_EDITOR_MESSAGE, 15_000);
      const language = await wb.page.locator(".part.statusbar .statusbar-item", { hasText: /^\s*Markdown\s*$/ }).first().isVisible();
      assert.ok(language, "the status bar should show the task document's language as Markdown");
      assert.ok(!(await wb.isQuickInputVisible()), "the input box should close when the editor opens");
      // Had the notification centre been opened to find the message, focus goes back to the editor, cursor kept.
      if (!(await editorHasFocus(wb))) await wb.runCommand("View: Focus Active Editor Group");

      for (const [i, line] of EDITOR_TASK.entries()) {
        if (i > 0) await wb.page.keyboard.press("Enter");
        await wb.page.keyboard.type(line);
      }
      await waitUntil(
        async () => `the three typed lines in the task document (it shows: ${JSON.stringify(await wb.activeEditorText())})`,
        async () => {
          const text = await wb.activeEditorText();
          return EDITOR_TASK.every((line) => text.includes(line)) && text.includes(HINT_START);
        },
        10_000,
      );
      await wb.screenshot("9-multiline-editor-written");
      assert.equal(rootRequest(EDITOR_TASK[0] ?? "?"), undefined, "nothing may run before Run Task Now");

      await clickNotificationAction(wb, WRITE_IN_EDITOR_MESSAGE, RUN_NOW);
      await tree.waitForRow(EDITOR_TASK[0] ?? "?", undefined, 30_000);
      await expectCompleted(tree, EDITOR_TASK[0] ?? "?", EDITOR_ANSWER);
      assertTaskSent(rootRequest(EDITOR_TASK[0] ?? "?"), EDITOR_TASK, "the task typed in the editor");
    });
  });

  it("9b: a multi-line selection is offered as \"Run the task written in the editor\" and runs as the task", { timeout: 180_000 }, async () => {
    await session.scenario("9-multiline-selection", async () => {
      const wb = session.workbench;
      const tree = await clearedTree();

      await quickOpenFile(wb, NOTES_FILE);
      await waitUntil("the notes editor to have the keyboard focus", () => editorHasFocus(wb), 10_000);
      // Lines 2–4: from the start of line 2 to the end of line 4.
      await wb.page.keyboard.press("Control+Home");
      await wb.page.keyboard.press("ArrowDown");
      await wb.page.keyboard.press("Shift+ArrowDown");
      await wb.page.keyboard.press("Shift+ArrowDown");
      await wb.page.keyboard.press("Shift+End");
      await waitUntil("the selection to show in the editor", async () => (await wb.page.locator(".part.editor .monaco-editor .selected-text").count()) > 0, 5_000);

      await wb.runCommand("Subagents: Run Task…");
      const labels = await wb.waitForQuickPick({ title: "Run Task", minRows: 2 });
      const shown = await wb.quickPickText();
      await wb.screenshot("9-multiline-selection-offered");
      assert.ok(labels.some((l) => l.includes(RUN_FROM_EDITOR)), `the quick pick should offer "${RUN_FROM_EDITOR}", offers: ${labels.join(" | ")}`);
      assert.ok(labels.some((l) => l.includes(TYPE_NEW_TASK)), `the quick pick should offer "${TYPE_NEW_TASK}", offers: ${labels.join(" | ")}`);
      assert.match(shown, /selected lines/, `the offer should say it comes from the selected lines; the quick pick shows:\n${shown}`);
      assert.ok(shown.includes(SELECTED_TASK[0] ?? "?"), `the offer should preview the selection's first line; the quick pick shows:\n${shown}`);

      await wb.pickQuickPickItem(RUN_FROM_EDITOR);
      await tree.waitForRow(SELECTED_TASK[0] ?? "?", undefined, 30_000);
      await expectCompleted(tree, SELECTED_TASK[0] ?? "?", SELECTION_ANSWER);
      const request = rootRequest(SELECTED_TASK[0] ?? "?");
      assertTaskSent(request, SELECTED_TASK, "the selected lines");
      const task = taskOf(request as ScriptedRequest);
      assert.ok(!task.includes("Notes not part of the task") && !task.includes("Trailing line not part of the task"), `only the selected lines are the task; it was:\n${JSON.stringify(task)}`);
    });
  });
});
