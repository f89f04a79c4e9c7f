import type { Clock } from "../common/clock";
import type { IDisposable } from "../common/disposable";

export interface StaleThresholds {
  /** No chunk and no tool change for this long while talking to the model. */
  idleMs: number;
  /** The same while a tool runs (tools such as builds are legitimately slow). */
  inToolMs: number;
}

interface Progress {
  at: number;
  inTool: boolean;
  stale: boolean;
}

/**
 * Flags running agents that made no progress for a threshold. It only flags:
 * a slow model or a long build is not necessarily stuck, so the user decides.
 * One timer serves every agent, and it exists only while some agent is
 * tracked, so an idle service holds no timer.
 */
export class StaleMonitor implements IDisposable {
  private readonly progress = new Map<string, Progress>();
  private timer: IDisposable | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly thresholds: () => StaleThresholds,
    private readonly onChange: (agentId: string, stale: boolean) => void,
    private readonly checkEveryMs?: number,
  ) {}

  /** Records progress; clears the flag at once if it was set. */
  touch(agentId: string, inTool: boolean): void {
    const entry = this.progress.get(agentId);
    const now = this.clock.now();
    if (entry) {
      entry.at = now;
      entry.inTool = inTool;
      if (entry.stale) {
        entry.stale = false;
        this.onChange(agentId, false);
      }
    } else {
      this.progress.set(agentId, { at: now, inTool, stale: false });
    }
    this.arm();
  }

  /** Stops watching (the agent waits, holds no slot, or ended); clears its flag. */
  forget(agentId: string): void {
    const entry = this.progress.get(agentId);
    if (!entry) return;
    this.progress.delete(agentId);
    if (entry.stale) this.onChange(agentId, false);
    if (this.progress.size === 0) this.disarm();
  }

  /** Runs one check now (the timer calls it; tests may too). */
  check(): void {
    const { idleMs, inToolMs } = this.thresholds();
    const now = this.clock.now();
    for (const [agentId, entry] of this.progress) {
      const limit = entry.inTool ? inToolMs : idleMs;
      if (!entry.stale && now - entry.at >= limit) {
        entry.stale = true;
        this.onChange(agentId, true);
      }
    }
  }

  get trackedCount(): number {
    return this.progress.size;
  }

  get timerPending(): boolean {
    return this.timer !== undefined;
  }

  dispose(): void {
    this.disarm();
    this.progress.clear();
  }

  private arm(): void {
    if (this.timer) return;
    const { idleMs, inToolMs } = this.thresholds();
    const period = this.checkEveryMs ?? Math.min(5000, Math.max(250, Math.min(idleMs, inToolMs) / 4));
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.check();
      if (this.progress.size > 0) this.arm();
    }, period);
  }

  private disarm(): void {
    this.timer?.dispose();
    this.timer = undefined;
  }
}
