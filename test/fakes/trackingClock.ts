import type { Clock } from "../../src/core/common/clock";
import type { IDisposable } from "../../src/core/common/disposable";

/**
 * Real time and real timers, counted (for tests that run real servers and
 * real timeouts; the fake clock is ManualClock): after a test, `pendingTimers` must be zero
 * (every timer fired or was disposed). `offsetMs` moves `now()` forward
 * without waiting, for thresholds measured in seconds.
 */
export class TrackingClock implements Clock {
  offsetMs = 0;
  private readonly live = new Set<NodeJS.Timeout>();

  now(): number {
    return Date.now() + this.offsetMs;
  }

  setTimeout(fn: () => void, ms: number): IDisposable {
    const handle = setTimeout(() => {
      this.live.delete(handle);
      fn();
    }, ms);
    this.live.add(handle);
    return {
      dispose: () => {
        clearTimeout(handle);
        this.live.delete(handle);
      },
    };
  }

  get pendingTimers(): number {
    return this.live.size;
  }
}
