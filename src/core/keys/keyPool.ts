import { systemClock, type Clock } from "../common/clock";
import { Disposable, type IDisposable } from "../common/disposable";
import { Emitter, type Event } from "../common/emitter";
import type { KeyPoolSummary } from "../protocol/agentSnapshot";
import { applyOutcome, DEFAULT_COOLDOWN_SECONDS, forgive, newRecord, snapshotOf, stateOf, toLadderMs, type KeyHealthSnapshot, type KeyRecord } from "./keyHealth";
import { KeyLease, type LeaseOutcome, type RequestCost } from "./keyLease";
import type { DimensionCosts } from "./keyLimits";
import { RequestCalibration } from "./requestCalibration";


/** The cost of a request nobody estimated (the synchronous `acquire()`). */
const UNKNOWN_COST: RequestCost = { inputTokens: 0 };

export interface KeyPoolOptions {
  providerId: string;
  keys?: readonly string[];
  clock?: Clock;
  /** Cooldown after the 1st, 2nd, … consecutive failure; the last step repeats. */
  cooldownSeconds?: readonly number[];
}

/** A caller waiting for a key with room for its request. */
interface Waiter {
  readonly cost: RequestCost;
  readonly costs: DimensionCosts;
  readonly resolve: (lease: KeyLease | undefined) => void;
  readonly cleanup: () => void;
}

/**
 * The keys of one provider, and only that provider's. Paces each key against
 * whatever limit binds it (see KeyLimits), tracks per-key health, and hands
 * keys out round-robin among those with room.
 *
 * Two kinds of bad news are kept apart. A 429 that asks to slow down is
 * pacing: the key waits what the provider said and its learned rate goes
 * down, but it stays healthy. The cooldown ladder is for ill health: quota
 * exhausted (402, `insufficient_quota`), 5xx/529, connection failures, and
 * 429s that keep coming however the key is paced.
 *
 * Callers that find no key with room wait in one queue (first come, first
 * served among those that fit) and are woken by a single timer set for the earliest moment a key
 * has room, or at once when an answer frees room: no polling, and no key is
 * left idle while a caller waits and that key has room for it.
 *
 * Selection, in order:
 * 1. healthy keys with room for the request, round-robin;
 * 2. every key cooling: round-robin over keys the provider accepts now
 *    (Retry-After passed, room), advancing, so we neither stop nor hammer one key.
 * Invalid keys (401/403) are never handed out.
 */
export class KeyPool extends Disposable {
  readonly providerId: string;
  private records: KeyRecord[] = [];
  private cursor = 0;
  private ladderMs: number[];
  private readonly clock: Clock;
  private readonly calibration = new RequestCalibration();
  private readonly waiters: Waiter[] = [];
  private wakeTimer: { at: number; timer: IDisposable } | undefined;
  private pumping = false;
  private pumpAgain = false;
  private readonly changed = this.register(new Emitter<void>());
  /** Fires when keys are added/removed or a key changes state (healthy, cooling, invalid). */
  readonly onDidChange: Event<void> = this.changed.event;

  constructor(options: KeyPoolOptions) {
    super();
    this.providerId = options.providerId;
    this.clock = options.clock ?? systemClock;
    this.ladderMs = toLadderMs(options.cooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS);
    this.register({
      dispose: () => {
        this.records.forEach((r) => r.coolingTimer?.dispose());
        this.wakeTimer?.timer.dispose();
        this.wakeTimer = undefined;
        for (const waiter of this.waiters.splice(0)) {
          waiter.cleanup();
          waiter.resolve(undefined);
        }
      },
    });
    if (options.keys) this.setKeys(options.keys);
  }

  /** The endpoint origin every key of this pool is bound to (set by KeyPools with the keys); leases carry it. */
  private boundOrigin: string | undefined;

  get origin(): string | undefined {
    return this.boundOrigin;
  }

  bindOrigin(origin: string | undefined): void {
    this.boundOrigin = origin;
  }

  get size(): number {
    return this.records.length;
  }

  /** Callers waiting for a key with room. */
  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * Replaces the key set. Keys that stay keep their health (a reload after
   * another window added a key must not forgive a cooling or invalid key).
   */
  setKeys(keys: readonly string[]): void {
    const unique = [...new Set(keys.filter((k) => k.length > 0))];
    const before = this.records.map((r) => r.key);
    if (before.length === unique.length && before.every((k, i) => k === unique[i])) return;
    const old = new Map(this.records.map((r) => [r.key, r]));
    this.records = unique.map((key) => {
      const kept = old.get(key);
      old.delete(key);
      return kept ?? newRecord(key);
    });
    for (const removed of old.values()) removed.coolingTimer?.dispose();
    this.cursor = this.records.length > 0 ? this.cursor % this.records.length : 0;
    this.changed.fire();
    this.pump();
  }

