import type * as vscode from "vscode";
import { ShimCancellationTokenSource, ShimDisposable, ShimEventEmitter, ShimRange } from "./vscodeShimClasses";
import { createShimInputBox, type InputAnswer, type InputBoxRecord } from "./vscodeShimInputBox";

/**
 * The user, as far as host tests need one: scripted answers to input boxes,
 * quick picks and message buttons, and a record of everything shown.
 */
type Api = typeof vscode;
type MessageLevel = "info" | "warning" | "error";

export interface ShownMessage {
  level: MessageLevel;
  message: string;
  items: string[];
  modal: boolean;
  detail?: string;
}

export interface ShownProgress {
  title: string;
  reports: string[];
  cancel(): void;
  done: boolean;
}

/** Answers are consumed in order; when none is queued the user presses Escape. */
export interface ShimUi {
  /** For showInputBox and createInputBox; see InputAnswer (a button answer is Escape for showInputBox). */
  inputAnswers: InputAnswer[];
  pickAnswers: Array<(items: readonly vscode.QuickPickItem[]) => vscode.QuickPickItem | undefined>;
  /** Chooses a message button; default: dismiss. */
  messageAnswer: (message: ShownMessage) => string | undefined;
  inputBoxes: InputBoxRecord[];
  picks: Array<{ items: readonly vscode.QuickPickItem[]; options: vscode.QuickPickOptions | undefined }>;
  messages: ShownMessage[];
  progress: ShownProgress[];
  shownDocuments: vscode.TextDocument[];
  /** `window.activeTextEditor`; showTextDocument sets it (selection: the given one, else empty at the start). */
  activeEditor: vscode.TextEditor | undefined;
  statusBarItems: Array<Pick<vscode.StatusBarItem, "text" | "tooltip" | "command" | "backgroundColor"> & { visible: boolean }>;
  logLines: string[];
  executed: Array<{ id: string; args: unknown[] }>;
  window: Partial<Api["window"]>;
  reset(): void;
}

function label(item: string | vscode.MessageItem): string {
  return typeof item === "string" ? item : item.title;
}

async function showMessage(level: MessageLevel, message: string, ...rest: unknown[]): Promise<string | undefined> {
  const options = typeof rest[0] === "object" && rest[0] !== null && !("title" in rest[0]) ? (rest.shift() as vscode.MessageOptions) : {};
  const shown: ShownMessage = { level, message, items: (rest as Array<string | vscode.MessageItem>).map(label), modal: options.modal === true };
  if (options.detail !== undefined) shown.detail = options.detail;
  shimUi.messages.push(shown);
  const answer = shimUi.messageAnswer(shown);
  return answer !== undefined && shown.items.includes(answer) ? answer : undefined;
}

function createLogChannel(name: string): vscode.LogOutputChannel {
  const line = (level: string) => (message: string) => void shimUi.logLines.push(`[${level}] ${message}`);
  const channel: Partial<vscode.LogOutputChannel> = {
    name,
    logLevel: 3,
    onDidChangeLogLevel: new ShimEventEmitter<vscode.LogLevel>().event,
    trace: line("trace"),
    debug: line("debug"),
    info: line("info"),
    warn: line("warning"),
    error: (m: string | Error) => void shimUi.logLines.push(`[error] ${String(m)}`),
    append: (v: string) => void shimUi.logLines.push(v),
    appendLine: (v: string) => void shimUi.logLines.push(v),
    show: () => undefined,
    dispose: () => undefined,
  };
  return channel as vscode.LogOutputChannel;
}

const window = {
  async showInputBox(options?: vscode.InputBoxOptions) {
    shimUi.inputBoxes.push(options ?? {});
    const answer = shimUi.inputAnswers.shift();
    return typeof answer === "string" ? answer : undefined;
  },
  createInputBox: (() => createShimInputBox(shimUi)) as Api["window"]["createInputBox"],
  get activeTextEditor() {
    return shimUi.activeEditor;
  },
  showQuickPick: (async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>, options?: vscode.QuickPickOptions) => {
    const resolved = await items;
    shimUi.picks.push({ items: resolved, options });
    return shimUi.pickAnswers.shift()?.(resolved);
  }) as unknown as Api["window"]["showQuickPick"],
  showInformationMessage: ((message: string, ...rest: unknown[]) => showMessage("info", message, ...rest)) as Api["window"]["showInformationMessage"],
  showWarningMessage: ((message: string, ...rest: unknown[]) => showMessage("warning", message, ...rest)) as Api["window"]["showWarningMessage"],
  showErrorMessage: ((message: string, ...rest: unknown[]) => showMessage("error", message, ...rest)) as Api["window"]["showErrorMessage"],
  showTextDocument: (async (document: vscode.TextDocument, options?: vscode.TextDocumentShowOptions) => {
    shimUi.shownDocuments.push(document);
    const at = options?.selection ?? new ShimRange(0, 0, 0, 0);
    const editor = { document, selection: new ShimRange(at.start, at.end) } as unknown as vscode.TextEditor;
    shimUi.activeEditor = editor;
    return editor;
  }) as unknown as Api["window"]["showTextDocument"],
  async withProgress<R>(
    options: vscode.ProgressOptions,
    task: (progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken) => Thenable<R>,
  ): Promise<R> {
    const source = new ShimCancellationTokenSource();
    const shown: ShownProgress = { title: options.title ?? "", reports: [], cancel: () => source.cancel(), done: false };
    shimUi.progress.push(shown);
    try {
      return await task({ report: (v) => void (v.message !== undefined && shown.reports.push(v.message)) }, source.token);
    } finally {
      shown.done = true;
    }
  },
  createStatusBarItem: ((..._args: unknown[]) => {
    const item = { text: "", tooltip: undefined, command: undefined, backgroundColor: undefined, visible: false, name: "" } as ShimUi["statusBarItems"][number] & { name: string };
    shimUi.statusBarItems.push(item);
    return Object.assign(item, {
      show: () => void (item.visible = true),
      hide: () => void (item.visible = false),
      dispose: () => void (item.visible = false),
    }) as unknown as vscode.StatusBarItem;
  }) as Api["window"]["createStatusBarItem"],
  createOutputChannel: createLogChannel as unknown as Api["window"]["createOutputChannel"],
  registerWebviewViewProvider: () => new ShimDisposable(() => undefined),
} satisfies Partial<Api["window"]>;

export const shimUi: ShimUi = {
  inputAnswers: [],
  pickAnswers: [],
  messageAnswer: () => undefined,
  inputBoxes: [],
  picks: [],
  messages: [],
  progress: [],
  shownDocuments: [],
  activeEditor: undefined,
  statusBarItems: [],
  logLines: [],
  executed: [],
  window,
  reset() {
    this.inputAnswers = [];
    this.pickAnswers = [];
    this.messageAnswer = () => undefined;
    this.inputBoxes = [];
    this.picks = [];
    this.messages = [];
    this.progress = [];
    this.shownDocuments = [];
    this.activeEditor = undefined;
    this.statusBarItems = [];
    this.logLines = [];
    this.executed = [];
  },
};
