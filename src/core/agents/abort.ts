/** The error a run sees when its signal fired; the run's status was already set by whoever aborted. */
export class RunAborted extends Error {
  override readonly name = "RunAborted";
  constructor(reason?: unknown) {
    super(typeof reason === "string" ? reason : "aborted");
  }
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new RunAborted(signal.reason);
}

/**
 * Settles with `work`, or rejects with RunAborted as soon as `signal` fires —
 * so an interrupt takes effect at once even when the work (a tool without
 * abort support) keeps going in the background. The listener is removed
 * either way.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new RunAborted(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new RunAborted(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
