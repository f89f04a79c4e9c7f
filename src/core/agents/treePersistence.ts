import type { Clock } from "../common/clock";
import type { IDisposable } from "../common/disposable";
import type { Logger } from "../common/logger";
import type { AgentSnapshot } from "../protocol/agentSnapshot";
import { errorMessage } from "./abort";
import { fromSnapshot, type AgentRecord } from "./agentRecord";
import { isFinal } from "./status";

/** Persisted form of the tree (the host keeps it under workspace storage), so a window reload can bring it back. */
export interface TreeStore {
  save(agents: readonly AgentSnapshot[]): void;
  load(): Promise<AgentSnapshot[]>;
}

/** Longest delay before a tree change is saved: a stream of token updates becomes one write a second. */
export const TREE_SAVE_DELAY_MS = 1000;

export const WINDOW_RELOADED = "window reloaded";

/** An agent that was queued, running or waiting when the window closed, to continue after the reload. */
export interface ReloadResume {
  agentId: string;
  /** Work time its timeout had left; undefined = its configured limit (or none). */
  workLeftMs: number | undefined;
  /** The command it was waiting for approval of: asked again when its run continues. */
  approvalCommand?: string;
}

/** How often the tree is saved while agents are live, even without changes. */
export const HEARTBEAT_MS = 5_000;

/**
 * Saves the tree to the host's TreeStore: changes at most once per
 * `delayMs` (a stream of token updates must not turn into a stream of
 * writes), final statuses at the end of the current tick, so an ended agent
 * is on disk before anything else can happen to the window.
 */
export class TreePersistence implements IDisposable {
  private timer: IDisposable | undefined;
  private microtaskQueued = false;
  private disposed = false;

  constructor(
    private readonly store: TreeStore | undefined,
    private readonly snapshotAll: () => AgentSnapshot[],
    private readonly clock: Clock,
    private readonly delayMs: number,
    private readonly logger: Logger,
  ) {}

  saveSoon(delayMs = this.delayMs): void {
    if (!this.store || this.disposed || this.timer || this.microtaskQueued) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, delayMs);
  }

  saveNow(): void {
    if (!this.store || this.disposed || this.microtaskQueued) return;
    this.microtaskQueued = true;
    queueMicrotask(() => {
      this.microtaskQueued = false;
      this.timer?.dispose();
      this.timer = undefined;
      this.write();
    });
  }

  /** Writes synchronously (used when the window closes). */
  flush(): void {
    this.timer?.dispose();
    this.timer = undefined;
    this.write();
  }

  get timerPending(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Loads the saved tree as records, parents before children as the
   * registry needs. Agents that were not final are listed in `resume` when
   * `resume` is on (they keep their status until their run begins again);
   * otherwise they are now `interrupted` with reason "window reloaded" and
   * `sendMessage` resumes them.
   */
  async load(
    defaults: { backgroundSeconds: number; foregroundSeconds: number },
    resume = false,
  ): Promise<{ records: AgentRecord[]; resume: ReloadResume[] }> {
    const resumed: ReloadResume[] = [];
    if (!this.store) return { records: [], resume: resumed };
    let saved: AgentSnapshot[];
    try {
      saved = await this.store.load();
    } catch (error) {
      this.logger.warn(`could not load the saved agent tree: ${errorMessage(error)}`);
      return { records: [], resume: resumed };
    }
    const now = this.clock.now();
    const records = [...saved]
      .sort((a, b) => a.depth - b.depth)
      .map((snapshot) => {
        const record = fromSnapshot(snapshot, defaults);
        if (!isFinal(record.status) && resume) {
          const entry: ReloadResume = { agentId: record.id, workLeftMs: record.timeoutSeconds === undefined ? undefined : snapshot.timeoutLeftMs };
          if (snapshot.pendingApproval) entry.approvalCommand = snapshot.pendingApproval.command;
          resumed.push(entry);
        } else if (!isFinal(record.status)) {
          record.status = "interrupted";
          record.statusReason = WINDOW_RELOADED;
          record.error = WINDOW_RELOADED;
          record.endedAt = now;
          record.lastEvent = WINDOW_RELOADED;
        }
        return record;
      });
    return { records, resume: resumed };
  }

  dispose(): void {
    this.disposed = true;
    this.timer?.dispose();
    this.timer = undefined;
  }

  private write(): void {
    if (!this.store || this.disposed) return;
    const agents = this.snapshotAll();
    try {
      this.store.save(agents);
    } catch (error) {
      this.logger.warn(`could not save the agent tree: ${errorMessage(error)}`);
    }
    // A stalled agent changes nothing, yet its elapsed time grows; a window that
    // dies without deactivating would otherwise restore it with a stale time.
    if (agents.some((agent) => !isFinal(agent.status))) this.saveSoon(HEARTBEAT_MS);
  }
}
