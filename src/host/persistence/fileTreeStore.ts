import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as nodePath from "node:path";
import type { TreeStore } from "../../core/agents/treePersistence";
import type { Logger } from "../../core/common/logger";
import { agentSnapshotSchema, type AgentSnapshot } from "../../core/protocol/agentSnapshot";

interface TreeFile {
  version: 1;
  savedAt: number;
  agents: unknown[];
}

/**
 * The tree index (`tree.json`) next to the transcripts. The service already
 * spaces its saves out (and saves final statuses at once), so each save is
 * written synchronously, atomically (temp file + rename): a crash leaves the
 * previous index, never half of a new one. Marking agents that were running
 * as interrupted ("window reloaded") is the service's job on load.
 */
export class FileTreeStore implements TreeStore {
  constructor(
    private readonly directory: string,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  get file(): string {
    return nodePath.join(this.directory, "tree.json");
  }

  save(agents: readonly AgentSnapshot[]): void {
    const body: TreeFile = { version: 1, savedAt: this.now(), agents: [...agents] };
    const temp = `${this.file}.tmp`;
    try {
      mkdirSync(this.directory, { recursive: true });
      writeFileSync(temp, JSON.stringify(body), "utf8");
      renameSync(temp, this.file);
    } catch (error) {
      this.logger.error(`could not save the agent tree: ${(error as Error).message}`);
    }
  }

  /** Agents that do not parse (a damaged or older file) are dropped one by one, never the whole tree. */
  async load(): Promise<AgentSnapshot[]> {
    let raw: string;
    try {
      raw = await readFile(this.file, "utf8");
    } catch {
      return [];
    }
    let parsed: Partial<TreeFile>;
    try {
      parsed = JSON.parse(raw) as Partial<TreeFile>;
    } catch {
      this.logger.warn("the saved agent tree is damaged; starting with an empty tree");
      return [];
    }
    const agents: AgentSnapshot[] = [];
    let dropped = 0;
    for (const item of Array.isArray(parsed.agents) ? parsed.agents : []) {
      const agent = agentSnapshotSchema.safeParse(item);
      if (agent.success) agents.push(agent.data);
      else dropped++;
    }
    if (dropped > 0) this.logger.warn(`the saved agent tree had ${dropped} unreadable agent(s); they were dropped`);
    return agents;
  }
}
