import { systemClock, type Clock } from "../common/clock";
import { Disposable, type IDisposable } from "../common/disposable";
import { Emitter, type Event } from "../common/emitter";
import type { KeyPoolSummary } from "../protocol/agentSnapshot";
import { fingerprint } from "./fingerprint";
import { KeyLease, type KeyFailureClass, type LeaseOutcome } from "./keyLease";
import { RequestBudget } from "./requestBudget";

export const DEFAULT_COOLDOWN_SECONDS: readonly number[] = [30, 300, 1800];

export type KeyState = "healthy" | "cooling" | "invalid";

/** What the UI may know about one key: never the key, only its fingerprint. */
export interface KeyHealthSnapshot {
  fingerprint: string;
  state: KeyState;
  /** Epoch ms; set while cooling. */
  coolingUntil?: number;
  /** Why the provider rejected the key; set while invalid. */
  invalidReason?: string;
  consecutiveFailures: number;
  lastErrorClass?: KeyFailureClass | "auth";
  lastErrorAt?: number;
  /** Successful requests since the key was loaded. */
  requestsServed: number;
  inFlight: number;
}

export interface KeyPoolOptions {
  providerId: string;
  keys?: readonly string[];
  clock?: Clock;
  /** Cooldown after the 1st, 2nd, … consecutive failure; the last step repeats. */
  cooldownSeconds?: readonly number[];
}

interface KeyRecord {
  readonly key: string;
  readonly fingerprint: string;
  consecutiveFailures: number;
  coolingUntil: number;
  /** Server-stated "not before" (Retry-After); honoured even in fallback. */
  retryAfterUntil: number;
  invalidReason: string | undefined;
  lastErrorClass: KeyFailureClass | "auth" | undefined;
  lastErrorAt: number | undefined;
  requestsServed: number;
  readonly budget: RequestBudget;
  /** Leases issued so far (their sequence numbers). */
  issued: number;
  coolingTimer: IDisposable | undefined;
}

/**
 * The keys of one provider, and only that provider's. Hands out keys
 * round-robin over healthy ones, tracks per-key health, and spreads load by
 * the provider's own rate-limit headers so that a busy pool rarely sees a 429.
 *
 * Selection, in order:
 * 1. healthy keys with request budget left, round-robin;
 * 2. healthy keys whose budget is spent: a pointer to the window that resets
 *    first (waiting beats a certain 429);
 * 3. every key cooling: plain round-robin over keys the provider accepts now
 *    (Retry-After passed), advancing, so we neither stop nor hammer one key;
 *    else a pointer to the key free soonest (Retry-After honoured).
 * Invalid keys (401/403) are never handed out.
 */
export class KeyPool extends Disposable {
  readonly providerId: string;
  private records: KeyRecord[] = [];
  private cursor = 0;
  private ladderMs: number[];
  private readonly clock: Clock;
  private readonly changed = this.register(new Emitter<void>());
  /** Fires when keys are added/removed or a key changes state (healthy, cooling, invalid). */
  readonly onDidChange: Event<void> = this.changed.event;

  constructor(options: KeyPoolOptions) {
    super();
    this.providerId = options.providerId;
    this.clock = options.clock ?? systemClock;
    this.ladderMs = toLadderMs(options.cooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS);
    this.register({ dispose: () => this.records.forEach((r) => r.coolingTimer?.dispose()) });
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
  }

  setCooldownLadder(seconds: readonly number[]): void {
    this.ladderMs = toLadderMs(seconds);
  }

  /** Keys not marked invalid. Cooling keys count: they come back on their own. */
  usableKeyCount(): number {
    return this.records.filter((r) => r.invalidReason === undefined).length;
  }

  /**
   * A key to use now, or a pointer to the key that frees first (`notBefore` in
   * the future: wait, release it unused and acquire again, so keys that free up
   * are shared out afresh). Undefined when no key is usable (none, or all invalid).
   */
  acquire(): KeyLease | undefined {
    const now = this.clock.now();
    const usable = this.inRoundRobinOrder().filter(({ record }) => record.invalidReason === undefined);
    if (usable.length === 0) return undefined;
    const healthy = usable.filter(({ record }) => record.coolingUntil <= now);
    const ready = healthy.find(({ record }) => record.budget.hasRoom(now));
    if (ready) return this.take(ready, now, false);
    if (healthy.length > 0) {
      // Every healthy key has spent its request budget: wait for the window that frees first.
      const first = earliest(healthy, ({ record }) => record.budget.readyAt(now));
      return this.lease(first.record, first.record.budget.readyAt(now), false, true);
    }
    // Every key is cooling: round-robin over those the provider lets us use now
    // (Retry-After passed, budget left), else point at the one free soonest.
    const fallback = usable.find(({ record }) => record.retryAfterUntil <= now && record.budget.hasRoom(now));
    if (fallback) return this.take(fallback, now, true);
    const readyAt = (record: KeyRecord) => Math.max(record.retryAfterUntil, record.budget.hasRoom(now) ? 0 : record.budget.readyAt(now));
    const soonest = earliest(usable, ({ record }) => readyAt(record));
    return this.lease(soonest.record, readyAt(soonest.record), true, true);
  }

