import type { IDisposable } from "./disposable";

/** Time source injected into core so tests can control it. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): IDisposable;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    return { dispose: () => clearTimeout(handle) };
  },
};
