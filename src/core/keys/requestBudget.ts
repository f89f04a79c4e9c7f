import type { LimitReading } from "./keyLease";

/** Answers this close together may arrive out of order: a higher "remaining" among them is stale. */
const REORDER_MS = 100;
/**
 * A window learned from a reset time is measured from when we saw an answer,
 * not from when the provider counted the request: pad it so jitter of a few
 * milliseconds cannot turn into a refusal.
 */
const WINDOW_MARGIN = 0.01;
const WINDOW_MARGIN_MIN_MS = 10;
/** How far window measurements may differ (one-way delays vary) and still count as the same window. */
const STEADY_TOLERANCE = 0.03;

/** Window measurements that must agree before our log may overrule a statement. */
const STEADY_SPANS = 3;
/** Window measurements kept: enough that a few delayed answers cannot decide what the window is. */
const SPAN_HISTORY = 16;
/** How long a stated "remaining" holds when the answer gives no reset time. */
const UNSTATED_RESET_MS = 1000;
/** How long requests are remembered before a window is known, and at most how many. */
const KEEP_UNLEARNED_MS = 60_000;
const MAX_LOG = 4096;

/**
 * A reset stated as a duration counts from when the provider answered,
 * which we do not see: we take the middle of the round trip (as clock
 * synchronisation does), so neither a slow send nor an answer waiting in a
 * busy client skews it much. An allowance is added for round trips less
 * even than that: this much at least, doubled by every refusal and worn
 * down again by answers that were not refused.
 */
const SEND_JITTER_MS = 10;
const MAX_ALLOWANCE_MS = 500;
const ALLOWANCE_DECAY = 0.998;

interface Sent {
  cost: number;
  sentAt: number;
  /** When its answer came: by then the provider had surely counted it. Infinity while out. */
  answeredAt: number;
  /**
   * When its own answer said the limit is full again: by then this request
   * no longer counts, whatever the shape of the limit (a sliding window's
   * "full again" is this request's own expiry, a fixed window's its end, a
   * bucket's its refill). Undefined when the answer stated no reset.
   */
  freedAt?: number;
}

export interface RequestBudgetOptions {
  /**
   * The provider counts the whole cost when it accepts the request (requests,
   * input tokens), so the reset its answer states covers it. Not so for
   * limits that count output, which is counted only as the reply is written.
   */
  countedOnAcceptance?: boolean;
}

/**
 * One limit of one key (requests, or tokens of some kind), in its own units.
 * It answers one question: when may a request of this cost be sent without
 * being refused?
 *
 * Two models, the stricter one the provider lets us use:
 * - **Stated**: the last answer said "`remaining` left until `reset`". Until
 *   that reset we spend only what remains (minus what we sent that the
 *   provider may not have counted yet); at the reset the limit is full again.
 *   This is exact for fixed windows and safe for sliding windows and buckets.
 * - **Learned**: once the limit and its window are known (from a refusal's
 *   headers, say) and no current statement exists — the provider sends
 *   headers only on its 429s — our own requests are kept in a log, each
 *   holding its share of the limit for a window from its answer (by then
 *   the provider surely counted it). This is safe for sliding windows, fixed
 *   windows and token buckets alike.
 */
export class RequestBudget {
  private limit: number | undefined;
  /** Stated remaining (minus our uncounted sends since); undefined while nothing is stated. */
  private remaining: number | undefined;
  private resetAt = 0;
  /** Learned window length; 0 while unknown. */
  private windowMs = 0;
  /** The last few window lengths measured (unpadded). */
  private readonly spans: number[] = [];
  /** The spans came from reset times (not durations): each is the window plus a send's delay, never less. */
  private spansFromTimes = false;
  private allowanceMs = SEND_JITTER_MS;
  private lastRemaining = Infinity;
  private lastRemainingAt = 0;
  private readonly sent = new Map<number, Sent>();
  /** Sent requests whose answer has not arrived: the provider may not have counted them yet. */
  private readonly unobserved = new Set<number>();
  private readonly countedOnAcceptance: boolean;
  /**
   * What the last statement counted that our log does not know of (another
   * client on the key, requests from before we started): it holds its room
   * until the stated reset.
   */
  private unseen: { cost: number; until: number } | undefined;

