import { AdaptiveRate } from "./adaptiveRate";
import { LIMIT_DIMENSIONS, type LimitDimension, type RateLimitInfo, type TokenUsage } from "./keyLease";
import { RequestBudget } from "./requestBudget";

/**
 * Requests one key may carry before the first answer shows whether the
 * provider states its limits: enough for the scheduler's two slots per key,
 * few enough that a burst of callers cannot overrun an unknown limit.
 */
export const PROBE_IN_FLIGHT = 2;
/** When a spent limit states no reset and nothing is in flight, look again after this long. */
const LOOK_AGAIN_MS = 1000;
/** Successes at a learned in-flight cap before trying one more. */
const SUCCESSES_BEFORE_WIDENING = 16;

/** How long, in windows, a key that ran out of room keeps an even pace. */
const SPACED_FOR_WINDOWS = 2;

/**
 * The even pace runs this much faster than the limit: the key's room still
 * decides, and a request held up a little is made up for rather than lost.
 */
const SPACING = 0.85;

/** What one request costs in each dimension. */
export type DimensionCosts = Record<LimitDimension, number>;

/** A limit one key learned, for its sibling keys to start from. */
export interface LearnedLimit {
  dimension: LimitDimension;
  limit: number;
  windowMs: number;
}

/** What paces a key, for the user (Show Key Pool): nothing here is the key. */
export interface KeyPacing {
  /** Limits the provider stated (or a sibling key learned), with their windows as measured. */
  limits: LearnedLimit[];
  /** Adaptive pacing's rate, where the provider states no limits and refused a request. */
  perSecond?: number;
  /** Requests in flight at once, learned from concurrency refusals. */
  maxInFlight?: number;
}

/**
 * Everything that paces one key: a budget per stated limit (requests, tokens,
 * input and output tokens), a cap on requests in flight learned from
 * concurrency refusals, the provider's Retry-After, and adaptive pacing for
 * providers that state no limits at all. `readyAt` is the earliest time a
 * request of the given cost would not be refused.
 */
export class KeyLimits {
  private readonly budgets = new Map<LimitDimension, RequestBudget>(
    LIMIT_DIMENSIONS.map((d) => [d, new RequestBudget({ countedOnAcceptance: d === "requests" || d === "inputTokens" })]),
  );
  private readonly adaptive = new AdaptiveRate();
  /** Requests out, and when each was handed its key (then: went on the wire). */
  private readonly inFlight = new Map<number, number>();
  private maxInFlight: number | undefined;
  private successesAtCap = 0;
  private answered = false;
  /** Some answer stated limits: pace by them, not adaptively. */
  private statesLimits = false;
  /** Server-stated "not before" (Retry-After, or the reset of a spent limit on a 429). */
  notBefore = 0;
  /** When a request last had to wait for room under a known limit. */
  private fullAt = -Infinity;
  /** The next slot of the even pace a full key keeps (see `spaced`). */
  private spacedNextAt = 0;

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  get inFlightCap(): number | undefined {
    return this.maxInFlight;
  }

  get adaptivePerSecond(): number | undefined {
    return this.adaptive.perSecond;
  }

  /** Earliest time a request of `costs` may go; Infinity when only an answer to a request in flight can tell. */
  readyAt(now: number, costs: DimensionCosts): number {
    const inFlight = this.inFlight.size;
    if (!this.answered && inFlight >= PROBE_IN_FLIGHT) return Infinity;
    if (this.maxInFlight !== undefined && inFlight >= this.maxInFlight) return Infinity;
    let at = Math.max(now, this.notBefore);
    let room = now;
    for (const [dimension, budget] of this.budgets) room = Math.max(room, budget.readyAt(now, costs[dimension]));
    if (room > now) this.fullAt = now;
    at = Math.max(at, room, this.spaced(now) !== undefined ? this.spacedNextAt : now);
    if (!this.statesLimits) at = Math.max(at, this.adaptive.readyAt(now));
    // Only an answer can free room, but none is coming: look again soon rather than never.
    if (at === Infinity && inFlight === 0) return now + LOOK_AGAIN_MS;
    return at;
  }

  begin(seq: number, costs: DimensionCosts, now: number): void {
    const interval = this.spaced(now);
    if (interval !== undefined) {
      // One interval after the last slot, not after now: a late timer must not slow the pace.
      const slot = now - this.spacedNextAt < interval ? this.spacedNextAt : now;
      this.spacedNextAt = slot + interval;
    }
    this.inFlight.set(seq, now);
    for (const [dimension, budget] of this.budgets) budget.spend(seq, costs[dimension], now);
    this.adaptive.sent(now);
  }

  sending(seq: number, now: number): void {
    for (const budget of this.budgets.values()) budget.sending(seq, now);
    // The provider counts a request from when it goes on the wire, a little after it was handed its key.
    if (this.inFlight.has(seq)) this.inFlight.set(seq, now);
    this.adaptive.onWire(now);
  }

  /** The answer's headers arrived (undefined: it stated no limits). */
  observe(seq: number, info: RateLimitInfo | undefined, now: number, counted = true): void {
    this.answered = true;
    if (info) this.statesLimits = true;
    for (const [dimension, budget] of this.budgets) budget.settle(seq, info?.[dimension], now, counted);
  }

