/** Below the rate last refused, each success raises the rate by this fraction: back near the edge in a few windows. */
const CLIMB_PER_SUCCESS = 0.01;
/** Near the rate last refused, each success raises it by this much less: the edge is probed slowly. */
const PROBE_PER_SUCCESS = 0.001;
/**
 * Past the rate last refused, the n-th success raises it by n times this
 * (up to the quick climb): slowly at first, as the edge is usually about
 * right, then faster, as it may have been measured low (a refusal while a
 * first burst was still in the window), and a rate capped there would stay
 * low for good.
 */
const PAST_EDGE_STEP = 0.0002;
/**
 * A refusal within this fraction of the rate refused before confirms the
 * edge: each confirmation halves the probing steps (down to 1/2^MAX_CONFIRMED),
 * so a limit that stays put is probed ever more rarely.
 */
const SAME_EDGE = 0.03;
const MAX_CONFIRMED = 3;
/** Where "near the rate last refused" begins. */
const NEAR_EDGE = 0.97;
/** A refusal cuts the rate to this fraction of what was refused. */
const DECREASE = 0.92;
/** Refusals within this long of a cut belong to the same overshoot and cut no further. */
const CUT_GUARD_MS = 1000;
/** The first refusal measures the rate that was just too fast over this span. */
const MEASURE_MS = 1000;
/** A request reaches the provider a little after it leaves: a wait for one to leave the window adds this. */
const ARRIVAL_SLACK_MS = 5;
const MIN_RATE_PER_MS = 0.1 / 1000;

/**
 * Pacing for a key whose provider states no limits (AIMD): unpaced until the
 * first 429, then a rate just under what was accepted in the second before
 * it. Successes raise the rate, quickly while it is well below the rate last
 * refused, slowly near it, and quickly again past it (that rate may have
 * been measured low; above the real limit a refusal comes at once); a new refusal cuts it multiplicatively and
 * marks the new edge. So the key spends most of its time just under the
 * hidden limit, probing it rarely. Requests are spaced evenly at the rate,
 * which keeps a sliding or fixed window from filling in bursts.
 */
export class AdaptiveRate {
  private ratePerMs: number | undefined;
  /** The rate the provider last refused (or the first refusal measured). */
  private edgePerMs = Infinity;
  private nextAt = 0;
  private pauseUntil = 0;
  private lastCutAt = -Infinity;
  private lastThrottleAt = -Infinity;
  private streak = 0;
  /** Successes since the rate passed the edge. */
  private pastEdge = 0;
  /** Refusals in a row at about the same rate (see SAME_EDGE). */
  private confirmed = 0;
  /** When the requests that succeeded lately were sent (the provider counts a request when it arrives). */
  private readonly successes: number[] = [];
  /** When requests lately went on the wire, answered or not. */
  private readonly wired: number[] = [];
  /**
   * The first refusal's measurement, while requests sent before it may still
   * be answered: a refusal comes back at once, while accepted requests are
   * still streaming, so the count at that moment is short.
   */
  private measuring: { from: number; to: number; count: number } | undefined;
  /** The rate came from another key, not from a refusal of this one. */
  private adopted = false;

  /** Requests per second, or undefined while unpaced. */
  get perSecond(): number | undefined {
    return this.ratePerMs === undefined ? undefined : this.ratePerMs * 1000;
  }

  /**
   * When the next request may go: on the even grid, after any pause, and
   * never more than the rate's worth of requests within one window. The
   * grid alone would not see a burst the key carried before it was paced
   * (unpaced until a refusal, or until a sibling key measured a rate): the
   * provider still counts that burst, and the grid's next requests would
   * be refused one by one until it left the window.
   */
  readyAt(now: number): number {
    if (this.ratePerMs === undefined) return now;
    const fits = Math.max(1, Math.ceil(this.ratePerMs * MEASURE_MS));
    const blocking = this.wired[this.wired.length - fits];
    const windowAt = blocking === undefined ? now : blocking + MEASURE_MS + ARRIVAL_SLACK_MS;
    return Math.max(now, this.nextAt, this.pauseUntil, windowAt);
  }

  /**
   * A request went at `now`. The next slot is one interval after this one's
   * slot, not after `now`: a timer that fires a little late on a busy event
   * loop must not lower the rate by its lateness every time. Only a gap of
   * more than an interval (nobody was waiting) restarts the grid.
   */
  sent(now: number): void {
    if (this.ratePerMs === undefined) return;
    const interval = 1 / this.ratePerMs;
    const slot = now - this.nextAt < interval ? this.nextAt : now;
    this.nextAt = Math.max(slot, this.pauseUntil) + interval;
  }

