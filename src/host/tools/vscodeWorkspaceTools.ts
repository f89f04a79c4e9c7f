import { readFile, stat } from "node:fs/promises";
import * as nodePath from "node:path";
import * as vscode from "vscode";
import type { Settings } from "../../core/settings/schema";
import type {
  CommandRequest,
  CommandResult,
  FileVersion,
  ReadFileResult,
  WorkspaceTools,
} from "../../core/tools/workspaceTools";
import { findDeniedCommand } from "../../core/tools/approvalPolicy";
import { runShellCommand } from "./commandRunner";
import {
  enabledExcludes,
  gitVisibleFiles,
  listWithRipgrep,
  MAX_LISTED_FILES,
  MAX_SEARCH_MATCHES,
  searchFiles,
  searchWithRipgrep,
  type SearchScope,
} from "./fileSearch";
import { assertFresh, contentVersion, locateUniqueEdit, looksBinary, MAX_READ_BYTES, sliceLines } from "./fileText";
import { assertRealPathInside, realTarget, resolveWorkspacePath, toWorkspaceRelative, type WorkspaceRoot } from "./pathContainment";

const SEVERITY_NAMES = ["error", "warning", "information", "hint"] as const;
const MAX_DIAGNOSTICS = 500;

export interface WorkspaceToolsOptions {
  settings: () => Settings;
  /** VS Code's bundled ripgrep; undefined falls back to findFiles + git. */
  ripgrepPath: string | undefined;
  /** The folders the tools work in; default the window's workspace folders (an isolated agent: its worktree). */
  roots?: () => WorkspaceRoot[];
}

/**
 * Restricted Mode: Run Task already refuses, but an agent restored from
 * before (and resumed from the tree) must not write or execute either.
 */
function assertTrusted(what: string): void {
  if (!vscode.workspace.isTrusted) {
    throw new Error(`Refused: this workspace is not trusted (Restricted Mode), so agents cannot ${what} in it.`);
  }
}

/** The agents' workspace tools on VS Code: documents and WorkspaceEdit for text, ripgrep for search. */
export class VscodeWorkspaceTools implements WorkspaceTools {
  /** Serializes writes per file so two agents' edits are checked and applied one after the other. */
  private readonly fileLocks = new Map<string, Promise<unknown>>();

  constructor(private readonly options: WorkspaceToolsOptions) {}

  async readFile(path: string, range?: { startLine?: number; endLine?: number }): Promise<ReadFileResult> {
    const target = await this.resolve(path);
    const text = await this.currentText(target.absolute, path, true);
    if (text === undefined) throw new Error(`${path} does not exist.`);
    return { ...sliceLines(text, range), version: contentVersion(text) };
  }

  async statVersion(path: string): Promise<string | undefined> {
    const target = await this.resolve(path);
    const text = await this.currentText(target.absolute, path, false).catch(() => undefined);
    return text === undefined ? undefined : contentVersion(text);
  }

  async readText(path: string): Promise<string | undefined> {
    const target = await this.resolve(path);
    return this.currentText(target.absolute, path, true);
  }

  async realPath(path: string): Promise<string | undefined> {
    const target = await this.resolve(path);
    const realRoots = await Promise.all(this.roots().map(async (r) => ({ ...r, fsPath: await realTarget(r.fsPath) })));
    return toWorkspaceRelative(realRoots, await realTarget(target.absolute));
  }

  async listFiles(options: { path?: string; glob?: string }): Promise<string[]> {
    const rg = this.options.ripgrepPath;
    const out: string[] = [];
    for (const scope of await this.scopes(options.path, options.glob)) {
      const { files, limited } = rg ? await listWithRipgrep(rg, scope.search) : await this.listWithoutRipgrep(scope.search);
      out.push(...files.map((f) => this.display(scope.root, f)));
      if (limited) out.push(`[listing stopped after ${MAX_LISTED_FILES} files; narrow it with path or glob]`);
    }
    return out;
  }

  async searchText(options: { query: string; glob?: string; regex?: boolean }) {
    if (options.query === "") throw new Error("query is empty.");
    const rg = this.options.ripgrepPath;
    const regex = options.regex === true;
    const out: Array<{ path: string; line: number; text: string }> = [];
    for (const scope of await this.scopes(undefined, options.glob)) {
      const { matches } = rg
        ? await searchWithRipgrep(rg, scope.search, options.query, regex)
        : await searchFiles(scope.search.cwd, (await this.listWithoutRipgrep(scope.search)).files, options.query, regex);
      out.push(...matches.map((m) => ({ ...m, path: this.display(scope.root, m.path) })));
      if (out.length >= MAX_SEARCH_MATCHES) return out.slice(0, MAX_SEARCH_MATCHES);
    }
    return out;
  }

