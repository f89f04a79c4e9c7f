import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KeyLease, RequestCost } from "../../../src/core/keys/keyLease";
import { KeyPool } from "../../../src/core/keys/keyPool";
import { ManualClock } from "../../fakes/manualClock";
import { testKeys } from "./testDoubles";

/**
 * Pacing in the key pool, on a manual clock: no test here waits for real
 * time. Callers use `lease()`, the queue the chat client uses.
 */

const SMALL: RequestCost = { inputTokens: 10, outputTokens: 0 };

function setup(count: number) {
  const clock = new ManualClock(1_000_000);
  const keys = testKeys("pace", count);
  const pool = new KeyPool({ providerId: "p", keys, clock });
  return { clock, pool, keys };
}

/** A lease that must be granted at once. */
async function now(pool: KeyPool, cost: RequestCost = SMALL): Promise<KeyLease> {
  const lease = await pool.lease(cost, new AbortController().signal);
  assert.ok(lease, "expected a key at once");
  return lease;
}

/** A pending lease request and a way to see whether it was granted yet. */
function waiting(pool: KeyPool, cost: RequestCost = SMALL, signal = new AbortController().signal) {
  let granted: KeyLease | undefined | null = null;
  const done = pool.lease(cost, signal).then((lease) => (granted = lease));
  return {
    done,
    granted(): KeyLease | undefined | null {
      return granted;
    },
  };
}

function must(lease: KeyLease | undefined | null): KeyLease {
  assert.ok(lease, "expected a granted lease");
  return lease;
}