  /** A request went on the wire at `now`. */
  onWire(now: number): void {
    this.wired.push(now);
    while ((this.wired[0] ?? now) <= now - MEASURE_MS) this.wired.shift();
  }

  /** A request sent at `sentAt` succeeded at `now`. True when this raised the first refusal's measurement (worth sharing again). */
  success(now: number, sentAt: number = now): boolean {
    this.streak = 0;
    this.successes.push(sentAt);
    // Kept a little longer than the span measured: a refused request may have been sent a while before its answer came.
    while ((this.successes[0] ?? now) <= now - 2 * MEASURE_MS) this.successes.shift();
    if (this.ratePerMs === undefined) return false;
    const m = this.measuring;
    if (m && sentAt > m.from && sentAt <= m.to) {
      // Accepted before the refusal, answered after it: the edge was higher than it looked.
      m.count++;
      const edge = m.count / MEASURE_MS;
      if (edge <= this.edgePerMs) return false;
      this.edgePerMs = edge;
      this.ratePerMs = Math.max(this.ratePerMs, DECREASE * edge);
      return true;
    }
    const rate = this.ratePerMs;
    const slower = 2 ** this.confirmed;
    if (rate >= this.edgePerMs) {
      this.ratePerMs = rate * (1 + Math.min(CLIMB_PER_SUCCESS, (++this.pastEdge * PAST_EDGE_STEP) / slower));
      return false;
    }
    // Below the edge the climb stops at it: past it the next refusal is near.
    const step = rate < NEAR_EDGE * this.edgePerMs ? CLIMB_PER_SUCCESS : PROBE_PER_SUCCESS / slower;
    this.ratePerMs = Math.min(rate * (1 + step), this.edgePerMs);
    return false;
  }

  /**
   * A refusal without any stated limit, of a request sent at `sentAt`.
   * Requests sent before the last refusal came were refused with it: one event.
   */
  throttled(now: number, sentAt: number, retryAfterMs?: number): void {
    // A refused request is usually not counted by the provider: it holds no place in the window.
    const wire = this.wired.indexOf(sentAt);
    if (wire >= 0) this.wired.splice(wire, 1);
    if (sentAt < this.lastThrottleAt) return;
    this.lastThrottleAt = now;
    this.adopted = false;
    this.streak++;
    if (this.ratePerMs === undefined) {
      // What the provider accepted in the moment before this request is about its limit.
      const recent = this.successes.filter((t) => t > sentAt - MEASURE_MS && t <= sentAt).length;
      this.measuring = { from: sentAt - MEASURE_MS, to: sentAt, count: recent };
      this.edgePerMs = Math.max(MIN_RATE_PER_MS, Math.max(1, recent) / MEASURE_MS);
      this.ratePerMs = Math.max(MIN_RATE_PER_MS, DECREASE * this.edgePerMs);
      this.lastCutAt = now;
    } else if (now - this.lastCutAt >= CUT_GUARD_MS) {
      this.measuring = undefined;
      const same = Math.abs(this.ratePerMs - this.edgePerMs) <= SAME_EDGE * this.edgePerMs;
      this.confirmed = same ? Math.min(MAX_CONFIRMED, this.confirmed + 1) : 0;
      this.edgePerMs = this.ratePerMs;
      this.ratePerMs = Math.max(MIN_RATE_PER_MS, this.ratePerMs * DECREASE);
      this.lastCutAt = now;
      this.pastEdge = 0;
    }
    // The provider said how long. Else: until the oldest success of the last
    // moment leaves the window (a burst fills it, and refusals come until its
    // first request expires), and longer with each refusal in a row.
    let oldest: number | undefined;
    for (const t of this.successes) if (t > now - MEASURE_MS && (oldest === undefined || t < oldest)) oldest = t;
    const backoff = (2 ** Math.min(this.streak - 1, 6)) / this.ratePerMs;
    const pause = retryAfterMs ?? Math.max(backoff, oldest === undefined ? 0 : oldest + MEASURE_MS + ARRIVAL_SLACK_MS - now);
    this.pauseUntil = Math.max(this.pauseUntil, now + pause);
    this.nextAt = Math.max(this.nextAt, this.pauseUntil);
  }

  /**
   * Another key of the provider learned a rate: start from it rather than
   * from a burst, and follow it up while it is still measuring (until this
   * key has a refusal of its own).
   */
  adopt(perSecond: number): void {
    if (this.ratePerMs !== undefined && (!this.adopted || perSecond / 1000 <= this.ratePerMs)) return;
    this.adopted = true;
    this.ratePerMs = perSecond / 1000;
    this.edgePerMs = this.ratePerMs / DECREASE;
  }
}
