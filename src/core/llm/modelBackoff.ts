import type { Clock } from "../common/clock";
import { sleepUnlessAborted } from "./sleep";

/** Waits after consecutive quota answers from one model: 5 s, 20 s, then a minute. */
const DEFAULT_BACKOFF_MS: readonly number[] = [5_000, 20_000, 60_000];

/** A quota answer that outlasted its retries; its message says what to do. */
export class QuotaExhaustedError extends Error {}

/**
 * Back-off per model, shared by every request to it: after a quota or rate
 * limit answer, no request to that model goes out until the wait is over, and
 * each further consecutive answer waits longer. One success resets it. A
 * request retries at most once per step of the ladder, then gives up, so a
 * model that stays limited ends in a clear failure instead of a loop.
 */
export class ModelBackoff {
  private readonly state = new Map<string, { streak: number; until: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly ladderMs: readonly number[] = DEFAULT_BACKOFF_MS,
  ) {}

  /** Milliseconds until `model` may be asked again (0 = now). */
  remainingMs(model: string): number {
    const entry = this.state.get(model);
    return entry ? Math.max(0, entry.until - this.clock.now()) : 0;
  }

  /**
   * Runs `attempt`, retrying it after a back-off while `isQuota` says its
   * error was a quota answer. `onWait` hears each wait before it starts.
   */
  async run<T>(
    model: string,
    signal: AbortSignal,
    attempt: () => Promise<T>,
    isQuota: (error: unknown) => boolean,
    onWait?: (ms: number) => void,
  ): Promise<T> {
    for (let retry = 0; ; retry++) {
      await this.waitFor(model, signal, onWait);
      try {
        const result = await attempt();
        this.state.delete(model);
        return result;
      } catch (error) {
        if (signal.aborted || !isQuota(error)) throw error;
        const waitMs = this.recordQuota(model);
        if (retry >= this.ladderMs.length) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new QuotaExhaustedError(
            `"${model}" kept answering with a quota or rate limit (${reason}); gave up after ${retry + 1} attempts. ` +
              `Wait ${Math.ceil(waitMs / 1000)} s or more and send the agent a message to continue, or choose another model.`,
          );
        }
      }
    }
  }

  private recordQuota(model: string): number {
    const streak = (this.state.get(model)?.streak ?? 0) + 1;
    const waitMs = this.ladderMs[Math.min(streak, this.ladderMs.length) - 1] ?? 0;
    // Another request may already have pushed the wait further out; never pull it in.
    const until = Math.max(this.clock.now() + waitMs, this.state.get(model)?.until ?? 0);
    this.state.set(model, { streak, until });
    return until - this.clock.now();
  }

  private async waitFor(model: string, signal: AbortSignal, onWait?: (ms: number) => void): Promise<void> {
    for (let ms = this.remainingMs(model); ms > 0; ms = this.remainingMs(model)) {
      onWait?.(ms);
      await sleepUnlessAborted(this.clock, ms, signal);
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("aborted");
    }
  }
}
