import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as nodePath from "node:path";
import type * as vscode from "vscode";
import { ShimPosition, ShimRange, ShimUri, type ShimWorkspaceEdit } from "./vscodeShimClasses";

/**
 * Text documents as the extension host keeps them: an open document holds the
 * editor buffer (possibly dirty); `save()` writes it to disk.
 */
export class ShimTextDocument implements Pick<
  vscode.TextDocument,
  "uri" | "fileName" | "isUntitled" | "languageId" | "version" | "isDirty" | "isClosed" | "lineCount" | "getText" | "positionAt" | "offsetAt" | "save"
> {
  version = 1;
  isDirty = false;
  isClosed = false;

  constructor(
    readonly uri: vscode.Uri,
    private text: string,
    readonly languageId: string,
    readonly isUntitled = false,
  ) {}

  get fileName(): string {
    return this.uri.fsPath;
  }

  get lineCount(): number {
    return this.text.split("\n").length;
  }

  getText(range?: vscode.Range): string {
    if (!range) return this.text;
    return this.text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }

  positionAt(offset: number): ShimPosition {
    const before = this.text.slice(0, Math.max(0, Math.min(offset, this.text.length)));
    const lines = before.split("\n");
    return new ShimPosition(lines.length - 1, (lines[lines.length - 1] ?? "").length);
  }

  offsetAt(position: vscode.Position): number {
    const lines = this.text.split("\n");
    let offset = 0;
    for (let i = 0; i < position.line && i < lines.length; i++) offset += (lines[i] ?? "").length + 1;
    return Math.min(offset + position.character, this.text.length);
  }

  /** What the user typing into the editor does: change the buffer without saving. */
  typeText(text: string): void {
    this.text = text;
    this.isDirty = true;
    this.version++;
  }

  applyReplace(range: vscode.Range, text: string): void {
    const start = this.offsetAt(range.start);
    const end = this.offsetAt(range.end);
    this.text = this.text.slice(0, start) + text + this.text.slice(end);
    this.isDirty = true;
    this.version++;
  }

  async save(): Promise<boolean> {
    if (this.uri.scheme !== "file") return false;
    writeFileSync(this.uri.fsPath, this.text, "utf8");
    this.isDirty = false;
    return true;
  }
}

export class ShimDocuments {
  readonly open: ShimTextDocument[] = [];
  /** Counts applyEdit calls, so tests can see edits went through WorkspaceEdit. */
  appliedEdits = 0;

  get(uri: vscode.Uri): ShimTextDocument | undefined {
    return this.open.find((d) => d.uri.toString() === uri.toString());
  }

  openFile(uri: vscode.Uri): ShimTextDocument {
    const existing = this.get(uri);
    if (existing) return existing;
    if (!existsSync(uri.fsPath)) throw new Error(`cannot open ${uri.toString()}: file not found`);
    const doc = new ShimTextDocument(uri, readFileSync(uri.fsPath, "utf8").replace(/^\uFEFF/, ""), languageOf(uri.fsPath));
    this.open.push(doc);
    return doc;
  }

  openVirtual(uri: vscode.Uri, text: string): ShimTextDocument {
    const doc = new ShimTextDocument(uri, text, languageOf(uri.path));
    const at = this.open.findIndex((d) => d.uri.toString() === uri.toString());
    if (at >= 0) this.open.splice(at, 1, doc);
    else this.open.push(doc);
    return doc;
  }

  openUntitled(content: string, language: string): ShimTextDocument {
    const doc = new ShimTextDocument(ShimUri.from({ scheme: "untitled", path: `Untitled-${this.open.length + 1}` }), content, language, true);
    this.open.push(doc);
    return doc;
  }

  close(uri: vscode.Uri): void {
    const at = this.open.findIndex((d) => d.uri.toString() === uri.toString());
    if (at >= 0) this.open.splice(at, 1)[0]!.isClosed = true;
  }

  apply(edit: ShimWorkspaceEdit): boolean {
    this.appliedEdits++;
    for (const op of edit.ops) {
      if (op.kind === "createFile") {
        if (existsSync(op.uri.fsPath) && !op.overwrite) return false;
        mkdirSync(nodePath.dirname(op.uri.fsPath), { recursive: true });
        writeFileSync(op.uri.fsPath, op.contents ?? new Uint8Array());
      } else if (op.kind === "deleteFile") {
        if (!existsSync(op.uri.fsPath)) {
          if (op.ignoreIfNotExists) continue;
          return false;
        }
        rmSync(op.uri.fsPath);
        this.close(op.uri);
      } else {
        const doc = op.uri.scheme === "file" ? this.openFile(op.uri) : this.get(op.uri);
        if (!doc) return false;
        doc.applyReplace(new ShimRange(op.range.start, op.range.end), op.text);
      }
    }
    return true;
  }
}

function languageOf(path: string): string {
  const ext = nodePath.extname(path);
  return ext === ".md" ? "markdown" : ext === ".ts" ? "typescript" : ext === ".json" ? "json" : "plaintext";
}
