import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, unlinkSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import * as nodePath from "node:path";
import * as z from "zod";
import type { Logger } from "../../core/common/logger";
import type { ChangeStore, FileChange } from "../../core/changes/fileChange";
import { writeFileDurably } from "./durableWrite";

const VERSION = 1;

/** A text is kept as a file named by its hash, so a large file never bloats the index and equal texts are stored once. */
const entrySchema = z.object({
  path: z.string().min(1),
  before: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  after: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  firstSeq: z.number().int(),
  lastSeq: z.number().int(),
  changedAt: z.number(),
});
const indexSchema = z.object({ version: z.literal(VERSION), agentId: z.string().min(1), files: z.array(entrySchema) });

/** The directory of one agent; ids that are not plain get a hash so no id can name a path. */
function agentDirectoryName(agentId: string): string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(agentId) ? agentId : createHash("sha256").update(agentId).digest("hex").slice(0, 32);
}

const hashOf = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * The agents' change sets on disk, beside the transcripts: one folder per
 * agent with `index.json` (paths, order, hashes) and one `<hash>.txt` per
 * distinct text. Each save is synchronous and durable; texts no longer
 * referenced are removed after the index is written. A damaged index is moved
 * aside (`index.json.corrupt-<time>`) and that agent's set left out, never
 * thrown.
 */
export class FileChangeStore implements ChangeStore {
  constructor(
    private readonly directory: string,
    private readonly logger: Logger,
    /** Applied to every text before it is written (redaction). */
    private readonly beforeSave: (text: string) => string = (text) => text,
    private readonly now: () => number = Date.now,
  ) {}

  save(agentId: string, changes: readonly FileChange[]): void {
    const folder = nodePath.join(this.directory, agentDirectoryName(agentId));
    if (changes.length === 0) {
      if (existsSync(folder)) for (const name of readdirSync(folder)) unlinkSync(nodePath.join(folder, name));
      return;
    }
    mkdirSync(folder, { recursive: true });
    const keep = new Set<string>(["index.json"]);
    const blob = (text: string | null): string | null => {
      if (text === null) return null;
      const safe = this.beforeSave(text);
      const hash = hashOf(safe);
      const name = `${hash}.txt`;
      if (!keep.has(name) && !existsSync(nodePath.join(folder, name))) writeFileDurably(nodePath.join(folder, name), safe);
      keep.add(name);
      return hash;
    };
    const files = changes.map((c) => ({
      path: this.beforeSave(c.path),
      before: blob(c.before),
      after: blob(c.after),
      firstSeq: c.firstSeq,
      lastSeq: c.lastSeq,
      changedAt: c.changedAt,
    }));
    writeFileDurably(nodePath.join(folder, "index.json"), JSON.stringify({ version: VERSION, agentId, files }));
    for (const name of readdirSync(folder)) {
      if (!keep.has(name) && name.endsWith(".txt")) unlinkSync(nodePath.join(folder, name));
    }
  }

  async load(): Promise<Map<string, FileChange[]>> {
    const out = new Map<string, FileChange[]>();
    let folders: string[];
    try {
      folders = await readdir(this.directory);
    } catch {
      return out;
    }
    for (const name of folders) {
      const folder = nodePath.join(this.directory, name);
      const index = nodePath.join(folder, "index.json");
      if (!existsSync(index)) continue;
      try {
        const parsed = indexSchema.parse(JSON.parse(await readFile(index, "utf8")));
        const text = async (hash: string | null) => (hash === null ? null : readFile(nodePath.join(folder, `${hash}.txt`), "utf8"));
        const files: FileChange[] = [];
        for (const entry of parsed.files) files.push({ ...entry, before: await text(entry.before), after: await text(entry.after) });
        out.set(parsed.agentId, files);
      } catch (error) {
        const aside = `${index}.corrupt-${this.now()}`;
        this.logger.warn(`the change set in ${name} could not be read and was moved aside: ${error instanceof Error ? error.message : String(error)}`);
        try {
          renameSync(index, aside);
        } catch {
          // Moving aside failed too; it stays unread and is retried at the next start.
        }
      }
    }
    return out;
  }
}
