import * as nodePath from "node:path";
import type * as vscode from "vscode";

/**
 * The value classes of the `vscode` API that host code constructs, for tests
 * that run in plain Node. Each `implements` the real declaration (or the part
 * the host uses), so a member that VS Code does not have is a compile error.
 */

export class ShimUri implements vscode.Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query: string,
    readonly fragment: string,
  ) {}

  static file(fsPath: string): ShimUri {
    return new ShimUri("file", "", nodePath.resolve(fsPath).split(nodePath.sep).join("/"), "", "");
  }

  static parse(value: string): ShimUri {
    const url = new URL(value);
    return new ShimUri(url.protocol.replace(/:$/, ""), url.host, decodeURIComponent(url.pathname), url.search.replace(/^\?/, ""), url.hash.replace(/^#/, ""));
  }

  static from(c: { scheme: string; authority?: string; path?: string; query?: string; fragment?: string }): ShimUri {
    return new ShimUri(c.scheme, c.authority ?? "", c.path ?? "", c.query ?? "", c.fragment ?? "");
  }

  static joinPath(base: vscode.Uri, ...segments: string[]): ShimUri {
    return ShimUri.from({ ...base, path: nodePath.posix.join(base.path, ...segments) });
  }

  get fsPath(): string {
    return nodePath.normalize(this.path);
  }

  with(change: { scheme?: string; authority?: string | null; path?: string | null; query?: string | null; fragment?: string | null }): ShimUri {
    return new ShimUri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment);
  }

  toString(): string {
    return `${this.scheme}://${this.authority}${this.path}${this.query ? `?${this.query}` : ""}${this.fragment ? `#${this.fragment}` : ""}`;
  }

  toJSON(): unknown {
    return { scheme: this.scheme, path: this.path, query: this.query };
  }
}

export class ShimPosition implements vscode.Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
  compareTo(other: vscode.Position): number {
    return this.line - other.line || this.character - other.character;
  }
  isBefore(other: vscode.Position): boolean {
    return this.compareTo(other) < 0;
  }
  isBeforeOrEqual(other: vscode.Position): boolean {
    return this.compareTo(other) <= 0;
  }
  isAfter(other: vscode.Position): boolean {
    return this.compareTo(other) > 0;
  }
  isAfterOrEqual(other: vscode.Position): boolean {
    return this.compareTo(other) >= 0;
  }
  isEqual(other: vscode.Position): boolean {
    return this.compareTo(other) === 0;
  }
  translate(a?: number | { lineDelta?: number; characterDelta?: number }, b?: number): ShimPosition {
    const d = typeof a === "object" ? a : { lineDelta: a ?? 0, characterDelta: b ?? 0 };
    return new ShimPosition(this.line + (d.lineDelta ?? 0), this.character + (d.characterDelta ?? 0));
  }
  with(a?: number | { line?: number; character?: number }, b?: number): ShimPosition {
    const c = typeof a === "object" ? a : { line: a ?? this.line, character: b ?? this.character };
    return new ShimPosition(c.line ?? this.line, c.character ?? this.character);
  }
}

export class ShimRange implements vscode.Range {
  readonly start: ShimPosition;
  readonly end: ShimPosition;
  constructor(start: vscode.Position | number, end: vscode.Position | number, endLine?: number, endCharacter?: number) {
    if (typeof start === "number" && typeof end === "number") {
      this.start = new ShimPosition(start, end);
      this.end = new ShimPosition(endLine ?? start, endCharacter ?? end);
    } else {
      const s = start as vscode.Position;
      const e = end as vscode.Position;
      this.start = new ShimPosition(s.line, s.character);
      this.end = new ShimPosition(e.line, e.character);
    }
  }
  get isEmpty(): boolean {
    return this.start.isEqual(this.end);
  }
  get isSingleLine(): boolean {
    return this.start.line === this.end.line;
  }
  contains(value: vscode.Position | vscode.Range): boolean {
    const r = "start" in value ? value : new ShimRange(value, value);
    return this.start.isBeforeOrEqual(r.start) && this.end.isAfterOrEqual(r.end);
  }
  isEqual(other: vscode.Range): boolean {
    return this.start.isEqual(other.start) && this.end.isEqual(other.end);
  }
  intersection(other: vscode.Range): ShimRange | undefined {
    const start = this.start.isAfter(other.start) ? this.start : other.start;
    const end = this.end.isBefore(other.end) ? this.end : other.end;
    return start.isAfter(end) ? undefined : new ShimRange(start, end);
  }
  union(other: vscode.Range): ShimRange {
    return new ShimRange(this.start.isBefore(other.start) ? this.start : other.start, this.end.isAfter(other.end) ? this.end : other.end);
  }
  with(a?: vscode.Position | { start?: vscode.Position; end?: vscode.Position }, b?: vscode.Position): ShimRange {
    const c = a && "line" in a ? { start: a, end: b } : (a ?? {});
    return new ShimRange(c.start ?? this.start, c.end ?? this.end);
  }
}

