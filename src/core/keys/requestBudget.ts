import type { RateLimitInfo } from "./keyLease";

/** While a key's budget is unknown, waiters look again this often (only until the first answer). */
const PROBE_POLL_MS = 20;
/** Answers this close together may arrive out of order: a higher "remaining" among them is stale. */
const REORDER_MS = 100;

/**
 * How many more requests one key may send before the provider's window
 * resets, learned from `x-ratelimit-*` headers. This is what keeps a busy
 * pool below the limit instead of finding it with 429s (and 30 s cooldowns).
 *
 * Until the first answer shows whether the provider sends such headers, a key
 * carries one probe request at a time, so a burst of callers cannot overrun an
 * unknown limit. A provider that sends no headers gets an unlimited budget.
 */
export class RequestBudget {
  private known = false;
  private remaining = 1;
  private limit: number | undefined;
  private resetAt = 0;
  /** Last stated time to a full reset when the budget was spent: a guess of the window length. */
  private windowMs = 0;
  /** The last "remaining" we believed, and when: to spot answers that overtook each other. */
  private lastRemaining = Infinity;
  private lastRemainingAt = 0;
  /** Requests sent and not yet over, by sequence number. */
  private readonly sent = new Set<number>();
  /** Sent requests whose response headers have not arrived: the provider may not have counted them yet. */
  private readonly unobserved = new Set<number>();

  get inFlight(): number {
    return this.sent.size;
  }

  hasRoom(now: number): boolean {
    if (this.remaining > 0) return true;
    if (!this.known || now < this.resetAt) return false;
    // The window has reset: the full limit again. Until an answer states the
    // next reset, assume the window is as long as the last one.
    this.remaining = this.limit ?? Infinity;
    this.resetAt = now + this.windowMs;
    this.lastRemaining = Infinity;
    return this.remaining > 0;
  }

  /** When room is expected; call after hasRoom() returned false. */
  readyAt(now: number): number {
    return this.known ? this.resetAt : now + PROBE_POLL_MS;
  }

  spend(seq: number): void {
    this.sent.add(seq);
    this.unobserved.add(seq);
    if (Number.isFinite(this.remaining)) this.remaining--;
  }

  /**
   * Headers of request `seq` arrived (undefined: it had none). The provider
   * counted the requests that reached it first; a request we sent whose
   * headers are still out may have been overtaken on the way (a fresh
   * connection is slower than a warm one), so it is assumed uncounted.
   */
  settle(seq: number, info: RateLimitInfo | undefined, now: number): void {
    if (!this.unobserved.delete(seq)) return;
    const firstAnswer = !this.known;
    this.known = true;
    if (!info) {
      if (firstAnswer) this.remaining = Infinity;
      return;
    }
    if (info.limit !== undefined) this.limit = info.limit;
    // Within one window "remaining" only falls; a higher value just after a
    // lower one comes from a request the provider counted earlier.
    const stale = info.remaining !== undefined && info.remaining > this.lastRemaining && now - this.lastRemainingAt < REORDER_MS;
    if (info.resetMs !== undefined) {
      this.resetAt = stale ? Math.max(this.resetAt, now + info.resetMs) : now + info.resetMs;
      if (info.remaining === 0) this.windowMs = info.resetMs;
    }
    if (stale) {
      // It was counted in the newer answer and also taken off as unobserved: give it back.
      this.remaining++;
    } else if (info.remaining !== undefined) {
      this.remaining = info.remaining - this.unobserved.size;
      this.lastRemaining = info.remaining;
      this.lastRemainingAt = now;
    } else if (firstAnswer && info.remaining === undefined) {
      this.remaining = Infinity;
    }
  }

  /** Request `seq` is over. A probe that taught us nothing (aborted, rejected key) is handed back. */
  finish(seq: number): void {
    this.unobserved.delete(seq);
    if (!this.sent.delete(seq)) return;
    if (!this.known && this.remaining < 1) this.remaining++;
  }
}
