import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExecutionSlots, type SlotLease } from "../../../src/core/scheduler/executionSlots";
import { configuredProviderCap, providerCap } from "../../../src/core/scheduler/providerCaps";

function slots(global: number, perProvider: Record<string, number>) {
  const caps = { global, perProvider };
  const s = new ExecutionSlots({ global: () => caps.global, provider: (id) => caps.perProvider[id] ?? 1 });
  return { s, caps };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("ExecutionSlots", () => {
  it("reserves synchronously: six requests with cap four grant exactly four before any await", () => {
    const { s } = slots(4, { p: 8 });
    const signal = new AbortController().signal;
    const requests = Array.from({ length: 6 }, () => s.request("p", signal));
    assert.equal(requests.filter((r) => r.granted).length, 4);
    assert.equal(s.held, 4);
    assert.equal(s.queued, 2);
    for (const r of requests) r.granted?.release();
    s.dispose();
  });

  it("wakes the next queued request when a slot is released", async () => {
    const { s } = slots(1, { p: 1 });
    const signal = new AbortController().signal;
    const first = s.request("p", signal);
    const second = s.request("p", signal);
    assert.ok(first.granted);
    assert.equal(second.granted, undefined);
    first.granted.release();
    first.granted.release(); // idempotent
    const lease = await second.lease;
    assert.equal(s.held, 1);
    assert.equal(s.queued, 0);
    lease.release();
    await tick();
    assert.equal(s.held, 0);
    s.dispose();
  });

  it("counts a provider cap only against that provider and the global cap against all", async () => {
    const { s } = slots(3, { a: 1, b: 5 });
    const signal = new AbortController().signal;
    const a = [s.request("a", signal), s.request("a", signal)];
    const b = [s.request("b", signal), s.request("b", signal), s.request("b", signal)];
    assert.deepEqual(a.map((r) => Boolean(r.granted)), [true, false]);
    // b is not blocked by a's cap, only by the global cap of 3 (1 a + 2 b).
    assert.deepEqual(b.map((r) => Boolean(r.granted)), [true, true, false]);
    assert.deepEqual(s.stats().heldByProvider, { a: 1, b: 2 });
    b[0]?.granted?.release();
    const third = await b[2]?.lease;
    assert.deepEqual(s.stats().heldByProvider, { a: 1, b: 2 });
    a[0]?.granted?.release();
    const secondA = await a[1]?.lease;
    for (const l of [third, secondA, b[1]?.granted]) l?.release();
    await tick();
    assert.equal(s.held, 0);
    s.dispose();
  });

  it("a queued request aborted by its signal leaves the queue and never gets a slot", async () => {
    const { s } = slots(1, { p: 1 });
    const holder = s.request("p", new AbortController().signal);
    const controller = new AbortController();
    const waiting = s.request("p", controller.signal);
    assert.equal(s.queued, 1);
    controller.abort("stop");
    await assert.rejects(waiting.lease);
    assert.equal(s.queued, 0);
    holder.granted?.release();
    await tick();
    assert.equal(s.held, 0);
    s.dispose();
  });

  it("aborting a held slot frees it", async () => {
    const { s } = slots(1, { p: 1 });
    const controller = new AbortController();
    const held = s.request("p", controller.signal);
    const next = s.request("p", new AbortController().signal);
    assert.ok(held.granted);
    controller.abort();
    const lease = await next.lease;
    assert.equal(s.held, 1);
    lease.release();
    s.dispose();
  });

  it("applies cap changes live: a lowered cap lets holders finish, a raised one wakes waiters", async () => {
    const { s, caps } = slots(2, { p: 10 });
    const signal = new AbortController().signal;
    const leases: SlotLease[] = [];
    const r = [s.request("p", signal), s.request("p", signal), s.request("p", signal)];
    for (const x of r) if (x.granted) leases.push(x.granted);
    assert.equal(leases.length, 2);
    caps.global = 1;
    leases[0]?.release();
    await tick();
    assert.equal(s.held, 1, "the lowered cap keeps the waiter queued");
    assert.equal(s.queued, 1);
    caps.global = 4;
    s.refreshCaps();
    const third = await r[2]?.lease;
    assert.equal(s.held, 2);
    leases[1]?.release();
    third?.release();
    s.dispose();
  });
});

describe("providerCap", () => {
  it("is min(global, max(1, usableKeys) × 2)", () => {
    assert.equal(providerCap(8, 4), 8);
    assert.equal(providerCap(8, 3), 6);
    assert.equal(providerCap(8, 0), 2, "a provider without a pool still runs");
    assert.equal(providerCap(1, 10), 1, "the global cap wins");
    assert.equal(providerCap(16, 4, 3), 12);
  });
});

describe("configuredProviderCap", () => {
  it("takes a provider's maxConcurrent, the global cap for a keyless provider, and the key-based cap otherwise", () => {
    assert.equal(configuredProviderCap(8, { maxConcurrent: 3 }, 10), 3, "maxConcurrent wins over the keys");
    assert.equal(configuredProviderCap(2, { maxConcurrent: 5 }, 0), 2, "the global cap still wins");
    assert.equal(configuredProviderCap(8, { auth: "none" }, 0), 8, "a keyless provider is not held to max(1, 0) × 2");
    assert.equal(configuredProviderCap(8, { auth: "none", maxConcurrent: 1 }, 0), 1);
    assert.equal(configuredProviderCap(8, { auth: "bearer" }, 0), 2);
    assert.equal(configuredProviderCap(8, { auth: "bearer" }, 3), 6);
    assert.equal(configuredProviderCap(8, undefined, 3), 6, "an unknown provider keeps the key-based cap");
  });
});
