import { renameSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as nodePath from "node:path";
import type { TreeStore } from "../../core/agents/treePersistence";
import type { Logger } from "../../core/common/logger";
import { agentSnapshotSchema, type AgentSnapshot } from "../../core/protocol/agentSnapshot";
import { syncDirectory, writeFileDurably } from "./durableWrite";
import { rebuildTreeFromTranscripts } from "./treeRecovery";

const VERSION = 1;

interface TreeFile {
  version: typeof VERSION;
  savedAt: number;
  agents: unknown[];
}

export interface FileTreeStoreOptions {
  /** Where the transcripts are, to rebuild the tree from when the index is lost. */
  transcriptsDirectory?: string;
  /** Applied to the snapshots before they are written (redaction). */
  beforeSave?: (agents: AgentSnapshot[]) => AgentSnapshot[];
  /** Tells the user, once, that the index was rebuilt. */
  warnUser?: (message: string) => void;
}

/**
 * The tree index (`tree.json`) next to the transcripts. The service already
 * spaces its saves out (and saves final statuses at once), so each save is
 * written synchronously and durably (temp file, fsync, rename, fsync of the
 * directory): a crash leaves the previous index, never half of a new one.
 *
 * An index that cannot be read, has an unknown version or holds agents that
 * do not parse is never trusted to say which transcripts are obsolete: it is
 * moved aside as `tree.json.corrupt-<time>`, the tree is rebuilt from the
 * transcripts on disk, `recovered` is set (so nothing is pruned this session)
 * and the user is told once. Marking agents that were running as interrupted
 * ("window reloaded") is the service's job on load.
 */
export class FileTreeStore implements TreeStore {
  /** True after a load that had to rebuild the tree; transcripts must not be pruned then. */
  recovered = false;

  constructor(
    private readonly directory: string,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly options: FileTreeStoreOptions = {},
  ) {}

  get file(): string {
    return nodePath.join(this.directory, "tree.json");
  }

  private get transcriptsDirectory(): string {
    return this.options.transcriptsDirectory ?? nodePath.join(this.directory, "transcripts");
  }

  save(agents: readonly AgentSnapshot[]): void {
    const saved = this.options.beforeSave ? this.options.beforeSave([...agents]) : [...agents];
    const body: TreeFile = { version: VERSION, savedAt: this.now(), agents: saved };
    try {
      writeFileDurably(this.file, JSON.stringify(body));
    } catch (error) {
      this.logger.error(`could not save the agent tree: ${(error as Error).message}`);
    }
  }

  async load(): Promise<AgentSnapshot[]> {
    let raw: string;
    try {
      raw = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return this.rebuildIfTranscripts();
      return this.recover(`it could not be read (${(error as NodeJS.ErrnoException).code ?? "error"})`, []);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return this.recover("it is damaged", []);
    }
    const file = parsed as Partial<TreeFile> | null;
    if (typeof file !== "object" || file === null || !Array.isArray(file.agents)) return this.recover("it is damaged", []);
    if (file.version !== VERSION) return this.recover(`it has an unknown version (${JSON.stringify(file.version) ?? "none"})`, []);
    const agents: AgentSnapshot[] = [];
    let dropped = 0;
    for (const item of file.agents) {
      const agent = agentSnapshotSchema.safeParse(item);
      if (agent.success) agents.push(agent.data);
      else dropped++;
    }
    if (dropped > 0) return this.recover(`${dropped} of its agents could not be read`, agents);
    return agents;
  }

  /** No index but transcripts: the index was lost, not never written. */
  private async rebuildIfTranscripts(): Promise<AgentSnapshot[]> {
    const rebuilt = await rebuildTreeFromTranscripts(this.transcriptsDirectory, this.now());
    if (rebuilt.length === 0) return [];
    this.recovered = true;
    this.tell(`Subagents: the agent tree index was missing; ${rebuilt.length} agent(s) were restored from their transcripts.`);
    return rebuilt;
  }

  private async recover(why: string, kept: AgentSnapshot[]): Promise<AgentSnapshot[]> {
    this.recovered = true;
    const aside = `${this.file}.corrupt-${new Date(this.now()).toISOString().replace(/[:.]/g, "-")}`;
    let moved = false;
    try {
      renameSync(this.file, aside);
      syncDirectory(this.directory);
      moved = true;
    } catch (error) {
      this.logger.error(`could not move the damaged agent tree aside: ${(error as Error).message}`);
    }
    const keptIds = new Set(kept.map((a) => a.id));
    const rebuilt = (await rebuildTreeFromTranscripts(this.transcriptsDirectory, this.now())).filter((a) => !keptIds.has(a.id));
    const agents = [...kept, ...rebuilt].sort((a, b) => a.depth - b.depth);
    this.tell(
      `Subagents: the saved agent tree could not be used: ${why}. ` +
        `${moved ? `It was kept as ${nodePath.basename(aside)}; ` : ""}the tree was rebuilt from the transcripts on disk ` +
        `(${agents.length} agent(s)) and no transcript was deleted.`,
    );
    return agents;
  }

  private tell(message: string): void {
    this.logger.warn(message);
    this.options.warnUser?.(message);
  }
}
