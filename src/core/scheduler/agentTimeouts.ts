import type { Clock } from "../common/clock";
import type { IDisposable } from "../common/disposable";
import { MAX_TIMEOUT_SECONDS } from "../common/timeLimits";

export type TimeoutResolution = { ok: true; seconds: number | undefined } | { ok: false; error: string };

/**
 * Resolves the timeout of a new subagent: seconds from 0 to
 * MAX_TIMEOUT_SECONDS, fractions allowed (the spawning model asked for them;
 * nothing rounds them to 0). Foreground defaults to the foreground setting
 * and `0` means no limit; background defaults to the background setting and
 * must be greater than 0, because a background agent nobody waits for must
 * not be able to run forever.
 */
export function resolveSpawnTimeout(
  requested: number | undefined,
  background: boolean,
  defaults: { foregroundSeconds: number; backgroundSeconds: number },
): TimeoutResolution {
  const seconds = requested ?? (background ? defaults.backgroundSeconds : defaults.foregroundSeconds);
  if (!Number.isFinite(seconds) || seconds < 0) {
    return { ok: false, error: `timeout_seconds must be a number of seconds from 0 to ${MAX_TIMEOUT_SECONDS}; got ${seconds}` };
  }
  if (seconds > MAX_TIMEOUT_SECONDS) {
    return { ok: false, error: `timeout_seconds is at most ${MAX_TIMEOUT_SECONDS} (1 hour); got ${seconds}` };
  }
  if (seconds === 0) {
    if (background) {
      return {
        ok: false,
        error:
          `a background agent needs a timeout greater than 0 (at most ${MAX_TIMEOUT_SECONDS} s): nobody waits for it, so it must not run forever. ` +
          "Give timeout_seconds > 0, or spawn it in the foreground where 0 means no limit.",
      };
    }
    return { ok: true, seconds: undefined };
  }
  return { ok: true, seconds };
}

/**
 * One deadline timer per agent run. Setting, extending or removing a deadline
 * replaces the timer; every timer is released by `clear()` or `dispose()`.
 */
export class AgentTimeouts implements IDisposable {
  private readonly timers = new Map<string, { deadline: number; timer: IDisposable }>();

  constructor(private readonly clock: Clock) {}

  /** Arms (or re-arms) the deadline; `undefined` removes it. */
  set(agentId: string, deadline: number | undefined, onExpire: () => void): void {
    this.clear(agentId);
    if (deadline === undefined) return;
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(agentId);
      onExpire();
    }, Math.max(0, deadline - this.clock.now()));
    this.timers.set(agentId, { deadline, timer });
  }

  deadline(agentId: string): number | undefined {
    return this.timers.get(agentId)?.deadline;
  }

  clear(agentId: string): void {
    const entry = this.timers.get(agentId);
    if (!entry) return;
    this.timers.delete(agentId);
    entry.timer.dispose();
  }

  get pendingCount(): number {
    return this.timers.size;
  }

  dispose(): void {
    for (const entry of this.timers.values()) entry.timer.dispose();
    this.timers.clear();
  }
}