  /** True when the answer raised what adaptive pacing measured at the first refusal (other keys may follow it). */
  succeeded(seq: number, info: RateLimitInfo | undefined, usage: TokenUsage | undefined, now: number): boolean {
    this.observe(seq, info, now);
    if (usage) {
      this.budgets.get("inputTokens")?.correct(seq, usage.inputTokens);
      this.budgets.get("outputTokens")?.correct(seq, usage.outputTokens);
      this.budgets.get("tokens")?.correct(seq, usage.inputTokens + usage.outputTokens);
    }
    const remeasured = !this.statesLimits && this.adaptive.success(now, this.inFlight.get(seq) ?? now);
    if (this.maxInFlight !== undefined && this.inFlight.size >= this.maxInFlight && ++this.successesAtCap >= SUCCESSES_BEFORE_WIDENING) {
      this.maxInFlight++;
      this.successesAtCap = 0;
    }
    this.end(seq, now);
    return remeasured;
  }

  /**
   * A 429 asking to slow down. The key waits what the provider said (its
   * Retry-After, else the reset of the limit it ran out of) and its pace is
   * lowered: a stated limit is spent until its reset, a concurrency cap
   * drops below what was in flight, adaptive pacing cuts its rate.
   */
  throttled(seq: number, info: RateLimitInfo | undefined, retryAfterMs: number | undefined, concurrency: boolean, now: number): void {
    const inFlight = this.inFlight.size;
    const sentAt = this.inFlight.get(seq) ?? now;
    this.observe(seq, info, now, false);
    const spentReset = spentResetMs(info, now);
    const wait = retryAfterMs ?? spentReset;
    if (wait !== undefined) this.notBefore = Math.max(this.notBefore, now + wait);
    if (concurrency) {
      this.maxInFlight = Math.max(1, inFlight - 1);
      this.successesAtCap = 0;
    } else if (!this.statesLimits) {
      this.adaptive.throttled(now, sentAt, retryAfterMs);
    }
    this.end(seq, now);
  }

  /** Over without a verdict on its cost (failure, abort): it may still have been counted. */
  abandoned(seq: number, now: number): void {
    for (const budget of this.budgets.values()) budget.finish(seq, now);
    this.end(seq, now);
  }

  /** What paces this key now; undefined while nothing does (no limit stated, no refusal yet). */
  pacing(): KeyPacing | undefined {
    const limits = this.learned();
    const perSecond = this.statesLimits ? undefined : this.adaptive.perSecond;
    if (limits.length === 0 && perSecond === undefined && this.maxInFlight === undefined) return undefined;
    return {
      limits,
      ...(perSecond !== undefined ? { perSecond } : {}),
      ...(this.maxInFlight !== undefined ? { maxInFlight: this.maxInFlight } : {}),
    };
  }

  /** Limits this key knows, for keys that know none yet. */
  learned(): LearnedLimit[] {
    const out: LearnedLimit[] = [];
    for (const [dimension, budget] of this.budgets) {
      const limit = budget.learnedLimit;
      if (limit !== undefined && budget.learnedWindowMs > 0) out.push({ dimension, limit, windowMs: budget.learnedWindowMs });
    }
    return out;
  }

  adopt(limits: readonly LearnedLimit[], adaptivePerSecond: number | undefined): void {
    for (const { dimension, limit, windowMs } of limits) this.budgets.get(dimension)?.adopt(limit, windowMs);
    if (adaptivePerSecond !== undefined && !this.statesLimits) this.adaptive.adopt(adaptivePerSecond);
  }

  /**
   * Once a key has run out of room its requests go evenly spaced at about
   * the pace of its request limit (window ÷ limit), rather than all at once
   * each time a burst's room frees: a burst crowds the client, its answers
   * are read late, and room is freed late by as much, window after window.
   * Until then (a fresh or lightly used key) requests go as soon as there is
   * room. Token limits are not spaced: requests of different sizes do not
   * stay in step. Undefined: not spaced.
   */
  private spaced(now: number): number | undefined {
    const requests = this.budgets.get("requests");
    const limit = requests?.learnedLimit;
    const span = requests?.shortestWindowMs ?? 0;
    if (limit === undefined || limit <= 0 || span <= 0 || now - this.fullAt >= SPACED_FOR_WINDOWS * span) return undefined;
    return (SPACING * span) / limit;
  }

  private end(seq: number, now: number): void {
    for (const budget of this.budgets.values()) budget.finish(seq, now);
    this.inFlight.delete(seq);
  }
}

/** The longest reset among limits a 429 says are spent. */
function spentResetMs(info: RateLimitInfo | undefined, now: number): number | undefined {
  let wait: number | undefined;
  for (const reading of Object.values(info ?? {})) {
    if (reading?.remaining !== 0) continue;
    const ms = reading.resetAt !== undefined ? reading.resetAt - now : reading.resetMs;
    if (ms !== undefined) wait = Math.max(wait ?? 0, ms);
  }
  return wait;
}
