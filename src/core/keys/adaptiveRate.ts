/** Each success raises the rate by this fraction (additive in effect: a few percent per window). */
const INCREASE_PER_SUCCESS = 0.003;
/** A refusal cuts the rate to this fraction. */
const DECREASE = 0.85;
/** Refusals within this long of a cut belong to the same overshoot and cut no further. */
const CUT_GUARD_MS = 1000;
/** The first refusal measures the rate that was just too fast over this span. */
const MEASURE_MS = 1000;
const MIN_RATE_PER_MS = 0.1 / 1000;

/**
 * Pacing for a key whose provider states no limits (AIMD): unpaced until the
 * first 429, then a rate just under what was refused, raised a little by
 * every success and cut multiplicatively by every new refusal. Requests are
 * spaced evenly at the rate, which keeps a sliding or fixed window from
 * filling in bursts.
 */
export class AdaptiveRate {
  private ratePerMs: number | undefined;
  private nextAt = 0;
  private pauseUntil = 0;
  private lastCutAt = -Infinity;
  private lastThrottleAt = -Infinity;
  private streak = 0;
  private readonly successes: number[] = [];

  /** Requests per second, or undefined while unpaced. */
  get perSecond(): number | undefined {
    return this.ratePerMs === undefined ? undefined : this.ratePerMs * 1000;
  }

  readyAt(now: number): number {
    if (this.ratePerMs === undefined) return now;
    return Math.max(now, this.nextAt, this.pauseUntil);
  }

  sent(now: number): void {
    if (this.ratePerMs === undefined) return;
    this.nextAt = Math.max(now, this.nextAt) + 1 / this.ratePerMs;
  }

  success(now: number): void {
    this.streak = 0;
    this.successes.push(now);
    while ((this.successes[0] ?? now) <= now - MEASURE_MS) this.successes.shift();
    if (this.ratePerMs !== undefined) this.ratePerMs *= 1 + INCREASE_PER_SUCCESS;
  }

  /**
   * A refusal without any stated limit, of a request sent at `sentAt`.
   * Requests sent before the last refusal came were refused with it: one event.
   */
  throttled(now: number, sentAt: number, retryAfterMs?: number): void {
    if (sentAt < this.lastThrottleAt) return;
    this.lastThrottleAt = now;
    this.streak++;
    if (this.ratePerMs === undefined) {
      const recent = this.successes.filter((t) => t > now - MEASURE_MS).length;
      this.ratePerMs = Math.max(MIN_RATE_PER_MS, (DECREASE * Math.max(1, recent)) / MEASURE_MS);
      this.lastCutAt = now;
    } else if (now - this.lastCutAt >= CUT_GUARD_MS) {
      this.ratePerMs = Math.max(MIN_RATE_PER_MS, this.ratePerMs * DECREASE);
      this.lastCutAt = now;
    }
    // The provider said how long; else refusals in a row mean the window is
    // still full: wait longer each time.
    const pause = retryAfterMs ?? (2 ** Math.min(this.streak - 1, 6)) / this.ratePerMs;
    this.pauseUntil = Math.max(this.pauseUntil, now + pause);
    this.nextAt = Math.max(this.nextAt, this.pauseUntil);
  }

  /** Another key of the provider learned a rate: start from it rather than from a burst. */
  adopt(perSecond: number): void {
    if (this.ratePerMs === undefined) this.ratePerMs = perSecond / 1000;
  }
}
