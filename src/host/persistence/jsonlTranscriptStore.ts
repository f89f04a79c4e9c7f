import { createHash } from "node:crypto";
import { appendFileSync, closeSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { readdir, readFile, stat, unlink } from "node:fs/promises";
import * as nodePath from "node:path";
import type { TranscriptEvent, TranscriptStore } from "../../core/agents/transcript";
import type { IDisposable } from "../../core/common/disposable";
import type { Logger } from "../../core/common/logger";

/** Batches appends for this long; a crash loses at most this window. */
const FLUSH_DELAY_MS = 25;

/** A file name for an agent id; ids that are not plain get a hash so no id can name a path. */
export function transcriptFileName(agentId: string): string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(agentId)
    ? `${agentId}.jsonl`
    : `${createHash("sha256").update(agentId).digest("hex").slice(0, 32)}.jsonl`;
}

/**
 * One append-only JSONL file per agent under the extension's workspace
 * storage. `append` is synchronous for the caller: the line joins an
 * in-memory queue in call order, and the queue is written with synchronous
 * appends, so lines are never reordered or interleaved, and `dispose()` (window
 * close) writes whatever is still queued before returning.
 */
export class JsonlTranscriptStore implements TranscriptStore, IDisposable {
  private readonly pending = new Map<string, string[]>();
  private readonly checkedTail = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dirReady = false;
  private failures = 0;

  constructor(
    readonly directory: string,
    private readonly logger: Logger,
    /** Applied to every event before it is written (key redaction). */
    private readonly beforeWrite: (event: TranscriptEvent) => TranscriptEvent = (event) => event,
  ) {}

  append(agentId: string, event: TranscriptEvent): void {
    const lines = this.pending.get(agentId);
    const line = `${JSON.stringify(this.beforeWrite(event))}\n`;
    if (lines) lines.push(line);
    else this.pending.set(agentId, [line]);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  async read(agentId: string): Promise<TranscriptEvent[]> {
    this.flushAgent(agentId);
    const text = await readFile(this.pathOf(agentId), "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "";
      throw error;
    });
    const events: TranscriptEvent[] = [];
    let damaged = 0;
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      const event = parseEvent(line);
      if (event) events.push(event);
      else damaged++;
    }
    if (damaged > 0) this.logger.warn(`transcript of ${agentId}: skipped ${damaged} damaged line(s)`);
    return events;
  }

  /** Writes every queued line now. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const agentId of [...this.pending.keys()]) this.flushAgent(agentId);
  }

  /**
   * Deletes transcripts of agents that are no longer in the tree. Only files
   * untouched since `olderThanMs` go, so an agent started while the tree was
   * still loading keeps its file.
   */
  async prune(keep: ReadonlySet<string>, olderThanMs: number): Promise<number> {
    const keepFiles = new Set([...keep].map(transcriptFileName));
    const names = await readdir(this.directory).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      if (!name.endsWith(".jsonl") || keepFiles.has(name)) continue;
      const file = nodePath.join(this.directory, name);
      const info = await stat(file).catch(() => undefined);
      if (!info || info.mtimeMs >= olderThanMs) continue;
      await unlink(file).then(() => removed++, () => undefined);
    }
    return removed;
  }

  dispose(): void {
    this.flush();
  }

  private flushAgent(agentId: string): void {
    const lines = this.pending.get(agentId);
    if (!lines || lines.length === 0) return;
    this.pending.delete(agentId);
    const file = this.pathOf(agentId);
    try {
      if (!this.dirReady) {
        mkdirSync(this.directory, { recursive: true });
        this.dirReady = true;
      }
      const prefix = this.needsNewline(file) ? "\n" : "";
      appendFileSync(file, prefix + lines.join(""), "utf8");
      this.failures = 0;
    } catch (error) {
      // Put the lines back in front so the next flush keeps the order.
      this.pending.set(agentId, [...lines, ...(this.pending.get(agentId) ?? [])]);
      if (this.failures++ === 0) this.logger.error(`could not write the transcript of ${agentId}: ${(error as Error).message}`);
      this.timer ??= setTimeout(() => this.flush(), Math.min(5000, FLUSH_DELAY_MS * 2 ** this.failures));
    }
  }

  /** A crash can leave a half-written last line; start on a fresh line so it damages only itself. */
  private needsNewline(file: string): boolean {
    if (this.checkedTail.has(file)) return false;
    this.checkedTail.add(file);
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return false;
    }
    if (size === 0) return false;
    const fd = openSync(file, "r");
    try {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      return last[0] !== 0x0a;
    } finally {
      closeSync(fd);
    }
  }

  private pathOf(agentId: string): string {
    return nodePath.join(this.directory, transcriptFileName(agentId));
  }
}

function parseEvent(line: string): TranscriptEvent | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string") {
      return value as TranscriptEvent;
    }
  } catch {
    // damaged line
  }
  return undefined;
}
