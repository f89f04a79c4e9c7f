import * as vscode from "vscode";

/**
 * Where the task of "Subagents: Run Task…" comes from when no argument gives
 * it: a single-line input box, or, for a longer task, a Markdown editor (the
 * box's title button opens one) or a multi-line selection in any editor.
 */

export const TASK_HINT =
  '<!-- Subagents: write the task for the root agent below, then run "Subagents: Run Task…" again. This comment is not sent. -->';
export const WRITE_IN_EDITOR_TOOLTIP = "Write a multi-line task in an editor";
export const WRITE_IN_EDITOR_MESSAGE = "Write the task in the editor, then run Subagents: Run Task… again.";
export const RUN_NOW = "Run Task Now";
export const RUN_FROM_EDITOR = "Run the task written in the editor";
export const TYPE_NEW_TASK = "Type a new task…";

export function validateTask(text: string): string | undefined {
  return text.trim() === "" ? "Describe the task for the root agent (it cannot be empty)." : undefined;
}

/** The task in a task document: its text without the hint comment (which the user may have left anywhere at the top). */
export function taskFromDocumentText(text: string): string {
  return text.replace(/^\s*<!-- Subagents:[\s\S]*?-->[ \t]*(\r?\n)?/, "");
}

/** The task documents opened in this session, by URI; a closed one is forgotten when next looked at. */
const taskDocuments = new Map<string, { document: vscode.TextDocument; ranVersion?: number }>();

function taskDocumentEntry(document: vscode.TextDocument) {
  const key = document.uri.toString();
  const entry = taskDocuments.get(key);
  if (entry?.document.isClosed) {
    // Closed since; an untitled name is reused by the next untitled document.
    taskDocuments.delete(key);
    return undefined;
  }
  return entry;
}

/** What the user answered; `text` may still be empty and is checked by the caller. */
export type TaskAnswer = { kind: "text"; text: string; document?: vscode.TextDocument } | { kind: "editor" };

/** The quick single-line box; its title button asks for an editor instead. Undefined on Escape. */
export function askInInputBox(): Promise<TaskAnswer | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = "Subagents: Run Task";
    box.prompt = "What should the root agent do? It can fan the work out to subagents.";
    box.placeholder = "e.g. Find every TODO in src/, group them by area and propose fixes";
    box.ignoreFocusOut = true;
    const writeInEditor: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon("multiple-windows"), tooltip: WRITE_IN_EDITOR_TOOLTIP };
    box.buttons = [writeInEditor];
    let answer: TaskAnswer | undefined;
    const subscriptions = [
      box.onDidChangeValue((value) => (box.validationMessage = validateTask(value))),
      box.onDidAccept(() => {
        const problem = validateTask(box.value);
        if (problem) {
          box.validationMessage = problem;
          return;
        }
        answer = { kind: "text", text: box.value };
        box.hide();
      }),
      box.onDidTriggerButton((button) => {
        if (button !== writeInEditor) return;
        answer = { kind: "editor" };
        box.hide();
      }),
      box.onDidHide(() => {
        for (const s of subscriptions) s.dispose();
        box.dispose();
        resolve(answer);
      }),
    ];
    box.show();
  });
}

/**
 * Opens a fresh task document and waits for "Run Task Now" on the
 * notification; the task is then read from the document. Undefined when the
 * notification is dismissed (the user runs the command again instead).
 */
export async function writeInEditor(): Promise<TaskAnswer | undefined> {
  const document = await vscode.workspace.openTextDocument({ language: "markdown", content: `${TASK_HINT}\n` });
  const entry: { document: vscode.TextDocument; ranVersion?: number } = { document };
  taskDocuments.set(document.uri.toString(), entry);
  const end = document.positionAt(document.getText().length);
  await vscode.window.showTextDocument(document, { preview: false, selection: new vscode.Range(end, end) });
  const choice = await vscode.window.showInformationMessage(WRITE_IN_EDITOR_MESSAGE, RUN_NOW);
  if (choice !== RUN_NOW) return undefined;
  if (document.isClosed) {
    void vscode.window.showWarningMessage("Subagents: the task document was closed; run Subagents: Run Task… to write the task again.");
    return undefined;
  }
  // A late click on an old notification must not start a task that already ran from the same text.
  if (entry.ranVersion === document.version) {
    void vscode.window.showInformationMessage("Subagents: this task already started from the editor.");
    return undefined;
  }
  return { kind: "text", text: taskFromDocumentText(document.getText()), document };
}

/** The task the active editor holds, if any: a task document, or else a multi-line selection. */
function taskInActiveEditor(): { text: string; where: string; document?: vscode.TextDocument } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const { document, selection } = editor;
  if (taskDocumentEntry(document)) return { text: taskFromDocumentText(document.getText()), where: "task document", document };
  if (selection && !selection.isEmpty && !selection.isSingleLine) {
    const text = document.getText(selection);
    if (text.trim() !== "") return { text: taskFromDocumentText(text), where: "selected lines" };
  }
  return undefined;
}

/** Offers the editor's task first when there is one; otherwise (or on "Type a new task…") the input box. */
export async function askForTask(): Promise<TaskAnswer | undefined> {
  const inEditor = taskInActiveEditor();
  if (inEditor) {
    const preview = inEditor.text.trim().split("\n")[0]?.slice(0, 120) ?? "";
    const picked = await vscode.window.showQuickPick(
      [
        { label: RUN_FROM_EDITOR, description: inEditor.where, ...(preview ? { detail: preview } : {}) },
        { label: TYPE_NEW_TASK },
      ],
      { title: "Subagents: Run Task", placeHolder: "Enter runs the task written in the editor" },
    );
    if (!picked) return undefined;
    if (picked.label === RUN_FROM_EDITOR) return { kind: "text", text: inEditor.text, ...(inEditor.document ? { document: inEditor.document } : {}) };
  }
  const answer = await askInInputBox();
  return answer?.kind === "editor" ? writeInEditor() : answer;
}

/** Call when a task from this document starts, so a stale "Run Task Now" does not start it twice. */
export function markTaskStarted(document: vscode.TextDocument | undefined): void {
  const entry = document && taskDocumentEntry(document);
  if (entry) entry.ranVersion = document.version;
}
