import type { Clock } from "../../src/core/common/clock";
import type { IDisposable } from "../../src/core/common/disposable";

interface Timer {
  readonly at: number;
  readonly fn: () => void;
}

/**
 * The one fake clock of the unit tests: time stands still until the test
 * calls `advance`, which runs every timer due in that window in time order,
 * including timers that those callbacks schedule inside the window, with
 * `now()` reading each timer's due time while it runs. `pendingTimers` is
 * what a leak check asserts to be zero after a test.
 */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 0;
  private readonly timers = new Map<number, Timer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): IDisposable {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return { dispose: () => void this.timers.delete(id) };
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, Timer] | undefined;
      // Ties run in the order they were scheduled (ids grow).
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
  }
}
