import type { Clock } from "../core/common/clock";
import { Disposable, type IDisposable } from "../core/common/disposable";
import type { AgentSnapshot, KeyPoolSummary } from "../core/protocol/agentSnapshot";
import type { PatchMessage, SnapshotMessage } from "../core/protocol/messages";
import { diffAgents, sameKeySummary, type SentAgent } from "./agentTreeDiff";

/** 20 messages per second at most, however fast agents change: more would only cost the webview frames without showing anything new. */
export const DEFAULT_MIN_INTERVAL_MS = 50;

/** Where the tree's current state comes from. */
export interface TreeSource {
  agents(): readonly AgentSnapshot[];
  keys(): readonly KeyPoolSummary[];
  spawningPaused(): boolean;
}

export type TreeMessageSink = (message: SnapshotMessage | PatchMessage) => void;

/**
 * Turns a stream of "something changed" signals into at most one message per
 * interval: a full snapshot when a webview (re)connects, then patches with
 * only the agents that differ from what that webview already has.
 *
 * The first change after a quiet period is sent on the next timer turn (so a
 * burst of synchronous changes still becomes one message); later changes wait
 * until the interval since the previous message has passed.
 */
export class TreeUpdateCoalescer extends Disposable {
  private readonly sent = new Map<string, SentAgent>();
  private sentKeys: readonly KeyPoolSummary[] = [];
  private sentPaused = false;
  private seq = 0;
  private active = false;
  private timer: IDisposable | undefined;
  private lastPostAt = Number.NEGATIVE_INFINITY;
  private posted = 0;

  constructor(
    private readonly source: TreeSource,
    private readonly sink: TreeMessageSink,
    private readonly clock: Clock,
    private readonly minIntervalMs = DEFAULT_MIN_INTERVAL_MS,
  ) {
    super();
    this.register({ dispose: () => this.stop() });
  }

  /** Messages posted so far (snapshots and patches). */
  get messagesPosted(): number {
    return this.posted;
  }

  get isActive(): boolean {
    return this.active;
  }

  /** A webview is listening: send it everything, then patches from there on. */
  start(): void {
    if (this.isDisposed) return;
    this.cancelTimer();
    this.active = true;
    this.postSnapshot();
  }

  /** The webview went away (hidden or disposed): forget what it had. */
  stop(): void {
    this.active = false;
    this.cancelTimer();
    this.sent.clear();
  }

  /** Something in the source changed; a patch follows within the interval. */
  markDirty(): void {
    if (!this.active || this.timer) return;
    const delay = Math.max(0, this.lastPostAt + this.minIntervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delay);
  }

  /** Sends what changed now, if anything did. */
  flush(): void {
    if (!this.active) return;
    this.cancelTimer();
    const now = this.clock.now();
    const agents = this.source.agents();
    const { upserts, removed } = diffAgents(this.sent, agents, now);
    const keys = this.source.keys();
    const paused = this.source.spawningPaused();
    const keysChanged = !sameKeySummary(keys, this.sentKeys);
    const pausedChanged = paused !== this.sentPaused;
    if (upserts.length === 0 && removed.length === 0 && !keysChanged && !pausedChanged) return;

    const message: PatchMessage = { type: "patch", seq: this.seq++, hostNow: now, upserts, removed };
    if (keysChanged) message.keys = [...keys];
    if (pausedChanged) message.spawningPaused = paused;
    for (const agent of upserts) this.sent.set(agent.id, { agent, sentAt: now });
    for (const id of removed) this.sent.delete(id);
    this.sentKeys = keys;
    this.sentPaused = paused;
    this.post(message, now);
  }

  private postSnapshot(): void {
    const now = this.clock.now();
    const agents = this.source.agents();
    const keys = this.source.keys();
    const paused = this.source.spawningPaused();
    this.sent.clear();
    for (const agent of agents) this.sent.set(agent.id, { agent, sentAt: now });
    this.sentKeys = keys;
    this.sentPaused = paused;
    this.post(
      { type: "snapshot", seq: this.seq++, hostNow: now, agents: [...agents], keys: [...keys], spawningPaused: paused },
      now,
    );
  }

  private post(message: SnapshotMessage | PatchMessage, now: number): void {
    this.lastPostAt = now;
    this.posted++;
    this.sink(message);
  }

  private cancelTimer(): void {
    this.timer?.dispose();
    this.timer = undefined;
  }
}