  constructor(options: RequestBudgetOptions = {}) {
    this.countedOnAcceptance = options.countedOnAcceptance ?? false;
  }

  /** Whether anything limits this dimension yet. */
  get known(): boolean {
    return this.limit !== undefined || this.remaining !== undefined;
  }

  get learnedLimit(): number | undefined {
    return this.limit;
  }

  get learnedWindowMs(): number {
    return this.windowMs;
  }

  /** The shortest window measured lately, unpadded (0 while none is): a pace set by it is never slower than the limit's. */
  get shortestWindowMs(): number {
    return this.spans.length > 0 ? Math.min(...this.spans) : 0;
  }

  /** Takes another key's limit and window as this one's first guess (keys of one provider share a tier). */
  adopt(limit: number, windowMs: number): void {
    if (this.limit !== undefined) return;
    this.limit = limit;
    this.windowMs = Math.max(this.windowMs, windowMs);
  }

  /** Earliest time a request of `cost` fits: `now` when it fits now, Infinity when only an answer can tell. */
  readyAt(now: number, cost: number): number {
    if (!this.known) return now;
    // A request bigger than the whole limit can only go when the limit is full.
    const need = Math.min(cost, this.limit ?? cost);
    if (this.remaining !== undefined && now >= this.resetAt && Number.isFinite(this.resetAt) && this.steadyWindow()) {
      // A sliding window a busy client keeps full never becomes full again
      // all at once: go by our own log until an answer states more.
      this.remaining = undefined;
      this.resetAt = 0;
    }
    if (this.remaining !== undefined && now >= this.resetAt && Number.isFinite(this.resetAt)) {
      // The stated window is over: the limit is full again, less what went out
      // since (or is still unanswered), until an answer says otherwise.
      this.remaining = (this.limit ?? Infinity) - this.costSince(this.resetAt - this.allowanceMs, now);
      this.resetAt = Infinity;
      this.lastRemaining = Infinity;
    }
    const logKnown = this.limit !== undefined && this.windowMs > 0;
    if (this.remaining === undefined) return logKnown ? this.logReadyAt(now, need) : now;
    if (this.remaining >= need) return now;
    // Spent. A sliding window frees room request by request, long before it
    // is full again, and a provider that states nothing more leaves only our
    // own log to go by: either way the log knows when, once the window is known.
    // Before then, requests whose own answers said when they stop counting
    // still free their room on time (a sliding window's "full again" is far
    // later than its oldest request's expiry); others hold theirs until the reset.
    const useLog = logKnown && (this.resetAt === Infinity || this.steadyWindow());
    return this.limit === undefined ? this.resetAt : Math.min(this.resetAt, this.logReadyAt(now, need, useLog));
  }

  spend(seq: number, cost: number, now: number): void {
    this.prune(now);
    this.sent.set(seq, { cost, sentAt: now, answeredAt: Infinity });
    this.unobserved.add(seq);
    if (this.remaining !== undefined) this.remaining -= cost;
  }

  /** Request `seq` goes on the wire now (a little after it was counted here). */
  sending(seq: number, now: number): void {
    const entry = this.sent.get(seq);
    if (entry && this.unobserved.has(seq)) entry.sentAt = now;
  }

