import type { Clock } from "../common/clock";
import { Emitter, type Event } from "../common/emitter";
import type { IDisposable } from "../common/disposable";
import type { Logger } from "../common/logger";
import { changeKey, type ChangeStore, type FileChange } from "./fileChange";

/** What the workspace tools report after each file they changed for an agent. */
export interface ChangeRecorder {
  recordChange(agentId: string, path: string, before: string | null, after: string | null): void;
}

/**
 * The change set of every agent: per file, the text before the agent's first
 * change and after its last. A file whose text ends as it began is no longer
 * a change. Every change is saved at once, so a window reload keeps it.
 */
export class AgentChanges implements ChangeRecorder, IDisposable {
  private readonly byAgent = new Map<string, Map<string, FileChange>>();
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;
  private seq = 0;

  constructor(
    private readonly store: ChangeStore | undefined,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Restores the saved change sets (agents recorded since keep theirs). */
  async load(): Promise<void> {
    if (!this.store) return;
    let saved: Map<string, FileChange[]>;
    try {
      saved = await this.store.load();
    } catch (error) {
      this.logger.warn(`could not load the agents' change sets: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    for (const [agentId, changes] of saved) {
      if (this.byAgent.has(agentId)) continue;
      this.byAgent.set(agentId, new Map(changes.map((c) => [changeKey(c.path), { ...c, path: changeKey(c.path) }])));
      for (const c of changes) this.seq = Math.max(this.seq, c.lastSeq);
    }
    if (saved.size > 0) this.changed.fire();
  }

  recordChange(agentId: string, path: string, before: string | null, after: string | null): void {
    const key = changeKey(path);
    let files = this.byAgent.get(agentId);
    if (!files) this.byAgent.set(agentId, (files = new Map()));
    const seq = ++this.seq;
    const known = files.get(key);
    const first = known ?? { path: key, before, firstSeq: seq };
    if (first.before === after) files.delete(key);
    else files.set(key, { path: key, before: first.before, after, firstSeq: first.firstSeq, lastSeq: seq, changedAt: this.clock.now() });
    this.persist(agentId);
    this.changed.fire();
  }

  /** The agent's changed files, in the order it first changed them. */
  of(agentId: string): FileChange[] {
    return [...(this.byAgent.get(agentId)?.values() ?? [])].sort((a, b) => a.firstSeq - b.firstSeq);
  }

  /** No agent has a change under review (the common case: snapshots skip the counting). */
  get isEmpty(): boolean {
    return this.byAgent.size === 0;
  }

  count(agentId: string): number {
    return this.byAgent.get(agentId)?.size ?? 0;
  }

  /** Distinct files changed by any of these agents. */
  distinctCount(agentIds: Iterable<string>): number {
    const paths = new Set<string>();
    for (const id of agentIds) for (const key of this.byAgent.get(id)?.keys() ?? []) paths.add(key);
    return paths.size;
  }

  /** Every agent's change of one file, oldest first. */
  changesOfPath(path: string): Array<{ agentId: string; change: FileChange }> {
    const key = changeKey(path);
    const out: Array<{ agentId: string; change: FileChange }> = [];
    for (const [agentId, files] of this.byAgent) {
      const change = files.get(key);
      if (change) out.push({ agentId, change });
    }
    return out.sort((a, b) => a.change.firstSeq - b.change.firstSeq);
  }

  /** Drops files from an agent's set (kept or reverted); all its files when `paths` is absent. */
  forget(agentId: string, paths?: readonly string[]): void {
    const files = this.byAgent.get(agentId);
    if (!files) return;
    if (paths === undefined) files.clear();
    else for (const p of paths) files.delete(changeKey(p));
    if (files.size === 0) this.byAgent.delete(agentId);
    this.persist(agentId);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }

  private persist(agentId: string): void {
    if (!this.store) return;
    try {
      this.store.save(agentId, this.of(agentId));
    } catch (error) {
      this.logger.warn(`could not save the change set of ${agentId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
