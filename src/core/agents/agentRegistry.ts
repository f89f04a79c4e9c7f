import type { Clock } from "../common/clock";
import type { IDisposable } from "../common/disposable";
import { Emitter } from "../common/emitter";
import type { AgentSnapshot } from "../protocol/agentSnapshot";
import { toSnapshot, type AgentRecord, type SubtreeTotals } from "./agentRecord";
import { NO_PRICES, addCosts, agentCostUsd, type PriceLookup } from "./pricing";
import { isFinal } from "./status";
import { effectiveLimits, hasLimits, NO_LIMITS, overBudget, spendOf, type TaskLimits } from "./taskLimits";

/**
 * The agent tree: every agent of this window, parents before children. It
 * owns the records, answers tree questions (subtree, ancestry) and fires one
 * change event per mutation; the UI coalesces them as it needs.
 */
export class AgentRegistry implements IDisposable {
  private readonly records = new Map<string, AgentRecord>();
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  /** `prices` is read on every snapshot, so a settings change shows at the next one. */
  constructor(
    private readonly clock: Clock,
    private readonly prices: () => PriceLookup = () => NO_PRICES,
    /** The per-task limits of the settings now (0 = none); a root's own raise is applied on top. */
    private readonly budget: () => TaskLimits = () => NO_LIMITS,
  ) {}

  add(record: AgentRecord): void {
    if (this.records.has(record.id)) throw new Error(`an agent with id ${record.id} already exists`);
    this.records.set(record.id, record);
    if (record.parentId !== null) this.records.get(record.parentId)?.childIds.push(record.id);
    this.changed.fire();
  }

  /** Tells listeners that values derived from settings (costs) may read differently now. */
  settingsChanged(): void {
    this.changed.fire();
  }

  has(agentId: string): boolean {
    return this.records.has(agentId);
  }

  get(agentId: string): AgentRecord | undefined {
    return this.records.get(agentId);
  }

  /** The record, or an Error fit for a user or a model. */
  require(agentId: string): AgentRecord {
    const record = this.records.get(agentId);
    if (!record) throw new Error(`No agent with id "${agentId}" exists (it may have been cleared).`);
    return record;
  }

  /** Mutates a record and announces the change; unknown ids are ignored. */
  update(agentId: string, mutate: (record: AgentRecord) => void): void {
    const record = this.records.get(agentId);
    if (!record) return;
    mutate(record);
    this.changed.fire();
  }

  /** For changes outside the records that the UI shows (the pause flag). */
  notifyChanged(): void {
    this.changed.fire();
  }

  all(): IterableIterator<AgentRecord> {
    return this.records.values();
  }

  get size(): number {
    return this.records.size;
  }

  children(agentId: string): AgentRecord[] {
    const record = this.records.get(agentId);
    if (!record) return [];
    return record.childIds.flatMap((id) => this.records.get(id) ?? []);
  }

  /** Every descendant, breadth first. */
  descendants(agentId: string): AgentRecord[] {
    const out = this.children(agentId);
    for (let i = 0; i < out.length; i++) {
      const next = out[i];
      if (next) out.push(...this.children(next.id));
    }
    return out;
  }

  isDescendant(ancestorId: string, agentId: string): boolean {
    let current = this.records.get(agentId);
    while (current && current.parentId !== null) {
      if (current.parentId === ancestorId) return true;
      current = this.records.get(current.parentId);
    }
    return false;
  }

  snapshot(agentId: string): AgentSnapshot | undefined {
    const record = this.records.get(agentId);
    if (!record) return undefined;
    const prices = this.prices();
    const own = agentCostUsd(prices, record);
    const subtree: SubtreeTotals = { in: record.tokensIn, cached: record.cachedTokensIn, out: record.tokensOut, costUsd: own };
    for (const d of this.descendants(agentId)) {
      subtree.in += d.tokensIn;
      subtree.cached = (subtree.cached ?? 0) + d.cachedTokensIn;
      subtree.out += d.tokensOut;
      subtree.costUsd = addCosts(subtree.costUsd, agentCostUsd(prices, d));
    }
    return withBudget(toSnapshot(record, this.clock.now(), subtree, own), record, this.budget());
  }

  snapshotAll(): AgentSnapshot[] {
    const now = this.clock.now();
    const prices = this.prices();
    const own = new Map<string, number | undefined>();
    const ownCost = (record: AgentRecord): number | undefined => {
      if (own.has(record.id)) return own.get(record.id);
      const cost = agentCostUsd(prices, record);
      own.set(record.id, cost);
      return cost;
    };
    const totals = new Map<string, SubtreeTotals>();
    const totalOf = (record: AgentRecord): SubtreeTotals => {
      const known = totals.get(record.id);
      if (known) return known;
      const sum: SubtreeTotals = { in: record.tokensIn, cached: record.cachedTokensIn, out: record.tokensOut, costUsd: ownCost(record) };
      for (const child of this.children(record.id)) {
        const c = totalOf(child);
        sum.in += c.in;
        sum.cached = (sum.cached ?? 0) + (c.cached ?? 0);
        sum.out += c.out;
        sum.costUsd = addCosts(sum.costUsd, c.costUsd);
      }
      totals.set(record.id, sum);
      return sum;
    };
    const budget = this.budget();
    return [...this.records.values()].map((record) => withBudget(toSnapshot(record, now, totalOf(record), ownCost(record)), record, budget));
  }

  /** Removes whole root trees in which every agent is final; returns how many agents went. */
  removeFinishedRoots(): number {
    let removed = 0;
    for (const record of [...this.records.values()]) {
      if (record.parentId !== null || !this.records.has(record.id)) continue;
      const tree = [record, ...this.descendants(record.id)];
      // A worktree not yet merged or discarded keeps its tree: its row is the only way to either.
      if (!tree.every((r) => isFinal(r.status) && r.worktree === undefined)) continue;
      for (const r of tree) this.records.delete(r.id);
      removed += tree.length;
    }
    if (removed > 0) this.changed.fire();
    return removed;
  }

  countWhere(predicate: (record: AgentRecord) => boolean): number {
    let n = 0;
    for (const record of this.records.values()) if (predicate(record)) n++;
    return n;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** A root shows its task's limits and whether they are reached, so the tree can show spend against them. */
function withBudget(snapshot: AgentSnapshot, record: AgentRecord, base: TaskLimits): AgentSnapshot {
  if (snapshot.parentId !== null) return snapshot;
  const limits = effectiveLimits(base, record.budgetRaise);
  if (!hasLimits(limits)) return snapshot;
  snapshot.budget = {
    ...(limits.maxTokens > 0 ? { maxTokens: limits.maxTokens } : {}),
    ...(limits.maxCostUsd > 0 ? { maxCostUsd: limits.maxCostUsd } : {}),
    ...(overBudget(limits, spendOf(snapshot), record.budgetRaise) !== undefined ? { reached: true } : {}),
  };
  return snapshot;
}
