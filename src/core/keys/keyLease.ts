/**
 * What a caller tells the pool about the request it made with a leased key.
 * The pool turns it into health: cooldowns, invalid marks, rate-limit budget.
 */

/**
 * Failure classes that put a key on the cooldown ladder. `rate_limit` is the
 * exception: a 429 that asks to slow down is pacing (see `throttled`), and
 * reaches the ladder only when it keeps coming.
 */
export type KeyFailureClass = "rate_limit" | "quota" | "overloaded" | "server" | "timeout" | "conflict" | "connection" | "stall";

/** The limits a provider may put on one key. */
export type LimitDimension = "requests" | "tokens" | "inputTokens" | "outputTokens";

export const LIMIT_DIMENSIONS: readonly LimitDimension[] = ["requests", "tokens", "inputTokens", "outputTokens"];

/** One limit as a response stated it; every field optional because providers differ. */
export interface LimitReading {
  limit?: number;
  remaining?: number;
  /** Milliseconds until the limit is full again, counted from when the provider answered. */
  resetMs?: number;
  /** When the limit is full again, on the pool's clock (providers that state a time, not a duration). */
  resetAt?: number;
}

/** Rate-limit headers of one response, by the limit they describe. */
export type RateLimitInfo = Partial<Record<LimitDimension, LimitReading>>;

/** What one request is expected to use, in tokens (requests count as 1). */
export interface RequestCost {
  inputTokens: number;
  /** Undefined: the pool uses what replies of this provider usually take. */
  outputTokens?: number;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export type LeaseOutcome =
  /** The key worked (whatever the model answered). */
  | { kind: "success"; rateLimit?: RateLimitInfo; usage?: TokenUsage }
  /**
   * A 429 that asks to slow down: the key waits what the provider said and
   * its learned rate goes down, but it is not unhealthy. `concurrency`: the
   * provider refused because too many requests were in flight on the key.
   */
  | { kind: "throttled"; retryAfterMs?: number; rateLimit?: RateLimitInfo; concurrency?: boolean }
  /** A retryable failure that counts against the key (cooldown ladder). */
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
    private readonly hooks: { sending(): void; observe(info: RateLimitInfo | undefined): void; release(outcome: LeaseOutcome): void },
    /** The endpoint origin the key is bound to; the key may be sent there only. */
    readonly origin: string | undefined = undefined,
  ) {
    this.#key = key;
  }

  /**
   * The request is about to go on the wire. Limits count from here: a caller
   * woken with many others may send a few milliseconds after its lease.
   */
  sending(): void {
    if (!this.#released) this.hooks.sending();
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