/** Lets promise callbacks run (no time passes on the manual clock). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("KeyPool pacing", () => {
  it("a 429 with Retry-After 1 makes the key wait about a second, not the 30 s cooldown ladder", async () => {
    const { clock, pool } = setup(1);
    const lease = await now(pool);
    lease.sending();
    lease.release({ kind: "throttled", retryAfterMs: 1000 });
    const snap = pool.snapshot()[0];
    assert.equal(snap?.state, "healthy", "pacing, not ill health");
    assert.equal(snap?.consecutiveFailures, 0);
    assert.equal(snap?.pacedUntil, clock.now() + 1000);

    const next = waiting(pool);
    await settle();
    assert.equal(next.granted(), null, "not before the Retry-After");
    clock.advance(999);
    await settle();
    assert.equal(next.granted(), null);
    clock.advance(1);
    await settle();
    assert.ok(next.granted(), "granted as soon as the second is over");
    must(next.granted()).release({ kind: "success" });
    pool.dispose();
    assert.equal(clock.pendingTimers, 0, "no timer left behind");
  });

  it("puts quota exhaustion, 5xx and 529 on the ladder, and 429s that keep coming however paced", () => {
    const { clock, pool } = setup(1);
    const fail = (errorClass: "quota" | "server" | "overloaded") => {
      const lease = pool.acquire();
      assert.ok(lease && !lease.pointer);
      lease.release({ kind: "failure", errorClass });
      const snap = pool.snapshot()[0];
      assert.equal(snap?.state, "cooling", errorClass);
      assert.equal(snap?.lastErrorClass, errorClass);
      clock.advance(snap?.coolingUntil ? snap.coolingUntil - clock.now() : 0);
    };
    fail("quota");
    fail("server");
    fail("overloaded");
    assert.equal(pool.snapshot()[0]?.consecutiveFailures, 3);

    const fresh = setup(1);
    for (let i = 1; i <= 5; i++) {
      const lease = fresh.pool.acquire();
      assert.ok(lease && !lease.pointer, `attempt ${i} gets the key`);
      lease.release({ kind: "throttled", retryAfterMs: 100, rateLimit: { requests: { limit: 10, remaining: 0, resetMs: 100 } } });
      const expected = i < 5 ? "healthy" : "cooling";
      assert.equal(fresh.pool.snapshot()[0]?.state, expected, `after ${i} paced 429s in a row`);
      // Past the stated reset and its allowance for network jitter (which each refusal doubles).
      fresh.clock.advance(1000);
    }
  });

  it("counts a burst refused together as one 429, not as repeated failures", () => {
    const { pool } = setup(1);
    const burst = Array.from({ length: 6 }, () => pool.acquire());
    for (const lease of burst) lease?.release({ kind: "throttled", retryAfterMs: 100 });
    assert.equal(pool.snapshot()[0]?.state, "healthy");
  });

  it("paces by tokens when tokens bind: a request that does not fit waits for the reset, a small one goes", async () => {
    const { clock, pool } = setup(1);
    const first = await now(pool, { inputTokens: 600, outputTokens: 0 });
    first.sending();
    first.release({
      kind: "success",
      usage: { inputTokens: 600, outputTokens: 0 },
      rateLimit: { requests: { limit: 100, remaining: 99, resetMs: 60_000 }, tokens: { limit: 1000, remaining: 400, resetMs: 2000 } },
    });
    const big = waiting(pool, { inputTokens: 500, outputTokens: 0 });
    const small = waiting(pool, { inputTokens: 300, outputTokens: 0 });
    await settle();
    assert.equal(big.granted(), null, "500 tokens do not fit in the 400 left");
    assert.ok(small.granted(), "300 do, and go at once although a bigger request came first");
    must(small.granted()).sending();
    must(small.granted()).release({ kind: "success", usage: { inputTokens: 300, outputTokens: 0 } });
    clock.advance(1999);
    await settle();
    assert.equal(big.granted(), null, "requests have room all along: tokens bind");
    clock.advance(20);
    await settle();
    assert.ok(big.granted(), "the tokens limit reset");
    must(big.granted()).release({ kind: "unused" });
    pool.dispose();
  });

  it("learns an in-flight limit from a concurrency 429 and keeps below it", async () => {
    const { pool } = setup(1);
    const leases = [await now(pool), await now(pool)];
    // The first answer states no limits: the key is no longer probing.
    leases[0]?.observe(undefined);
    const third = await now(pool);
    third.release({ kind: "throttled", concurrency: true });
    // Two were in flight when the third was refused: at most two from now on.
    const blocked = waiting(pool);
    await settle();
    assert.equal(blocked.granted(), null, "two in flight, the cap is two");
    leases[0]?.release({ kind: "success" });
    await settle();
    assert.ok(blocked.granted(), "an answer frees a place at once");
    must(blocked.granted()).release({ kind: "success" });
    leases[1]?.release({ kind: "success" });
    pool.dispose();
  });

  it("without any headers, paces adaptively: a 429 sets a rate below what was refused, successes raise it", async () => {
    const { clock, pool } = setup(1);
    // Ten quick successes, then a refusal: the key was going too fast.
    for (let i = 0; i < 10; i++) {
      const lease = await now(pool);
      lease.sending();
      lease.release({ kind: "success" });
      clock.advance(10);
    }
    (await now(pool)).release({ kind: "throttled" });
    const gaps: number[] = [];
    let last = clock.now();
    for (let i = 0; i < 30; i++) {
      const next = waiting(pool);
      for (let step = 0; step < 5000 && next.granted() === null; step++) {
        clock.advance(1);
        await settle();
      }
      assert.ok(next.granted(), "paced, never stopped");
      gaps.push(clock.now() - last);
      last = clock.now();
      must(next.granted()).release({ kind: "success" });
    }
    // About 0.85 × 10 requests per second after the cut; faster as successes accumulate.
    const early = gaps.slice(2, 6).reduce((a, b) => a + b) / 4;
    const late = gaps.slice(-4).reduce((a, b) => a + b) / 4;
    assert.ok(early >= 100 && early <= 130, `spacing after the cut ${early} ms`);
    assert.ok(late < early, `successes raise the rate: ${early} → ${late} ms`);
    assert.equal(pool.snapshot()[0]?.state, "healthy");
    pool.dispose();
  });

  it("never leaves a key idle while a caller waits: the earliest key with room serves the first caller", async () => {
    const { clock, pool, keys } = setup(2);
    const spend = async (resetMs: number) => {
      const lease = await now(pool);
      lease.sending();
      lease.release({ kind: "success", rateLimit: { requests: { limit: 1, remaining: 0, resetMs } } });
      return lease.fingerprint;
    };
    const slow = await spend(5000);
    const fast = await spend(300);
    assert.notEqual(slow, fast);
    const first = waiting(pool);
    const second = waiting(pool);
    await settle();
    assert.equal(pool.waiting, 2);
    clock.advance(310);
    await settle();
    assert.equal(first.granted()?.fingerprint, fast, "woken at the fast key's reset, not later");
    assert.equal(second.granted(), null, "the other key has no room yet");
    // An answer on the fast key frees no room (limit 1), but the slow key's reset does.
    clock.advance(5000);
    await settle();
    assert.equal(second.granted()?.fingerprint, slow);
    assert.equal(pool.waiting, 0);
    assert.equal(keys.length, 2);
    pool.dispose();
    assert.equal(clock.pendingTimers, 0);
  });

  it("a waiting caller whose signal aborts leaves the queue and gets no key", async () => {
    const { clock, pool } = setup(1);
    const lease = await now(pool);
    lease.release({ kind: "throttled", retryAfterMs: 10_000 });
    const controller = new AbortController();
    const pending = waiting(pool, SMALL, controller.signal);
    await settle();
    controller.abort();
    await pending.done;
    assert.equal(pending.granted(), undefined);
    assert.equal(pool.waiting, 0);
    clock.advance(10_000);
    pool.dispose();
    assert.equal(clock.pendingTimers, 0);
  });

  it("shares a limit learned from one key's 429 with the keys that know none", async () => {
    const { clock, pool } = setup(2);
    // Key A: two answers without headers, then a 429 that states the limit (2 per second).
    const a1 = await now(pool);
    a1.sending();
    a1.release({ kind: "success" });
    const b1 = await now(pool);
    b1.sending();
    b1.release({ kind: "success" });
    clock.advance(400);
    const a2 = await now(pool);
    a2.sending();
    a2.release({ kind: "success" });
    const b2 = await now(pool);
    b2.sending();
    b2.release({ kind: "success" });
    clock.advance(100);
    const a3 = await now(pool);
    a3.sending();
    a3.release({ kind: "throttled", retryAfterMs: 1000, rateLimit: { requests: { limit: 2, remaining: 0, resetMs: 500 } } });
    // Key B sent two in the last half second too: with A's limit it has no room now.
    const next = waiting(pool);
    await settle();
    assert.equal(next.granted(), null, "B adopted A's limit and its own log says it is full");
    clock.advance(600);
    await settle();
    assert.ok(next.granted(), "B's first request left the window");
    assert.equal(must(next.granted()).fingerprint, b1.fingerprint);
    must(next.granted()).release({ kind: "unused" });
    pool.dispose();
  });

  it("tells the user what paces each key: the limits it learned, an adaptive rate, an in-flight cap; nothing before", async () => {
    const stated = setup(1);
    assert.equal(stated.pool.snapshot()[0]?.pacing, undefined, "nothing learned yet");
    const first = await now(stated.pool);
    first.sending();
    stated.clock.advance(20);
    first.release({ kind: "success", rateLimit: { requests: { limit: 10, remaining: 0, resetMs: 1000 } } });
    const learned = stated.pool.snapshot()[0]?.pacing;
    assert.equal(learned?.limits.length, 1);
    assert.equal(learned?.limits[0]?.dimension, "requests");
    assert.equal(learned?.limits[0]?.limit, 10);
    const windowMs = learned?.limits[0]?.windowMs ?? 0;
    assert.equal(Math.round(windowMs / 1000), 1, `the window as measured (one second, with a small margin): ${windowMs} ms`);
    assert.equal(learned?.perSecond, undefined, "stated limits, no adaptive rate");
    stated.pool.dispose();

    const unstated = setup(1);
    for (let i = 0; i < 5; i++) {
      const lease = await now(unstated.pool);
      lease.sending();
      lease.release({ kind: "success" });
      unstated.clock.advance(50);
    }
    (await now(unstated.pool)).release({ kind: "throttled" });
    const adaptive = unstated.pool.snapshot()[0]?.pacing;
    assert.deepEqual(adaptive?.limits, []);
    assert.ok((adaptive?.perSecond ?? 0) > 0, "the rate adaptive pacing keeps");
    unstated.pool.dispose();

    const concurrent = setup(1);
    const out = [await now(concurrent.pool), await now(concurrent.pool)];
    out[0]?.observe(undefined);
    (await now(concurrent.pool)).release({ kind: "throttled", concurrency: true });
    assert.equal(concurrent.pool.snapshot()[0]?.pacing?.maxInFlight, 2);
    for (const lease of out) lease?.release({ kind: "success" });
    concurrent.pool.dispose();
  });
});
