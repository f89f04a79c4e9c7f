/**
 * What a caller tells the pool about the request it made with a leased key.
 * The pool turns it into health: cooldowns, invalid marks, rate-limit budget.
 */

/** Failure classes that put a key into cooldown: retrying on the same key would only fail again. */
export type KeyFailureClass = "rate_limit" | "server" | "timeout" | "conflict" | "connection" | "stall";

/** From `x-ratelimit-*` response headers; every field optional because providers differ. */
export interface RateLimitInfo {
  limit?: number;
  remaining?: number;
  /** Milliseconds until the request budget is full again. */
  resetMs?: number;
}

export type LeaseOutcome =
  /** The key worked (whatever the model answered). */
  | { kind: "success"; rateLimit?: RateLimitInfo }
  /** A retryable failure that counts against the key. */
  | { kind: "failure"; errorClass: KeyFailureClass; retryAfterMs?: number; rateLimit?: RateLimitInfo }
  /** 401/403: the provider rejected the key itself. `reason` must already be free of secrets. */
  | { kind: "invalid"; reason: string }
  /** No verdict on the key: aborted, or not sent at all. */
  | { kind: "unused" };

/**
 * One use of one key. The raw key sits in a private field, so logging or
 * serialising a lease shows the fingerprint only; `revealKey()` is the single
 * place it comes out, to be handed straight to the HTTP client.
 */
export class KeyLease {
  readonly #key: string;
  #released = false;

  constructor(
    readonly providerId: string,
    key: string,
    readonly fingerprint: string,
    /** Epoch ms before which this key should not be sent (Retry-After, rate-limit reset). */
    readonly notBefore: number,
    /** True when every key was cooling and this one was picked round-robin anyway. */
    readonly fallback: boolean,
    /** True when this lease only says when to ask again (at `notBefore`): release it unused, wait, acquire again. */
    readonly pointer: boolean,
    private readonly hooks: { observe(info: RateLimitInfo | undefined): void; release(outcome: LeaseOutcome): void },
    /** The endpoint origin the key is bound to; the key may be sent there only. */
    readonly origin: string | undefined = undefined,
  ) {
    this.#key = key;
  }

  /**
   * Reports the rate-limit headers of the response as soon as they arrive
   * (undefined: the response had none), so other callers can use the budget
   * while this stream is still running.
   */
  observe(info: RateLimitInfo | undefined): void {
    if (!this.#released) this.hooks.observe(info);
  }

  revealKey(): string {
    return this.#key;
  }

  get released(): boolean {
    return this.#released;
  }

  /** Returns the key with a verdict; later calls are ignored. */
  release(outcome: LeaseOutcome): void {
    if (this.#released) return;
    this.#released = true;
    this.hooks.release(outcome);
  }

  toJSON(): { providerId: string; fingerprint: string; origin: string | undefined } {
    return { providerId: this.providerId, fingerprint: this.fingerprint, origin: this.origin };
  }
}
