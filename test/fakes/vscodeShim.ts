import { readdirSync } from "node:fs";
import * as fsp from "node:fs/promises";
import * as nodePath from "node:path";
import type * as vscode from "vscode";
import {
  ShimCancellationTokenSource,
  ShimDisposable,
  ShimEventEmitter,
  ShimPosition,
  ShimRange,
  ShimRelativePattern,
  ShimThemeColor,
  ShimThemeIcon,
  ShimUri,
  ShimWorkspaceEdit,
} from "./vscodeShimClasses";
import { ShimDocuments } from "./vscodeShimDocuments";
import { shimUi, type ShimUi } from "./vscodeShimUi";

/**
 * A stand-in for the `vscode` module in plain-Node host tests, loaded in its
 * place by `vscodeModule.ts`. Each namespace `satisfies` a Partial of the real
 * one, so every member here exists in VS Code with the same type. Tests drive
 * it through `shimState` (workspace, settings, trust, diagnostics) and
 * `shimUi` (answers to input boxes, picks and messages; what was shown).
 */
type Api = typeof vscode;

export const shimState = {
  folders: [] as vscode.WorkspaceFolder[],
  trusted: true,
  appRoot: "",
  /** User (global) settings. */
  config: new Map<string, unknown>(),
  /** Workspace settings (`.vscode/settings.json`, or the .code-workspace file when `workspaceFile` is set). */
  workspaceConfig: new Map<string, unknown>(),
  /** Folder settings (`<folder>/.vscode/settings.json` in a multi-root workspace). */
  folderConfig: new Map<string, unknown>(),
  workspaceFile: undefined as vscode.Uri | undefined,
  documents: new ShimDocuments(),
  contentProviders: new Map<string, vscode.TextDocumentContentProvider>(),
  diagnostics: new Map<string, vscode.Diagnostic[]>(),
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  configEvents: new ShimEventEmitter<vscode.ConfigurationChangeEvent>(),
  trustEvents: new ShimEventEmitter<void>(),
  /** Fire to simulate a file change seen by file system watchers (filtered by each watcher's glob). */
  fileEvents: new ShimEventEmitter<{ kind: "create" | "change" | "delete"; uri: vscode.Uri }>(),
  openDocumentEvents: new ShimEventEmitter<vscode.TextDocument>(),
  folderEvents: new ShimEventEmitter<vscode.WorkspaceFoldersChangeEvent>(),
  /** Tools registered with `vscode.lm.registerTool`, by name. */
  lmTools: new Map<string, vscode.LanguageModelTool<unknown>>(),
  /** What `vscode.lm.tools` says about a registered tool (its package.json declaration in VS Code). */
  lmToolInfo: new Map<string, { description: string; inputSchema?: object }>(),
  /** Handlers of `vscode.chat.createChatParticipant`, by participant id. */
  chatParticipants: new Map<string, vscode.ChatRequestHandler>(),
  ui: shimUi as ShimUi,
};

/** Fresh state for one test: a workspace folder (if given), no settings, trusted. */
export function resetShim(options: { root?: string; appRoot?: string } = {}): void {
  shimState.folders = options.root ? [{ uri: ShimUri.file(options.root), name: nodePath.basename(options.root), index: 0 }] : [];
  shimState.trusted = true;
  shimState.appRoot = options.appRoot ?? "";
  shimState.config.clear();
  shimState.workspaceConfig.clear();
  shimState.folderConfig.clear();
  shimState.workspaceFile = undefined;
  shimState.documents = new ShimDocuments();
  shimState.contentProviders.clear();
  shimState.diagnostics.clear();
  shimState.commands.clear();
  shimState.lmTools.clear();
  shimState.lmToolInfo.clear();
  shimState.chatParticipants.clear();
  shimUi.reset();
}

/** Sets `section.key` (in user settings unless `target` says otherwise) and fires onDidChangeConfiguration like the settings editor does. */
export function setConfig(fullKey: string, value: unknown, target: "user" | "workspace" | "folder" = "user"): void {
  const map = target === "user" ? shimState.config : target === "workspace" ? shimState.workspaceConfig : shimState.folderConfig;
  if (value === undefined) map.delete(fullKey);
  else map.set(fullKey, value);
  shimState.configEvents.fire({ affectsConfiguration: (section: string) => fullKey === section || fullKey.startsWith(`${section}.`) });
}

