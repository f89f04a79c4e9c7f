import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fingerprint } from "../../../src/core/keys/fingerprint";
import { KeyPools } from "../../../src/core/keys/keyPools";
import { keyPoolSummarySchema } from "../../../src/core/protocol/agentSnapshot";
import { ManualClock } from "../../fakes/manualClock";
import { waitUntil } from "../../fakes/polling";
import { MemoryKeyStore, TEST_ORIGIN, testKeys } from "./testDoubles";

describe("KeyPools", () => {
  it("keeps one pool per provider: a key of A is never handed out for B", async () => {
    const a = testKeys("alpha", 3);
    const b = testKeys("beta", 2);
    const pools = new KeyPools({ originOf: () => TEST_ORIGIN, store: new MemoryKeyStore({ a, b }) });
    await pools.load(["a", "b"]);
    for (let i = 0; i < 30; i++) {
      const provider = i % 2 === 0 ? "a" : "b";
      const lease = pools.acquire(provider);
      assert.ok(lease);
      assert.equal(lease.providerId, provider);
      assert.ok((provider === "a" ? a : b).includes(lease.revealKey()), "key from the provider's own pool");
      lease.release(i % 3 === 0 ? { kind: "failure", errorClass: "server" } : { kind: "success" });
    }
    assert.equal(pools.acquire("c"), undefined, "no pool, no key");
    pools.dispose();
  });

  it("reloads a provider on a store change and keeps the health of keys that stay", async () => {
    const store = new MemoryKeyStore({ a: testKeys("alpha", 2) });
    const clock = new ManualClock(1_000_000);
    const pools = new KeyPools({ originOf: () => TEST_ORIGIN, store, clock });
    const pool = await pools.ready("a");
    const changes: string[] = [];
    pools.onDidChange((id) => changes.push(id));
    pool.acquire()?.release({ kind: "invalid", reason: "HTTP 401" });
    assert.deepEqual(changes, ["a"]);
    const added = testKeys("gamma", 1)[0] ?? "";
    await store.add("a", added);
    await waitUntil("reload", () => pool.size === 3);
    assert.deepEqual(pool.snapshot().map((k) => k.state), ["invalid", "healthy", "healthy"]);
    assert.equal(pools.usableKeyCount("a"), 2);
    assert.ok(changes.length >= 2);
    await store.remove("a", fingerprint(added));
    await waitUntil("reload after remove", () => pool.size === 2);
    assert.equal(pools.usableKeyCount("a"), 1);
    assert.equal(pools.reenable("a", pool.snapshot()[0]?.fingerprint ?? ""), true);
    assert.equal(pools.usableKeyCount("a"), 2);
    pools.dispose();
  });

  it("lets the latest of racing reloads win", async () => {
    const store = new MemoryKeyStore({ a: testKeys("alpha", 1) });
    const pools = new KeyPools({ originOf: () => TEST_ORIGIN, store });
    store.listDelayMs = 30;
    const first = pools.reload("a");
    store.listDelayMs = 0;
    await store.add("a", testKeys("delta", 1)[0] ?? "");
    const pool = await pools.ready("a");
    await first;
    assert.equal(pool.size, 2, "the slower, older read must not overwrite the newer one");
    pools.dispose();
  });

  it("gives a per-provider summary matching the protocol schema and a fingerprint-only snapshot", async () => {
    const a = testKeys("alpha", 3);
    const pools = new KeyPools({ originOf: () => TEST_ORIGIN, store: new MemoryKeyStore({ a, empty: [] }), cooldownSeconds: [5] });
    await pools.load(["a", "empty"]);
    pools.acquire("a")?.release({ kind: "failure", errorClass: "rate_limit" });
    pools.acquire("a")?.release({ kind: "invalid", reason: "HTTP 403" });
    const summaries = pools.summaries();
    assert.deepEqual(summaries, [
      { providerId: "a", healthy: 1, cooling: 1, invalid: 1 },
      { providerId: "empty", healthy: 0, cooling: 0, invalid: 0 },
    ]);
    for (const summary of summaries) keyPoolSummarySchema.parse(summary);
    const text = JSON.stringify(pools.snapshot());
    for (const key of a) assert.ok(!text.includes(key.slice(0, 8)) && !text.includes(key.slice(4, 12)));
    assert.deepEqual(pools.snapshot()[0]?.keys.map((k) => k.fingerprint), a.map(fingerprint));
    assert.equal(pools.usableKeyCount("empty"), 0);
    assert.equal(pools.usableKeyCount("never-loaded"), 0);
    pools.dispose();
  });

  it("applies a new cooldown ladder to existing pools", async () => {
    const clock = new ManualClock(1_000_000);
    const pools = new KeyPools({ originOf: () => TEST_ORIGIN, store: new MemoryKeyStore({ a: testKeys("alpha", 1) }), clock });
    const pool = await pools.ready("a");
    pools.setCooldownLadder([3]);
    pool.acquire()?.release({ kind: "failure", errorClass: "server" });
    assert.equal(pool.snapshot()[0]?.coolingUntil, clock.now() + 3000);
    pools.dispose();
  });

  it("holds back keys bound to another origin, leases carry the origin, and redaction still knows every key", async () => {
    const bound = testKeys("bound", 2);
    const elsewhere = testKeys("other", 1);
    const store = new MemoryKeyStore({ a: bound });
    await store.add("a", elsewhere[0] ?? "", "https://other.example");
    let origin: string | undefined = TEST_ORIGIN;
    const pools = new KeyPools({ originOf: () => origin, store });
    const pool = await pools.ready("a");
    assert.equal(pool.size, 2);
    assert.deepEqual(pools.misbound("a"), [{ fingerprint: fingerprint(elsewhere[0] ?? ""), boundTo: "https://other.example" }]);
    const lease = pool.acquire();
    assert.equal(lease?.origin, TEST_ORIGIN);
    lease?.release({ kind: "unused" });
    assert.deepEqual(new Set(pools.secretsForRedaction()), new Set([...bound, ...elsewhere]));
    origin = "https://other.example";
    assert.equal((await pools.ready("a")).size, 1, "a changed origin reloads the pool at the next use");
    assert.equal(pools.pool("a")?.acquire()?.origin, "https://other.example");
    origin = undefined;
    assert.equal((await pools.ready("a")).size, 0, "a provider no longer configured has no usable key");
    pools.dispose();
  });
});
