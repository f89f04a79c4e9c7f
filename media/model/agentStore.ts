import type { AgentStatus } from "../../src/core/agents/status";
import type { AgentSnapshot } from "../../src/core/protocol/agentSnapshot";

/** One visible line of the tree after collapsing. Levels and positions are 1-based, as ARIA wants them. */
export interface FlatRow {
  readonly id: string;
  readonly level: number;
  readonly hasChildren: boolean;
  readonly expanded: boolean;
  readonly posInSet: number;
  readonly setSize: number;
  /** The parent as shown (null for roots and for agents whose parent is gone). */
  readonly parentId: string | null;
}

/**
 * The webview's copy of the agents, kept up to date from snapshots and
 * patches. Pure data: no DOM, so it is tested in Node.
 *
 * Elapsed time of running agents ticks here, not on the host: each agent
 * remembers when (local clock) its current copy arrived.
 */
export class AgentStore {
  private readonly agents = new Map<string, AgentSnapshot>();
  private readonly receivedAt = new Map<string, number>();
  private childIndex: Map<string | null, string[]> | undefined;
  /** localNow − hostNow of the latest message; turns host epoch times (timeoutAt) into local ones. */
  private clockOffset = 0;
  /** Bumped when agents appear, disappear or move; rows must be flattened again. */
  structureVersion = 0;

  get size(): number {
    return this.agents.size;
  }

  get(id: string): AgentSnapshot | undefined {
    return this.agents.get(id);
  }

  has(id: string): boolean {
    return this.agents.has(id);
  }

  values(): IterableIterator<AgentSnapshot> {
    return this.agents.values();
  }

  applySnapshot(agents: readonly AgentSnapshot[], hostNow: number, localNow: number): void {
    this.clockOffset = localNow - hostNow;
    this.agents.clear();
    this.receivedAt.clear();
    for (const agent of agents) {
      this.agents.set(agent.id, agent);
      this.receivedAt.set(agent.id, localNow);
    }
    this.structureChanged();
  }

  /** Returns whether the shape of the tree changed (rows must be flattened again). */
  applyPatch(upserts: readonly AgentSnapshot[], removed: readonly string[], hostNow: number, localNow: number): boolean {
    this.clockOffset = localNow - hostNow;
    let structural = false;
    for (const agent of upserts) {
      const previous = this.agents.get(agent.id);
      if (!previous || previous.parentId !== agent.parentId) structural = true;
      this.agents.set(agent.id, agent);
      this.receivedAt.set(agent.id, localNow);
    }
    for (const id of removed) {
      if (this.agents.delete(id)) structural = true;
      this.receivedAt.delete(id);
    }
    if (structural) this.structureChanged();
    return structural;
  }

  /** The parent as shown: an agent whose parent is not in the store is shown as a root. */
  shownParent(agent: AgentSnapshot): string | null {
    return agent.parentId !== null && this.agents.has(agent.parentId) ? agent.parentId : null;
  }

  /** Roots newest first; children in the order they were spawned. */
  childrenOf(id: string | null): readonly string[] {
    if (!this.childIndex) this.childIndex = this.buildChildIndex();
    return this.childIndex.get(id) ?? [];
  }

  /** Elapsed time as it should read now: it advances while the host's run clock does. */
  elapsedAt(agent: AgentSnapshot, localNow: number): number {
    if (!elapsedAdvances(agent)) return agent.elapsedMs;
    const received = this.receivedAt.get(agent.id) ?? localNow;
    return agent.elapsedMs + Math.max(0, localNow - received);
  }

  /** Time spent starting up or queued for a slot, advancing while the agent still waits for one. */
  queuedAt(agent: AgentSnapshot, localNow: number): number | undefined {
    if (agent.queuedMs === undefined) return undefined;
    if (agent.status !== "queued" && agent.status !== "pending_init") return agent.queuedMs;
    const received = this.receivedAt.get(agent.id) ?? localNow;
    return agent.queuedMs + Math.max(0, localNow - received);
  }

  /** Milliseconds before the agent's timeout fires, or undefined without a limit. */
  remainingAt(agent: AgentSnapshot, localNow: number): number | undefined {
    if (agent.timeoutAt === undefined) return undefined;
    // Paused while the agent starts up or queues for a slot: what is left does not move.
    if (agent.timeoutPausedLeftMs !== undefined) return agent.timeoutPausedLeftMs;
    return agent.timeoutAt - (localNow - this.clockOffset);
  }

  /** Ids from the root down to (excluding) the agent, as shown. */
  ancestorsOf(id: string): string[] {
    const chain: string[] = [];
    let current = this.agents.get(id);
    while (current) {
      const parent = this.shownParent(current);
      if (parent === null || chain.includes(parent)) break;
      chain.unshift(parent);
      current = this.agents.get(parent);
    }
    return chain;
  }

  countByStatus(): Record<AgentStatus, number> {
    const counts: Record<AgentStatus, number> = {
      pending_init: 0,
      queued: 0,
      running: 0,
      waiting: 0,
      completed: 0,
      failed: 0,
      timed_out: 0,
      interrupted: 0,
    };
    for (const agent of this.agents.values()) counts[agent.status]++;
    return counts;
  }

  private structureChanged(): void {
    this.structureVersion++;
    this.childIndex = undefined;
  }

  private buildChildIndex(): Map<string | null, string[]> {
    const index = new Map<string | null, string[]>();
    for (const agent of this.agents.values()) {
      const parent = this.shownParent(agent);
      let list = index.get(parent);
      if (!list) index.set(parent, (list = []));
      list.push(agent.id);
    }
    const created = (id: string): number => this.agents.get(id)?.createdAt ?? 0;
    for (const [parent, list] of index) {
      const direction = parent === null ? -1 : 1;
      list.sort((a, b) => direction * (created(a) - created(b)) || (a < b ? -1 : a > b ? 1 : 0));
    }
    return index;
  }
}

/** The rows a reader sees, in order, with collapsed subtrees left out. */
export function flattenTree(store: AgentStore, collapsed: ReadonlySet<string>): FlatRow[] {
  const rows: FlatRow[] = [];
  const visited = new Set<string>();
  const visit = (ids: readonly string[], level: number, parentId: string | null): void => {
    ids.forEach((id, index) => {
      if (visited.has(id)) return; // a parent cycle in bad data must not hang the view
      visited.add(id);
      const children = store.childrenOf(id);
      const hasChildren = children.length > 0;
      const expanded = hasChildren && !collapsed.has(id);
      rows.push({ id, level, hasChildren, expanded, posInSet: index + 1, setSize: ids.length, parentId });
      if (expanded) visit(children, level + 1, id);
    });
  };
  visit(store.childrenOf(null), 1, null);
  return rows;
}

/**
 * The host counts a run's elapsed time from its start to its end, including
 * time spent queued for a slot or waiting on children, so the view ticks in
 * all of those states (not before the first start, nor after the end).
 */
export function elapsedAdvances(agent: AgentSnapshot): boolean {
  return agent.startedAt !== undefined && (agent.status === "running" || agent.status === "waiting" || agent.status === "queued");
}