  async editFile(options: { path: string; oldText: string; newText: string; expectedVersion?: string }): Promise<FileVersion> {
    assertTrusted("change files");
    return this.withFileLock(options.path, async (absolute) => {
      const uri = vscode.Uri.file(absolute);
      const document = await this.openExisting(uri, options.path);
      assertFresh(options.path, options.expectedVersion, await this.settledVersion(document, absolute, options.path));
      const text = document.getText();
      const edit = locateUniqueEdit(text, options.oldText, options.newText, options.path);
      const range = new vscode.Range(document.positionAt(edit.offset), document.positionAt(edit.offset + edit.length));
      return this.applyTextEdit(document, range, edit.replacement, options.path);
    });
  }

  async writeFile(options: { path: string; content: string; expectedVersion?: string }): Promise<FileVersion> {
    assertTrusted("change files");
    return this.withFileLock(options.path, async (absolute) => {
      const uri = vscode.Uri.file(absolute);
      const exists = await stat(absolute).then((s) => s.isFile(), () => false);
      if (!exists && !this.openDocument(absolute)) {
        assertFresh(options.path, options.expectedVersion, undefined);
        const edit = new vscode.WorkspaceEdit();
        edit.createFile(uri, { overwrite: false, contents: new TextEncoder().encode(options.content) });
        if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not create ${options.path}.`);
        return { version: contentVersion(options.content) };
      }
      const document = await this.openExisting(uri, options.path);
      assertFresh(options.path, options.expectedVersion, await this.settledVersion(document, absolute, options.path));
      const whole = new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length));
      return this.applyTextEdit(document, whole, options.content, options.path);
    });
  }

  async runCommand(request: CommandRequest): Promise<CommandResult> {
    assertTrusted("run commands");
    const denied = findDeniedCommand(request.command, this.options.settings()["approval.deniedCommands"]);
    if (denied !== undefined) {
      throw new Error(`Refused: ${denied}.`);
    }
    const cwd = await this.resolve(request.cwd ?? ".");
    const isDirectory = await stat(cwd.absolute).then((s) => s.isDirectory(), () => false);
    if (!isDirectory) throw new Error(`cwd ${request.cwd ?? "."} is not a folder in the workspace.`);
    const settings = this.options.settings();
    return runShellCommand({
      command: request.command,
      cwd: cwd.absolute,
      signal: request.signal,
      hidden: {
        patterns: settings["commands.hiddenEnv"],
        envPrefixes: settings.providers.flatMap((p) => (p.envPrefix !== undefined ? [p.envPrefix] : [])),
      },
      ...(request.timeoutSeconds !== undefined ? { timeoutSeconds: request.timeoutSeconds } : {}),
    });
  }

  async getDiagnostics(path?: string) {
    const roots = this.roots();
    let entries: Array<[vscode.Uri, readonly vscode.Diagnostic[]]>;
    if (path !== undefined) {
      const target = await this.resolve(path);
      const uri = vscode.Uri.file(target.absolute);
      entries = [[uri, vscode.languages.getDiagnostics(uri)]];
    } else {
      entries = vscode.languages.getDiagnostics();
    }
    const out: Array<{ path: string; line: number; severity: string; message: string }> = [];
    for (const [uri, diagnostics] of entries) {
      if (uri.scheme !== "file") continue;
      const rel = toWorkspaceRelative(roots, uri.fsPath);
      if (rel === undefined) continue;
      for (const d of diagnostics) {
        if (out.length >= MAX_DIAGNOSTICS) return out;
        out.push({ path: rel, line: d.range.start.line + 1, severity: SEVERITY_NAMES[d.severity] ?? "error", message: d.message });
      }
    }
    return out;
  }

  private roots(): WorkspaceRoot[] {
    if (this.options.roots) return this.options.roots();
    return (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === "file")
      .map((f) => ({ name: f.name, fsPath: f.uri.fsPath }));
  }

  private async resolve(path: string): Promise<{ root: WorkspaceRoot; absolute: string }> {
    const target = resolveWorkspacePath(this.roots(), path);
    await assertRealPathInside(target.root, target.absolute, path);
    return target;
  }

  private display(root: WorkspaceRoot, relativeToRoot: string): string {
    return toWorkspaceRelative(this.roots(), nodePath.join(root.fsPath, relativeToRoot)) ?? relativeToRoot;
  }

  /** What to list or search: the folder part asked for, or every workspace folder when no path is given. */
  private async scopes(path: string | undefined, glob: string | undefined): Promise<Array<{ root: WorkspaceRoot; search: SearchScope }>> {
    const targets = path === undefined ? this.roots().map((root) => ({ root, absolute: root.fsPath })) : [await this.resolve(path)];
    const out: Array<{ root: WorkspaceRoot; search: SearchScope }> = [];
    for (const target of targets) {
      const info = await stat(target.absolute).catch(() => undefined);
      if (!info) throw new Error(`${path ?? "."} does not exist.`);
      const excludes = enabledExcludes(vscode.workspace.getConfiguration("files", vscode.Uri.file(target.root.fsPath)).get("exclude"));
      const rel = nodePath.relative(target.root.fsPath, target.absolute).split(nodePath.sep).join("/") || ".";
      out.push({ root: target.root, search: { cwd: target.root.fsPath, target: rel, excludes, ...(glob ? { glob } : {}) } });
    }
    if (out.length === 0) throw new Error("No folder is open, so there is no workspace to work in.");
    return out;
  }

  private async listWithoutRipgrep(scope: SearchScope): Promise<{ files: string[]; limited: boolean }> {
    const base = vscode.Uri.file(nodePath.join(scope.cwd, scope.target));
    // ripgrep globs without a slash match at any depth; findFiles globs are anchored.
    const glob = scope.glob ? (scope.glob.includes("/") ? scope.glob : `**/${scope.glob}`) : "**/*";
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(base, glob), undefined, MAX_LISTED_FILES + 1);
    const visible = await gitVisibleFiles(scope.cwd);
    const files = uris
      .map((u) => nodePath.relative(scope.cwd, u.fsPath).split(nodePath.sep).join("/"))
      .filter((f) => !f.startsWith("..") && (visible === undefined || visible.has(f)))
      .sort();
    return { files: files.slice(0, MAX_LISTED_FILES), limited: files.length > MAX_LISTED_FILES };
  }

  /**
   * The text an agent sees: the editor buffer when the user has unsaved
   * changes in it, else the disk. A clean buffer may lag behind the disk
   * (VS Code reloads it a moment after another process writes), so the disk
   * is the truth for it.
   */
  private async currentText(absolute: string, shown: string, strict: boolean): Promise<string | undefined> {
    const open = this.openDocument(absolute);
    if (open?.isDirty) return open.getText();
    const info = await stat(absolute).catch(() => undefined);
    if (!info) return undefined;
    if (info.isDirectory()) throw new Error(`${shown} is a folder; use list_files.`);
    if (strict && info.size > MAX_READ_BYTES) {
      throw new Error(`${shown} is ${(info.size / 1048576).toFixed(1)} MB, over the ${MAX_READ_BYTES / 1048576} MB read limit; use search_text to find the part you need.`);
    }
    const bytes = await readFile(absolute);
    if (looksBinary(bytes)) throw new Error(`${shown} looks like a binary file; read_file only reads text.`);
    return bytes.toString("utf8").replace(/^\uFEFF/, "");
  }

  private openDocument(absolute: string): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.scheme === "file" && d.uri.fsPath === absolute);
  }

  private async openExisting(uri: vscode.Uri, shown: string): Promise<vscode.TextDocument> {
    const text = await this.currentText(uri.fsPath, shown, true);
    if (text === undefined) throw new Error(`${shown} does not exist; use write_file to create it.`);
    return vscode.workspace.openTextDocument(uri);
  }

  /** Applies through WorkspaceEdit (undoable, merges with open editors); saves unless the user had unsaved changes. */
  private async applyTextEdit(document: vscode.TextDocument, range: vscode.Range, text: string, shown: string): Promise<FileVersion> {
    const userHadUnsavedChanges = document.isDirty;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, range, text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      throw new Error(`${shown} changed while the edit was being applied; read it again, then redo the edit.`);
    }
    if (!userHadUnsavedChanges && !(await document.save())) {
      throw new Error(
        `The edit to ${shown} is in its editor but could not be saved (the file may have changed on disk); read it again and check the editor before redoing it.`,
      );
    }
    return { version: contentVersion(document.getText()) };
  }

  /**
   * The version an edit is checked against. For a clean buffer it waits until
   * VS Code has reloaded what another process wrote, so an edit is never
   * computed on text the disk no longer holds; if the buffer does not catch
   * up, the edit is refused rather than risking an overwrite.
   */
  private async settledVersion(document: vscode.TextDocument, absolute: string, shown: string): Promise<string> {
    if (document.isDirty) return contentVersion(document.getText());
    const deadline = Date.now() + RELOAD_WAIT_MS;
    for (;;) {
      const disk = await this.currentText(absolute, shown, true);
      if (disk === undefined) throw new Error(`${shown} was deleted; read the folder again before editing.`);
      if (sameText(document.getText(), disk)) return contentVersion(disk);
      if (document.isDirty || Date.now() >= deadline) {
        throw new Error(`${shown} changed on disk and its open editor differs; read it again, then redo the edit.`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async withFileLock<T>(path: string, work: (absolute: string) => Promise<T>): Promise<T> {
    const { absolute } = await this.resolve(path);
    const previous = this.fileLocks.get(absolute) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => work(absolute));
    this.fileLocks.set(absolute, next);
    try {
      return await next;
    } finally {
      if (this.fileLocks.get(absolute) === next) this.fileLocks.delete(absolute);
    }
  }
}

/** How long an edit waits for VS Code to reload a clean buffer after an outside write. */
const RELOAD_WAIT_MS = 2_000;

/** Equal up to line endings: VS Code may normalise a file's mixed line endings in its buffer. */
function sameText(buffer: string, disk: string): boolean {
  return buffer === disk || buffer.replace(/\r\n/g, "\n") === disk.replace(/\r\n/g, "\n");
}