  /**
   * The answer to request `seq` arrived at `now`, stating `reading` (or
   * nothing). `counted`: the provider counted the request (false for a 429).
   * A request we sent whose answer is still out may have been overtaken on
   * the way, so it is assumed uncounted by the statement.
   */
  settle(seq: number, reading: LimitReading | undefined, now: number, counted = true): void {
    if (!this.unobserved.delete(seq)) return;
    const entry = this.sent.get(seq);
    const sentAt = entry?.sentAt ?? now;
    if (entry) entry.answeredAt = now;
    if (entry && !counted) this.sent.delete(seq);
    if (!reading) return;
    this.allowanceMs = counted ? Math.max(SEND_JITTER_MS, this.allowanceMs * ALLOWANCE_DECAY) : Math.min(MAX_ALLOWANCE_MS, this.allowanceMs * 2);
    if (reading.limit !== undefined) this.limit = reading.limit;
    this.learnWindow(reading, sentAt);
    if (entry && counted && this.countedOnAcceptance) {
      // A duration counts from when the provider answered, which was before
      // we read it: from `now` it is safe. A time is the provider's clock:
      // refusals (a clock set apart from ours) push it out.
      const freedAt = resetOf(reading, now);
      if (freedAt !== undefined) entry.freedAt = reading.resetAt !== undefined ? freedAt + this.allowanceMs - SEND_JITTER_MS : freedAt;
    }
    const stale = reading.remaining !== undefined && reading.remaining > this.lastRemaining && now - this.lastRemainingAt < REORDER_MS;
    const statedReset = resetOf(reading, (sentAt + now) / 2);
    if (statedReset !== undefined) {
      const resetAt = statedReset + this.allowanceMs;
      // Counted in a window that is over by now: it says nothing about this one.
      if (resetAt <= now) return;
      // Answers about one window agree on its end, give or take how long each
      // request took to reach the provider: the latest of them is the safe one.
      this.resetAt = now < this.resetAt && this.resetAt !== Infinity ? Math.max(this.resetAt, resetAt) : resetAt;
    } else if (reading.remaining !== undefined && !stale) {
      // A count without a reset time: believe it for a moment, not forever.
      this.resetAt = now + UNSTATED_RESET_MS;
    }
    if (stale) {
      // The provider counted this one before the newer statement, which we
      // read while it was still out: give it back.
      if (this.remaining !== undefined) this.remaining += entry?.cost ?? 0;
      return;
    }
    if (reading.remaining === undefined) return;
    this.remaining = reading.remaining - this.unobservedCost();
    // Ours as the provider may have counted them when it answered, which was after `sentAt`.
    const unseen = this.limit === undefined ? 0 : this.limit - reading.remaining - this.loggedCost(sentAt);
    this.unseen = unseen > 0 && statedReset !== undefined ? { cost: unseen, until: this.resetAt } : undefined;
    this.lastRemaining = reading.remaining;
    this.lastRemainingAt = now;
  }

  /** Request `seq` is over. One whose answer never came may still have been counted: it stays in the log. */
  finish(seq: number, now: number): void {
    if (!this.unobserved.delete(seq)) return;
    const entry = this.sent.get(seq);
    if (entry) entry.answeredAt = now;
  }

  /** Replaces an estimated cost with the real one, once the usage is known. */
  correct(seq: number, cost: number): void {
    const entry = this.sent.get(seq);
    if (entry) entry.cost = cost;
  }

  /**
   * A stated reset tells how long the window is: the provider will be full
   * again `resetMs` after it answered (about when the request was sent), a
   * window after the newest request it counted. A spent limit says so for
   * any shape of limit. A reset stated as a time (not a duration) also says
   * so when some room is left, which matters for tokens: a token limit seldom
   * ends at exactly zero. Such a span is the window plus the delay of the
   * newest request on its way, never less.
   */
  private learnWindow(reading: LimitReading, sentAt: number): void {
    const resetAt = resetOf(reading, sentAt);
    if (resetAt === undefined || reading.remaining === undefined) return;
    const fromTime = reading.resetAt !== undefined;
    if (reading.remaining > 0 && !(fromTime && reading.remaining < (this.limit ?? Infinity))) return;
    if (fromTime !== this.spansFromTimes) {
      this.spans.length = 0;
      this.spansFromTimes = fromTime;
    }
    let newest = -Infinity;
    for (const [seq, entry] of this.sent) if (!this.unobserved.has(seq) && entry.sentAt <= sentAt) newest = Math.max(newest, entry.sentAt);
    if (!Number.isFinite(newest)) return;
    const span = resetAt - newest;
    const padded = span * (1 + WINDOW_MARGIN) + WINDOW_MARGIN_MIN_MS;
    this.windowMs = Math.max(this.windowMs, padded);
    this.spans.push(span);
    if (this.spans.length > SPAN_HISTORY) this.spans.shift();
  }

