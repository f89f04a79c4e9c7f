/**
 * The one polling helper of the tests: calls `probe` until it returns
 * something other than `undefined` or `false`, and returns that. It polls
 * quickly at first and backs off (5 ms growing to 250 ms), so a condition met
 * at once costs nothing and a long wait on a browser does not spin. A probe
 * that throws is retried; after `timeoutMs` it fails with `what` and the last
 * error. The bound is a safety net for a broken test, never a speed target:
 * tests wait on state, not on time.
 */
export async function waitUntil<T>(
  what: string | (() => string | Promise<string>),
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let intervalMs = 5;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const text = typeof what === "string" ? what : await Promise.resolve(what()).catch((e: unknown) => `(description failed: ${String(e)})`);
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${text}${lastError ? ` (last error: ${String(lastError)})` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    intervalMs = Math.min(250, Math.ceil(intervalMs * 1.5));
  }
}