  /** Clears an invalid mark (the user re-added or re-enabled the key); true when a key matched. */
  reenable(keyFingerprint: string): boolean {
    let matched = false;
    for (const record of this.records) {
      if (record.fingerprint !== keyFingerprint) continue;
      matched = true;
      record.invalidReason = undefined;
      record.consecutiveFailures = 0;
      record.coolingUntil = 0;
      record.retryAfterUntil = 0;
    }
    if (matched) this.changed.fire();
    return matched;
  }

  snapshot(): KeyHealthSnapshot[] {
    const now = this.clock.now();
    return this.records.map((r) => {
      const state = stateOf(r, now);
      const snap: KeyHealthSnapshot = {
        fingerprint: r.fingerprint,
        state,
        consecutiveFailures: r.consecutiveFailures,
        requestsServed: r.requestsServed,
        inFlight: r.budget.inFlight,
      };
      if (state === "cooling") snap.coolingUntil = r.coolingUntil;
      if (r.invalidReason !== undefined) snap.invalidReason = r.invalidReason;
      if (r.lastErrorClass !== undefined) snap.lastErrorClass = r.lastErrorClass;
      if (r.lastErrorAt !== undefined) snap.lastErrorAt = r.lastErrorAt;
      return snap;
    });
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

  /** Records starting at the cursor, so that scans are round-robin. */
  private inRoundRobinOrder(): Array<{ record: KeyRecord; index: number }> {
    const n = this.records.length;
    return Array.from({ length: n }, (_, step) => {
      const index = (this.cursor + step) % n;
      return { record: this.records[index] as KeyRecord, index };
    });
  }

  private take(entry: { record: KeyRecord; index: number }, now: number, fallback: boolean): KeyLease {
    this.cursor = (entry.index + 1) % this.records.length;
    return this.lease(entry.record, now, fallback);
  }

  /** A `pointer` lease is not a request; see acquire(). */
  private lease(record: KeyRecord, notBefore: number, fallback: boolean, pointer = false): KeyLease {
    const seq = ++record.issued;
    if (!pointer) record.budget.spend(seq);
    const known = () => this.records.includes(record);
    const origin = this.boundOrigin;
    return new KeyLease(this.providerId, record.key, record.fingerprint, notBefore, fallback, pointer, {
      observe: (info) => record.budget.settle(seq, info, this.clock.now()),
      release: (outcome) => {
        if (outcome.kind === "success" || outcome.kind === "failure") record.budget.settle(seq, outcome.rateLimit, this.clock.now());
        record.budget.finish(seq);
        // A key removed while its lease was out has no health left to update.
        if (known()) this.apply(record, outcome);
      },
    }, origin);
  }

  private apply(record: KeyRecord, outcome: LeaseOutcome): void {
    const now = this.clock.now();
    const before = stateOf(record, now);
    switch (outcome.kind) {
      case "unused":
        return;
      case "success":
        record.requestsServed++;
        record.consecutiveFailures = 0;
        record.coolingUntil = 0;
        record.retryAfterUntil = 0;
        record.coolingTimer?.dispose();
        record.coolingTimer = undefined;
        break;
      case "failure": {
        record.consecutiveFailures++;
        record.lastErrorClass = outcome.errorClass;
        record.lastErrorAt = now;
        const step = this.ladderMs[Math.min(record.consecutiveFailures, this.ladderMs.length) - 1] ?? 0;
        const retryAfter = outcome.retryAfterMs ?? 0;
        // Retry-After wins when it is longer than the ladder step.
        record.coolingUntil = Math.max(record.coolingUntil, now + Math.max(step, retryAfter));
        record.retryAfterUntil = Math.max(record.retryAfterUntil, now + retryAfter);
        this.scheduleCoolingEnd(record, now);
        break;
      }
      case "invalid":
        record.invalidReason = outcome.reason;
        record.lastErrorClass = "auth";
        record.lastErrorAt = now;
        break;
    }
    // Each failure changes what "Show Key Pool" says (until when, how many failures).
    if (stateOf(record, now) !== before || outcome.kind === "failure") this.changed.fire();
  }

  private scheduleCoolingEnd(record: KeyRecord, now: number): void {
    record.coolingTimer?.dispose();
    record.coolingTimer = this.clock.setTimeout(() => {
      record.coolingTimer = undefined;
      this.changed.fire();
    }, Math.max(0, record.coolingUntil - now));
  }
}

function newRecord(key: string): KeyRecord {
  return {
    key,
    fingerprint: fingerprint(key),
    consecutiveFailures: 0,
    coolingUntil: 0,
    retryAfterUntil: 0,
    invalidReason: undefined,
    lastErrorClass: undefined,
    lastErrorAt: undefined,
    requestsServed: 0,
    budget: new RequestBudget(),
    issued: 0,
    coolingTimer: undefined,
  };
}

function earliest<T>(items: readonly T[], time: (item: T) => number): T {
  return items.reduce((a, b) => (time(b) < time(a) ? b : a));
}

function stateOf(record: KeyRecord, now: number): KeyState {
  if (record.invalidReason !== undefined) return "invalid";
  return record.coolingUntil > now ? "cooling" : "healthy";
}

function toLadderMs(seconds: readonly number[]): number[] {
  const steps = seconds.filter((s) => Number.isFinite(s) && s > 0).map((s) => s * 1000);
  return steps.length > 0 ? steps : DEFAULT_COOLDOWN_SECONDS.map((s) => s * 1000);
}