export type ShimEditOp =
  | { kind: "replace"; uri: vscode.Uri; range: vscode.Range; text: string }
  | { kind: "createFile"; uri: vscode.Uri; overwrite: boolean; contents: Uint8Array | undefined }
  | { kind: "deleteFile"; uri: vscode.Uri; ignoreIfNotExists: boolean };

export class ShimWorkspaceEdit implements Pick<vscode.WorkspaceEdit, "replace" | "insert" | "delete" | "createFile" | "deleteFile" | "has" | "size"> {
  readonly ops: ShimEditOp[] = [];
  get size(): number {
    return new Set(this.ops.map((o) => o.uri.toString())).size;
  }
  replace(uri: vscode.Uri, range: vscode.Range, newText: string): void {
    this.ops.push({ kind: "replace", uri, range, text: newText });
  }
  insert(uri: vscode.Uri, position: vscode.Position, newText: string): void {
    this.replace(uri, new ShimRange(position, position), newText);
  }
  delete(uri: vscode.Uri, range: vscode.Range): void {
    this.replace(uri, range, "");
  }
  has(uri: vscode.Uri): boolean {
    return this.ops.some((o) => o.uri.toString() === uri.toString());
  }
  createFile(uri: vscode.Uri, options?: { overwrite?: boolean; contents?: Uint8Array | vscode.DataTransferFile }): void {
    const contents = options?.contents instanceof Uint8Array ? options.contents : undefined;
    this.ops.push({ kind: "createFile", uri, overwrite: options?.overwrite === true, contents });
  }
  deleteFile(uri: vscode.Uri, options?: { recursive?: boolean; ignoreIfNotExists?: boolean }): void {
    this.ops.push({ kind: "deleteFile", uri, ignoreIfNotExists: options?.ignoreIfNotExists === true });
  }
}

export class ShimEventEmitter<T> implements vscode.EventEmitter<T> {
  private listeners = new Set<(e: T) => unknown>();
  readonly event: vscode.Event<T> = (listener, thisArgs?, disposables?) => {
    const bound = (e: T) => listener.call(thisArgs, e);
    this.listeners.add(bound);
    const subscription = new ShimDisposable(() => this.listeners.delete(bound));
    disposables?.push(subscription);
    return subscription;
  };
  fire(data: T): void {
    for (const listener of [...this.listeners]) listener(data);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class ShimDisposable implements vscode.Disposable {
  private done = false;
  constructor(private readonly callOnDispose: () => unknown) {}
  static from(...items: Array<{ dispose(): unknown }>): ShimDisposable {
    return new ShimDisposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    if (this.done) return;
    this.done = true;
    this.callOnDispose();
  }
}

export class ShimRelativePattern implements vscode.RelativePattern {
  baseUri: vscode.Uri;
  base: string;
  constructor(
    base: vscode.WorkspaceFolder | vscode.Uri | string,
    public pattern: string,
  ) {
    this.baseUri = typeof base === "string" ? ShimUri.file(base) : "uri" in base ? base.uri : base;
    this.base = this.baseUri.fsPath;
  }
}

export class ShimThemeColor implements vscode.ThemeColor {
  constructor(readonly id: string) {}
}

export class ShimThemeIcon implements vscode.ThemeIcon {
  static readonly File = new ShimThemeIcon("file");
  static readonly Folder = new ShimThemeIcon("folder");
  constructor(
    readonly id: string,
    readonly color?: vscode.ThemeColor,
  ) {}
}

export class ShimCancellationTokenSource implements vscode.CancellationTokenSource {
  private readonly emitter = new ShimEventEmitter<void>();
  private cancelled = false;
  readonly token: vscode.CancellationToken = {
    isCancellationRequested: false,
    onCancellationRequested: this.emitter.event as vscode.Event<unknown>,
  };
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    (this.token as { isCancellationRequested: boolean }).isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}
