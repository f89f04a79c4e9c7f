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
 * One work deadline per agent run: a budget of milliseconds that counts down
 * only while the agent works (`running` or `waiting`). Queueing for a slot
 * and startup pause it, so an agent queued behind a full scheduler cannot
 * time out before it ran. Setting, extending, pausing or removing a deadline
 * replaces the timer; every timer is released by `clear()` or `dispose()`.
 */
export class AgentTimeouts implements IDisposable {
  private readonly entries = new Map<string, DeadlineEntry>();

  constructor(private readonly clock: Clock) {}

  /** Arms (or re-arms) a budget of `remainingMs`, counting at once or paused; `undefined` removes it. */
  set(agentId: string, remainingMs: number | undefined, onExpire: () => void, counting: boolean): void {
    this.clear(agentId);
    if (remainingMs === undefined) return;
    const entry: DeadlineEntry = { remainingMs: Math.max(0, remainingMs), onExpire, since: undefined, timer: undefined };
    this.entries.set(agentId, entry);
    if (counting) this.resume(agentId);
  }

  /** Adds time to the budget (counting or paused alike). */
  extend(agentId: string, ms: number): void {
    const entry = this.entries.get(agentId);
    if (!entry) return;
    const counting = entry.since !== undefined;
    this.pause(agentId);
    entry.remainingMs += ms;
    if (counting) this.resume(agentId);
  }

  /** Stops the countdown, keeping what is left. */
  pause(agentId: string): void {
    const entry = this.entries.get(agentId);
    if (!entry || entry.since === undefined) return;
    entry.remainingMs = Math.max(0, entry.remainingMs - (this.clock.now() - entry.since));
    entry.since = undefined;
    entry.timer?.dispose();
    entry.timer = undefined;
  }

  /** Starts (or continues) the countdown. */
  resume(agentId: string): void {
    const entry = this.entries.get(agentId);
    if (!entry || entry.since !== undefined) return;
    entry.since = this.clock.now();
    entry.timer = this.clock.setTimeout(() => {
      if (this.entries.get(agentId) !== entry) return;
      this.entries.delete(agentId);
      entry.onExpire();
    }, entry.remainingMs);
  }

  /** When the deadline fires if it keeps counting from now (for display); undefined = no limit. */
  deadline(agentId: string): number | undefined {
    const left = this.remaining(agentId);
    return left === undefined ? undefined : this.clock.now() + left;
  }

  /** Milliseconds of work left; undefined = no limit. */
  remaining(agentId: string): number | undefined {
    const entry = this.entries.get(agentId);
    if (!entry) return undefined;
    if (entry.since === undefined) return entry.remainingMs;
    return Math.max(0, entry.remainingMs - (this.clock.now() - entry.since));
  }

  isCounting(agentId: string): boolean {
    return this.entries.get(agentId)?.since !== undefined;
  }

  clear(agentId: string): void {
    const entry = this.entries.get(agentId);
    if (!entry) return;
    this.entries.delete(agentId);
    entry.timer?.dispose();
  }

  /** Deadlines held (counting or paused); zero once every run ended. */
  get pendingCount(): number {
    return this.entries.size;
  }

  dispose(): void {
    for (const entry of this.entries.values()) entry.timer?.dispose();
    this.entries.clear();
  }
}

interface DeadlineEntry {
  remainingMs: number;
  onExpire: () => void;
  /** When the countdown last resumed; undefined while paused. */
  since: number | undefined;
  timer: IDisposable | undefined;
}