function configuration(section?: string): vscode.WorkspaceConfiguration {
  const full = (key: string) => (section ? `${section}.${key}` : key);
  // VS Code merges folder over workspace over user values in get(); inspect() shows each layer.
  const merged = (key: string): unknown =>
    shimState.folderConfig.get(full(key)) ?? shimState.workspaceConfig.get(full(key)) ?? shimState.config.get(full(key));
  const config: Pick<vscode.WorkspaceConfiguration, "get" | "has" | "inspect"> = {
    get: <T>(key: string, fallback?: T): T | undefined => (merged(key) as T | undefined) ?? fallback,
    has: (key: string) => merged(key) !== undefined,
    inspect: <T>(key: string) => {
      const layers: { key: string; globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T } = { key: full(key) };
      const layer = (map: Map<string, unknown>) => map.get(full(key)) as T | undefined;
      if (layer(shimState.config) !== undefined) layers.globalValue = layer(shimState.config) as T;
      if (layer(shimState.workspaceConfig) !== undefined) layers.workspaceValue = layer(shimState.workspaceConfig) as T;
      if (layer(shimState.folderConfig) !== undefined) layers.workspaceFolderValue = layer(shimState.folderConfig) as T;
      return layers;
    },
  };
  return config as vscode.WorkspaceConfiguration;
}

function walk(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((d) => d.isFile())
    .map((d) => nodePath.join(d.parentPath, d.name));
}

async function findFiles(include: vscode.GlobPattern, exclude?: vscode.GlobPattern | null, maxResults?: number): Promise<vscode.Uri[]> {
  const base = typeof include === "string" ? (shimState.folders[0]?.uri.fsPath ?? "") : include.baseUri.fsPath;
  const pattern = typeof include === "string" ? include : include.pattern;
  const excludes =
    exclude === null
      ? []
      : exclude !== undefined
        ? [typeof exclude === "string" ? exclude : exclude.pattern]
        : Object.entries(configuration("files").get<Record<string, boolean>>("exclude") ?? {})
            .filter(([, on]) => on)
            .map(([p]) => p);
  const out: vscode.Uri[] = [];
  for (const file of walk(base)) {
    const rel = nodePath.relative(base, file).split(nodePath.sep).join("/");
    const parts = rel.split("/");
    const excluded = excludes.some((ex) => parts.some((_, i) => nodePath.matchesGlob(parts.slice(0, i + 1).join("/"), ex)));
    if (!excluded && nodePath.matchesGlob(rel, pattern)) out.push(ShimUri.file(file));
    if (maxResults !== undefined && out.length >= maxResults) break;
  }
  return out;
}

async function openTextDocument(arg?: vscode.Uri | string | { language?: string; content?: string }): Promise<vscode.TextDocument> {
  let doc;
  if (arg === undefined || (typeof arg === "object" && !("scheme" in arg))) {
    doc = shimState.documents.openUntitled(arg?.content ?? "", arg?.language ?? "plaintext");
  } else {
    const uri = typeof arg === "string" ? ShimUri.file(arg) : arg;
    const provider = shimState.contentProviders.get(uri.scheme);
    if (provider) {
      const text = await provider.provideTextDocumentContent(uri, new ShimCancellationTokenSource().token);
      doc = shimState.documents.openVirtual(uri, text ?? "");
    } else {
      doc = shimState.documents.openFile(uri);
    }
  }
  return doc as unknown as vscode.TextDocument;
}

const FILE_TYPE = { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 } satisfies typeof vscode.FileType;

function fsError(error: unknown, uri: vscode.Uri): Error {
  const code = (error as { code?: string }).code ?? "Unknown";
  return Object.assign(new Error(`${code}: ${uri.toString()}`), { code: code === "ENOENT" ? "FileNotFound" : code });
}

/** `workspace.fs` over the real disk (file URIs only). */
const fileSystem = {
  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    try {
      const st = await fsp.stat(uri.fsPath);
      return { type: st.isDirectory() ? FILE_TYPE.Directory : FILE_TYPE.File, ctime: st.ctimeMs, mtime: st.mtimeMs, size: st.size };
    } catch (error) {
      throw fsError(error, uri);
    }
  },
  async readDirectory(uri: vscode.Uri): Promise<Array<[string, vscode.FileType]>> {
    try {
      const entries = await fsp.readdir(uri.fsPath, { withFileTypes: true });
      return entries.map((e) => [e.name, e.isDirectory() ? FILE_TYPE.Directory : e.isFile() ? FILE_TYPE.File : FILE_TYPE.Unknown]);
    } catch (error) {
      throw fsError(error, uri);
    }
  },
  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    try {
      return new Uint8Array(await fsp.readFile(uri.fsPath));
    } catch (error) {
      throw fsError(error, uri);
    }
  },
  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    await fsp.writeFile(uri.fsPath, content);
  },
  async createDirectory(uri: vscode.Uri): Promise<void> {
    await fsp.mkdir(uri.fsPath, { recursive: true });
  },
};