  setCooldownLadder(seconds: readonly number[]): void {
    this.ladderMs = toLadderMs(seconds);
  }

  /** Keys not marked invalid. Cooling keys count: they come back on their own. */
  usableKeyCount(): number {
    return this.records.filter((r) => r.invalidReason === undefined).length;
  }

  /**
   * A key with room for a request of `cost`, as soon as one has room. Waits
   * (in line with other callers) while none has; undefined when no key is
   * usable (none, or all invalid) or `signal` aborts.
   */
  lease(cost: RequestCost, signal: AbortSignal): Promise<KeyLease | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    const costs = this.calibration.costs(cost);
    if (this.waiters.length === 0) {
      const pick = this.pick(costs, this.clock.now());
      if (pick.lease || pick.at === undefined) return Promise.resolve(pick.lease ? this.issue(pick.lease, cost, costs) : undefined);
    }
    return new Promise((resolve) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(undefined);
        this.pump();
      };
      const waiter: Waiter = { cost, costs, resolve, cleanup: () => signal.removeEventListener("abort", onAbort) };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** When a request of `cost` could go at the earliest (now, a later time, or undefined: no usable key). */
  nextReadyAt(cost: RequestCost): number | undefined {
    const pick = this.pick(this.calibration.costs(cost), this.clock.now());
    return pick.lease ? this.clock.now() : pick.at;
  }

  /**
   * A key to use now, or a pointer to the key that frees first (`notBefore` in
   * the future: release it unused and ask again). Undefined when no key is
   * usable. Callers that can wait should use `lease()`, which queues them.
   */
  acquire(cost: RequestCost = UNKNOWN_COST): KeyLease | undefined {
    const costs = this.calibration.costs(cost);
    const now = this.clock.now();
    const pick = this.pick(costs, now);
    if (pick.lease) return this.issue(pick.lease, cost, costs);
    if (pick.at === undefined || !pick.soonest) return undefined;
    return this.pointer(pick.soonest.record, pick.at, pick.soonest.fallback);
  }

  /** Clears an invalid mark (the user re-added or re-enabled the key); true when a key matched. */
  reenable(keyFingerprint: string): boolean {
    let matched = false;
    for (const record of this.records) {
      if (record.fingerprint !== keyFingerprint) continue;
      matched = true;
      forgive(record);
    }
    if (matched) {
      this.changed.fire();
      this.pump();
    }
    return matched;
  }

  snapshot(): KeyHealthSnapshot[] {
    const now = this.clock.now();
    return this.records.map((r) => snapshotOf(r, now));
  }

  summary(): KeyPoolSummary {
    const now = this.clock.now();
    const summary: KeyPoolSummary = { providerId: this.providerId, healthy: 0, cooling: 0, invalid: 0 };
    for (const record of this.records) summary[stateOf(record, now)]++;
    return summary;
  }

  /** Raw keys, only for redaction of text that might echo them. */
  secretsForRedaction(): string[] {
    return this.records.map((r) => r.key);
  }

  /**
   * The key to use now for a request of `costs`, else when one will have room
   * (`at`; Infinity: when an answer frees room) and which; `at` undefined
   * when no key is usable at all.
   */
  private pick(
    costs: DimensionCosts,
    now: number,
  ): { lease?: { record: KeyRecord; index: number; fallback: boolean }; at?: number; soonest?: { record: KeyRecord; fallback: boolean } } {
    const usable = this.inRoundRobinOrder().filter(({ record }) => record.invalidReason === undefined);
    if (usable.length === 0) return {};
    const healthy = usable.filter(({ record }) => record.coolingUntil <= now);
    // Every key cooling: use those the provider accepts now rather than stop.
    const fallback = healthy.length === 0;
    const candidates = fallback ? usable : healthy;
    let soonest: { record: KeyRecord; fallback: boolean } | undefined;
    let at = Infinity;
    for (const entry of candidates) {
      const ready = Math.max(entry.record.limits.readyAt(now, costs), fallback ? entry.record.retryAfterUntil : 0);
      if (ready <= now) return { lease: { ...entry, fallback } };
      if (ready < at || !soonest) {
        at = ready;
        soonest = { record: entry.record, fallback };
      }
    }
    // A cooling key comes back at the end of its cooldown.
    if (!fallback) for (const { record } of usable) if (record.coolingUntil > now) at = Math.min(at, record.coolingUntil);
    return soonest ? { at, soonest } : { at };
  }