  /**
   * The window measured the same length again and again: a sliding window
   * (a fixed one's spans vary with where in it the newest request fell). For
   * reset times, the middle half of the recent measurements must agree: a
   * few answers held up on a busy machine (which make a span look longer)
   * do not count.
   */
  private steadyWindow(): boolean {
    if (this.spans.length < STEADY_SPANS || this.limit === undefined) return false;
    // Durations are measured from our own clock at both ends: the last few must all agree.
    const sorted = (this.spansFromTimes ? [...this.spans] : this.spans.slice(-STEADY_SPANS)).sort((a, b) => a - b);
    if (!this.spansFromTimes) return (sorted[sorted.length - 1] ?? 0) - (sorted[0] ?? 0) <= (sorted[sorted.length - 1] ?? 0) * STEADY_TOLERANCE;
    const low = quantile(sorted, 0.25);
    const high = quantile(sorted, 0.75);
    return high - low <= high * STEADY_TOLERANCE;
  }

  /**
   * How long a request holds its share in our log: the longest window ever
   * measured, the safe choice for any shape. But a steady window measured
   * from reset times: the typical measurement, since each one is the window
   * plus the time its request took to reach the provider, so a typical one
   * is long enough, while the longest would let one slow send slow the key
   * down for good.
   */
  private logWindowMs(): number {
    if (!this.spansFromTimes || !this.steadyWindow()) return this.windowMs;
    const median = quantile([...this.spans].sort((a, b) => a - b), 0.5);
    return Math.min(this.windowMs, median * (1 + WINDOW_MARGIN) + WINDOW_MARGIN_MIN_MS);
  }

  /** `learned`: requests whose answers stated no reset hold their room for the learned window (else until told). */
  private logReadyAt(now: number, need: number, learned = true): number {
    const limit = this.limit ?? Infinity;
    const live: Array<{ expires: number; cost: number }> = [];
    const windowMs = this.logWindowMs();
    let used = 0;
    for (const [seq, entry] of this.sent) {
      // What its own answer stated, else counted from its answer: when a
      // request reached the provider is not known, and a busy client may send
      // well after it took its place here.
      const expires = entry.freedAt ?? (learned ? entry.answeredAt + windowMs : Infinity);
      if (expires <= now) {
        this.sent.delete(seq);
        continue;
      }
      live.push({ expires, cost: entry.cost });
      used += entry.cost;
    }
    if (this.unseen && this.unseen.until > now) {
      live.push({ expires: this.unseen.until, cost: this.unseen.cost });
      used += this.unseen.cost;
    }
    if (used + need <= limit) return now;
    live.sort((a, b) => a.expires - b.expires);
    for (const entry of live) {
      used -= entry.cost;
      if (used + need <= limit) return entry.expires;
    }
    return Infinity;
  }

  /** Forgets requests no window can still count (the log stays small however long the key runs). */
  private prune(now: number): void {
    const keepMs = Math.max(this.windowMs, KEEP_UNLEARNED_MS);
    for (const [seq, entry] of this.sent) {
      if (this.sent.size <= MAX_LOG && entry.sentAt + keepMs > now) break;
      if (!this.unobserved.has(seq)) this.sent.delete(seq);
    }
  }

  /** What may still count once a stated window is over: sent since `at`, unanswered, or not yet freed by its own answer. */
  private costSince(at: number, now: number): number {
    let total = 0;
    for (const [seq, entry] of this.sent) if (entry.sentAt >= at || this.unobserved.has(seq) || (entry.freedAt ?? -Infinity) > now) total += entry.cost;
    return total;
  }

  /** Our requests the provider may still count at `at`: unanswered, or not yet freed (as far as we know). */
  private loggedCost(at: number): number {
    let total = 0;
    for (const [seq, entry] of this.sent) {
      const freed = entry.freedAt ?? (this.windowMs > 0 ? entry.answeredAt + this.windowMs : Infinity);
      if (this.unobserved.has(seq) || freed > at) total += entry.cost;
    }
    return total;
  }

  private unobservedCost(): number {
    let total = 0;
    for (const seq of this.unobserved) total += this.sent.get(seq)?.cost ?? 0;
    return total;
  }
}

/** When the reading says the limit is full again: its stated time, else its duration from `answeredAt`. */
function resetOf(reading: LimitReading, answeredAt: number): number | undefined {
  if (reading.resetAt !== undefined) return reading.resetAt;
  return reading.resetMs !== undefined ? answeredAt + reading.resetMs : undefined;
}

/** The value a share `q` of the way through `sorted` (ascending, not empty). */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
