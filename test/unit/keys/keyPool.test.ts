import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { fingerprint } from "../../../src/core/keys/fingerprint";
import type { KeyLease } from "../../../src/core/keys/keyLease";
import { KeyPool } from "../../../src/core/keys/keyPool";
import { ManualClock } from "../../fakes/manualClock";
import { testKeys } from "./testDoubles";

const SECOND = 1000;

function pool(count = 3, clock = new ManualClock(1_000_000), cooldownSeconds?: number[]) {
  const keys = testKeys("pool", count);
  const p = new KeyPool({ providerId: "p", keys, clock, ...(cooldownSeconds ? { cooldownSeconds } : {}) });
  return { pool: p, keys, clock, fps: keys.map(fingerprint) };
}

function take(p: KeyPool): KeyLease {
  const lease = p.acquire();
  assert.ok(lease, "expected a lease");
  return lease;
}

function fail(p: KeyPool, retryAfterMs?: number): string {
  const lease = take(p);
  lease.release({ kind: "failure", errorClass: "rate_limit", ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  return lease.fingerprint;
}

describe("KeyPool", () => {
  it("rotates round-robin over healthy keys", () => {
    const { pool: p, fps } = pool(3);
    const order = Array.from({ length: 6 }, () => {
      const lease = take(p);
      lease.release({ kind: "success" });
      return lease.fingerprint;
    });
    assert.deepEqual(order, [...fps, ...fps]);
  });

  it("spreads concurrent leases over keys", () => {
    const { pool: p, fps } = pool(3);
    const leases = [take(p), take(p), take(p)];
    assert.deepEqual(leases.map((l) => l.fingerprint), fps);
    assert.deepEqual(p.snapshot().map((k) => k.inFlight), [1, 1, 1]);
    leases.forEach((l) => l.release({ kind: "success" }));
    assert.deepEqual(p.snapshot().map((k) => [k.inFlight, k.requestsServed]), [[0, 1], [0, 1], [0, 1]]);
  });

  it("cools a failing key down along the ladder 30 s → 5 min → 30 min and skips it meanwhile", () => {
    const { pool: p, clock, fps } = pool(1);
    const start = clock.now();
    assert.equal(fail(p), fps[0]);
    let snap = p.snapshot()[0];
    assert.equal(snap?.state, "cooling");
    assert.equal(snap?.coolingUntil, start + 30 * SECOND);
    clock.advance(30 * SECOND);
    assert.equal(p.snapshot()[0]?.state, "healthy");
    fail(p);
    assert.equal(p.snapshot()[0]?.coolingUntil, clock.now() + 300 * SECOND);
    clock.advance(300 * SECOND);
    fail(p);
    assert.equal(p.snapshot()[0]?.coolingUntil, clock.now() + 1800 * SECOND);
    clock.advance(1800 * SECOND);
    fail(p);
    snap = p.snapshot()[0];
    assert.equal(snap?.coolingUntil, clock.now() + 1800 * SECOND, "the last step repeats");
    assert.equal(snap?.consecutiveFailures, 4);
    assert.equal(snap?.lastErrorClass, "rate_limit");
  });

  it("skips a cooling key while others are healthy", () => {
    const { pool: p, fps } = pool(3);
    const failed = fail(p);
    assert.equal(failed, fps[0]);
    const next = Array.from({ length: 4 }, () => {
      const lease = take(p);
      lease.release({ kind: "success" });
      return lease.fingerprint;
    });
    assert.deepEqual(next, [fps[1], fps[2], fps[1], fps[2]]);
  });

  it("honours a Retry-After longer than the ladder step, and not a shorter one", () => {
    const { pool: p, clock } = pool(2);
    fail(p, 120 * SECOND);
    fail(p, 5 * SECOND);
    const [a, b] = p.snapshot();
    assert.equal(a?.coolingUntil, clock.now() + 120 * SECOND);
    assert.equal(b?.coolingUntil, clock.now() + 30 * SECOND);
  });

  it("resets the ladder after a success", () => {
    const { pool: p, clock } = pool(1);
    fail(p);
    clock.advance(30 * SECOND);
    fail(p);
    clock.advance(300 * SECOND);
    take(p).release({ kind: "success" });
    assert.equal(p.snapshot()[0]?.consecutiveFailures, 0);
    fail(p);
    assert.equal(p.snapshot()[0]?.coolingUntil, clock.now() + 30 * SECOND);
  });

  it("uses the configured ladder", () => {
    const { pool: p, clock } = pool(1, new ManualClock(1_000_000), [2, 4]);
    fail(p);
    assert.equal(p.snapshot()[0]?.coolingUntil, clock.now() + 2 * SECOND);
    p.setCooldownLadder([7]);
    clock.advance(2 * SECOND);
    fail(p);
    assert.equal(p.snapshot()[0]?.coolingUntil, clock.now() + 7 * SECOND);
  });

  it("when every key is cooling, falls back to round-robin and advances", () => {
    const { pool: p, fps } = pool(3);
    fail(p);
    fail(p);
    fail(p);
    assert.equal(p.summary().cooling, 3);
    const picks = Array.from({ length: 6 }, () => {
      const lease = take(p);
      assert.equal(lease.fallback, true);
      lease.release({ kind: "unused" });
      return lease.fingerprint;
    });
    assert.deepEqual(picks, [...fps, ...fps], "never the same key twice in a row");
  });

  it("in fallback, a lease carries the key's Retry-After as notBefore", () => {
    const { pool: p, clock } = pool(1);
    fail(p, 10 * SECOND);
    const lease = take(p);
    assert.equal(lease.fallback, true);
    assert.equal(lease.notBefore, clock.now() + 10 * SECOND);
  });

  it("a success in fallback makes the key healthy again", () => {
    const { pool: p } = pool(1);
    fail(p);
    take(p).release({ kind: "success" });
    assert.deepEqual(p.summary(), { providerId: "p", healthy: 1, cooling: 0, invalid: 0 });
  });

  it("marks 401/403 keys invalid with a reason and never hands them out", () => {
    const { pool: p, fps } = pool(2);
    take(p).release({ kind: "invalid", reason: "HTTP 401: key rejected" });
    assert.equal(p.usableKeyCount(), 1);
    const snap = p.snapshot()[0];
    assert.equal(snap?.state, "invalid");
    assert.equal(snap?.invalidReason, "HTTP 401: key rejected");
    for (let i = 0; i < 4; i++) {
      const lease = take(p);
      assert.equal(lease.fingerprint, fps[1]);
      lease.release({ kind: "failure", errorClass: "server" });
    }
    take(p).release({ kind: "invalid", reason: "HTTP 403" });
    assert.equal(p.acquire(), undefined, "no usable key left");
    assert.equal(p.usableKeyCount(), 0);
    assert.equal(p.reenable(fps[0] ?? ""), true);
    assert.equal(take(p).fingerprint, fps[0]);
  });

  it("prefers keys with rate-limit budget and waits for the earliest reset when all are spent", () => {
    const { pool: p, clock, fps } = pool(2);
    take(p).release({ kind: "success", rateLimit: { requests: { limit: 5, remaining: 0, resetMs: 800 } } });
    const second = take(p);
    assert.equal(second.fingerprint, fps[1], "the spent key is skipped");
    second.release({ kind: "success", rateLimit: { requests: { limit: 5, remaining: 0, resetMs: 500 } } });
    const waiting = take(p);
    assert.equal(waiting.fallback, false);
    assert.equal(waiting.fingerprint, fps[1]);
    assert.equal(waiting.notBefore, clock.now() + 500, "the reset its own answer stated, counted from when that answer was read");
    waiting.release({ kind: "unused" });
    clock.advance(500);
    const now = take(p);
    assert.equal(now.fingerprint, fps[1]);
    assert.equal(now.notBefore, clock.now());
    assert.equal(p.summary().healthy, 2, "a spent budget is not a failure");
  });

  it("keeps health of keys that stay when the key set changes", () => {
    const { pool: p, keys, fps } = pool(2);
    take(p).release({ kind: "invalid", reason: "HTTP 401" });
    const extra = testKeys("extra", 1);
    p.setKeys([...keys, ...extra]);
    assert.deepEqual(p.snapshot().map((k) => k.state), ["invalid", "healthy", "healthy"]);
    const lease = take(p);
    p.setKeys(extra);
    lease.release({ kind: "failure", errorClass: "server" });
    assert.deepEqual(p.snapshot().map((k) => [k.fingerprint, k.state]), [[fingerprint(extra[0] ?? ""), "healthy"]]);
    assert.notEqual(fps[0], fingerprint(extra[0] ?? ""));
  });

  it("fires change events on state changes, including the end of a cooldown", () => {
    const { pool: p, clock } = pool(2);
    let events = 0;
    p.onDidChange(() => events++);
    take(p).release({ kind: "success" });
    assert.equal(events, 0, "a plain success changes no state");
    fail(p);
    assert.equal(events, 1);
    clock.advance(30 * SECOND);
    assert.equal(events, 2, "cooldown end is announced");
    take(p).release({ kind: "invalid", reason: "HTTP 401" });
    assert.equal(events, 3);
    p.dispose();
    assert.equal(clock.pendingTimers, 0);
  });

  it("never exposes a raw key in snapshots, summaries or leases", () => {
    const { pool: p, keys } = pool(2);
    const lease = take(p);
    const outputs = [JSON.stringify(p.snapshot()), JSON.stringify(p.summary()), JSON.stringify(lease), inspect(lease, { showHidden: true, depth: 5 }), String(lease)];
    for (const text of outputs) for (const key of keys) assert.ok(!text.includes(key.slice(0, 8)) && !text.includes(key.slice(-8)), text);
    assert.equal(lease.revealKey(), keys[0]);
  });
});