  /** Serves waiting callers, first come first served, while keys have room; then sleeps until one will. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.serveWaiters();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  /**
   * First fit, in order of arrival: a small request behind a large one that
   * does not fit anywhere yet goes now rather than leave the room unused.
   * The large one is not starved: when a window resets it is first in line.
   */
  private serveWaiters(): void {
    const now = this.clock.now();
    let wake = Infinity;
    for (let i = 0; i < this.waiters.length; ) {
      const waiter = this.waiters[i] as Waiter;
      const pick = this.pick(waiter.costs, now);
      if (pick.lease) {
        this.waiters.splice(i, 1);
        waiter.cleanup();
        waiter.resolve(this.issue(pick.lease, waiter.cost, waiter.costs));
        continue;
      }
      if (pick.at === undefined) {
        // No usable key left: nobody can be served.
        for (const gone of this.waiters.splice(0)) {
          gone.cleanup();
          gone.resolve(undefined);
        }
        break;
      }
      wake = Math.min(wake, pick.at);
      i++;
    }
    this.wakeAt(wake, now);
  }

  /** One timer for the earliest moment a key has room; an answer that frees room wakes the queue sooner. */
  private wakeAt(at: number, now: number): void {
    if (!Number.isFinite(at)) {
      this.wakeTimer?.timer.dispose();
      this.wakeTimer = undefined;
      return;
    }
    if (this.wakeTimer?.at === at) return;
    this.wakeTimer?.timer.dispose();
    const timer = this.clock.setTimeout(() => {
      if (this.wakeTimer?.timer === timer) this.wakeTimer = undefined;
      this.pump();
    }, Math.max(0, at - now));
    this.wakeTimer = { at, timer };
  }

  /** Records starting at the cursor, so that scans are round-robin. */
  private inRoundRobinOrder(): Array<{ record: KeyRecord; index: number }> {
    const n = this.records.length;
    return Array.from({ length: n }, (_, step) => {
      const index = (this.cursor + step) % n;
      return { record: this.records[index] as KeyRecord, index };
    });
  }

  private issue(entry: { record: KeyRecord; index: number; fallback: boolean }, cost: RequestCost, costs: DimensionCosts): KeyLease {
    const { record, fallback } = entry;
    this.cursor = (entry.index + 1) % this.records.length;
    const seq = ++record.issued;
    const now = this.clock.now();
    record.limits.begin(seq, costs, now);
    const known = () => this.records.includes(record);
    const origin = this.boundOrigin;
    return new KeyLease(this.providerId, record.key, record.fingerprint, now, fallback, false, {
      sending: () => record.limits.sending(seq, this.clock.now()),
      observe: (info) => {
        record.limits.observe(seq, info, this.clock.now());
        this.pump();
      },
      release: (outcome) => {
        this.settle(record, seq, cost, outcome);
        // A key removed while its lease was out has no health left to update.
        if (known()) this.apply(record, outcome, now);
        this.pump();
      },
    }, origin);
  }

  /** A lease that only says when to ask again (see acquire()). */
  private pointer(record: KeyRecord, notBefore: number, fallback: boolean): KeyLease {
    return new KeyLease(this.providerId, record.key, record.fingerprint, notBefore, fallback, true, { sending: () => undefined, observe: () => undefined, release: () => undefined }, this.boundOrigin);
  }

  /** What the answer taught about the key's limits. */
  private settle(record: KeyRecord, seq: number, cost: RequestCost, outcome: LeaseOutcome): void {
    const now = this.clock.now();
    const limits = record.limits;
    switch (outcome.kind) {
      case "success":
        if (outcome.usage) this.calibration.learn(cost, outcome.usage);
        if (limits.succeeded(seq, outcome.rateLimit, outcome.usage, now)) this.share(record);
        return;
      case "throttled":
        limits.throttled(seq, outcome.rateLimit, outcome.retryAfterMs, outcome.concurrency === true, now);
        this.share(record);
        return;
      case "failure":
        if (outcome.rateLimit) limits.observe(seq, outcome.rateLimit, now, false);
        limits.abandoned(seq, now);
        return;
      default:
        limits.abandoned(seq, now);
    }
  }

  /** Keys of one provider usually share a tier: what one learned from a refusal is the others' first guess. */
  private share(from: KeyRecord): void {
    const learned = from.limits.learned();
    const rate = from.limits.adaptivePerSecond;
    for (const record of this.records) if (record !== from) record.limits.adopt(learned, rate);
  }

  /** `issuedAt`: when the request was handed its key. */
  private apply(record: KeyRecord, outcome: LeaseOutcome, issuedAt: number): void {
    const now = this.clock.now();
    const { cooled, changed } = applyOutcome(record, outcome, issuedAt, now, this.ladderMs);
    if (cooled) this.scheduleCoolingEnd(record, now);
    if (changed) this.changed.fire();
  }

  private scheduleCoolingEnd(record: KeyRecord, now: number): void {
    record.coolingTimer?.dispose();
    record.coolingTimer = this.clock.setTimeout(() => {
      record.coolingTimer = undefined;
      this.changed.fire();
      this.pump();
    }, Math.max(0, record.coolingUntil - now));
  }
}