function createFileSystemWatcher(glob: vscode.GlobPattern): vscode.FileSystemWatcher {
  const pattern = typeof glob === "string" ? glob : `${glob.baseUri.path}/${glob.pattern}`;
  const on = (kind: "create" | "change" | "delete"): vscode.Event<vscode.Uri> => (listener) =>
    shimState.fileEvents.event((e) => {
      if (e.kind === kind && nodePath.matchesGlob(e.uri.path, pattern)) listener(e.uri);
    });
  const watcher: Partial<vscode.FileSystemWatcher> = {
    ignoreCreateEvents: false,
    ignoreChangeEvents: false,
    ignoreDeleteEvents: false,
    onDidCreate: on("create"),
    onDidChange: on("change"),
    onDidDelete: on("delete"),
    dispose: () => undefined,
  };
  return watcher as vscode.FileSystemWatcher;
}

export const workspace = {
  get workspaceFolders() {
    return shimState.folders.length > 0 ? shimState.folders : undefined;
  },
  get isTrusted() {
    return shimState.trusted;
  },
  get workspaceFile() {
    return shimState.workspaceFile;
  },
  get textDocuments() {
    return shimState.documents.open as unknown as readonly vscode.TextDocument[];
  },
  onDidChangeConfiguration: shimState.configEvents.event,
  onDidOpenTextDocument: shimState.openDocumentEvents.event,
  onDidChangeWorkspaceFolders: shimState.folderEvents.event,
  fs: fileSystem as unknown as vscode.FileSystem,
  createFileSystemWatcher: createFileSystemWatcher as Api["workspace"]["createFileSystemWatcher"],
  onDidGrantWorkspaceTrust: shimState.trustEvents.event,
  getConfiguration: configuration,
  findFiles,
  openTextDocument: openTextDocument as Api["workspace"]["openTextDocument"],
  applyEdit: async (edit: vscode.WorkspaceEdit) => shimState.documents.apply(edit as unknown as ShimWorkspaceEdit),
  save: async (uri: vscode.Uri) => ((await shimState.documents.get(uri)?.save()) ? uri : undefined),
  registerTextDocumentContentProvider(scheme: string, provider: vscode.TextDocumentContentProvider) {
    shimState.contentProviders.set(scheme, provider);
    return new ShimDisposable(() => shimState.contentProviders.delete(scheme));
  },
} satisfies Partial<Api["workspace"]>;

function getDiagnostics(resource?: vscode.Uri): unknown {
  if (resource) return shimState.diagnostics.get(resource.fsPath) ?? [];
  return [...shimState.diagnostics.entries()].map(([p, d]) => [ShimUri.file(p), d]);
}

export const languages = {
  getDiagnostics: getDiagnostics as Api["languages"]["getDiagnostics"],
} satisfies Partial<Api["languages"]>;

export const commands = {
  registerCommand(id: string, handler: (...args: unknown[]) => unknown) {
    if (shimState.commands.has(id)) throw new Error(`command '${id}' already exists`);
    shimState.commands.set(id, handler);
    return new ShimDisposable(() => shimState.commands.delete(id));
  },
  async executeCommand<T>(id: string, ...args: unknown[]): Promise<T> {
    shimUi.executed.push({ id, args });
    const handler = shimState.commands.get(id);
    return (handler ? await handler(...args) : undefined) as T;
  },
} satisfies Partial<Api["commands"]>;

let clipboardText = "";

export const env = {
  get appRoot() {
    return shimState.appRoot;
  },
  clipboard: {
    readText: async () => clipboardText,
    writeText: async (text: string) => void (clipboardText = text),
  },
} satisfies Partial<Api["env"]>;

export const window = shimUi.window;

export const lm = {
  registerTool<T>(name: string, tool: vscode.LanguageModelTool<T>) {
    if (shimState.lmTools.has(name)) throw new Error(`tool '${name}' already registered`);
    shimState.lmTools.set(name, tool as vscode.LanguageModelTool<unknown>);
    return new ShimDisposable(() => shimState.lmTools.delete(name));
  },
  /** Every registered tool, described like VS Code does (description and schema from `toolInfo`, when a test set it). */
  get tools(): readonly vscode.LanguageModelToolInformation[] {
    return [...shimState.lmTools.keys()].map((name) => ({ name, description: shimState.lmToolInfo.get(name)?.description ?? "", inputSchema: shimState.lmToolInfo.get(name)?.inputSchema, tags: [] }));
  },
  async invokeTool(name: string, options: vscode.LanguageModelToolInvocationOptions<object>, token?: vscode.CancellationToken) {
    const tool = shimState.lmTools.get(name);
    if (!tool) throw new Error(`Tool ${name} was not contributed`);
    const result = await tool.invoke(options, token ?? new ShimCancellationTokenSource().token);
    if (!result) throw new Error(`Tool ${name} returned nothing`);
    return result;
  },
} satisfies Partial<Api["lm"]>;

export const chat = {
  createChatParticipant(id: string, handler: vscode.ChatRequestHandler) {
    if (shimState.chatParticipants.has(id)) throw new Error(`chat participant '${id}' already exists`);
    shimState.chatParticipants.set(id, handler);
    const disposable = new ShimDisposable(() => shimState.chatParticipants.delete(id));
    return Object.assign(disposable, { id, requestHandler: handler, iconPath: undefined as unknown }) as unknown as vscode.ChatParticipant;
  },
} satisfies Partial<Api["chat"]>;

/** Enough of MarkdownString for chat output: appendText escapes markdown like VS Code's does. */
export class MarkdownString {
  isTrusted: boolean | { readonly enabledCommands: readonly string[] } | undefined;
  constructor(
    public value = "",
    public supportThemeIcons = false,
  ) {}
  appendText(text: string): this {
    this.value += text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, "\\$&");
    return this;
  }
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
}

export class LanguageModelTextPart {
  constructor(public value: string) {}
}

export class LanguageModelToolCallPart {
  constructor(
    public callId: string,
    public name: string,
    public input: object,
  ) {}
}

export class LanguageModelToolResultPart {
  constructor(
    public callId: string,
    public content: unknown[],
  ) {}
}

export const LanguageModelChatMessageRole = { User: 1, Assistant: 2 } as const;

export class LanguageModelChatMessage {
  constructor(
    public role: number,
    public content: unknown[],
  ) {}
  static User(content: string | unknown[]): LanguageModelChatMessage {
    return new LanguageModelChatMessage(1, typeof content === "string" ? [new LanguageModelTextPart(content)] : content);
  }
  static Assistant(content: string | unknown[]): LanguageModelChatMessage {
    return new LanguageModelChatMessage(2, typeof content === "string" ? [new LanguageModelTextPart(content)] : content);
  }
}

/** VS Code's error of a model request; `code` is e.g. "NoPermissions", "Blocked", "NotFound". */
export class LanguageModelError extends Error {
  constructor(
    message: string,
    public readonly code: string,
  ) {
    super(message);
  }
}

export class LanguageModelPromptTsxPart {
  constructor(public value: unknown) {}
}

export class LanguageModelToolResult {
  constructor(public content: unknown[]) {}
}

export const Uri = ShimUri;
export const Position = ShimPosition;
export const Range = ShimRange;
export const WorkspaceEdit = ShimWorkspaceEdit;
export const EventEmitter = ShimEventEmitter;
export const Disposable = ShimDisposable;
export const RelativePattern = ShimRelativePattern;
export const ThemeColor = ShimThemeColor;
export const ThemeIcon = ShimThemeIcon;
export const CancellationTokenSource = ShimCancellationTokenSource;
export const StatusBarAlignment = { Left: 1, Right: 2 } satisfies typeof vscode.StatusBarAlignment;
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 } satisfies typeof vscode.ProgressLocation;
export const QuickPickItemKind = { Separator: -1, Default: 0 } satisfies typeof vscode.QuickPickItemKind;
export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 } satisfies typeof vscode.DiagnosticSeverity;
export const FileType = FILE_TYPE;
export const LogLevel = { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 } satisfies typeof vscode.LogLevel;

/** Compile-time check that every export above is a real `vscode` member name. */
export const exportedNames = [
  "workspace", "languages", "commands", "env", "window", "Uri", "Position", "Range", "WorkspaceEdit", "EventEmitter",
  "Disposable", "RelativePattern", "ThemeColor", "ThemeIcon", "CancellationTokenSource", "StatusBarAlignment", "ProgressLocation",
  "QuickPickItemKind", "DiagnosticSeverity", "LogLevel", "FileType",
] as const satisfies ReadonlyArray<keyof Api>;
