import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { silentLogger } from "../../../src/core/common/logger";
import { HEARTBEAT_MS, TreePersistence } from "../../../src/core/agents/treePersistence";
import type { AgentSnapshot } from "../../../src/core/protocol/agentSnapshot";
import { ManualClock } from "../../fakes/manualClock";
import { MemoryTreeStore } from "../../fakes/memoryStores";
import { makeAgent } from "../../webview/fixtures";


describe("tree persistence heartbeat", () => {
  it("keeps saving a live agent's growing elapsed time without changes, and stops once all are final", () => {
    const clock = new ManualClock();
    const store = new MemoryTreeStore();
    let agent: AgentSnapshot = makeAgent({ id: "a", status: "running", elapsedMs: 0 });
    const persistence = new TreePersistence(store, () => [{ ...agent, elapsedMs: clock.now() }], clock, 1_000, silentLogger);

    persistence.saveSoon();
    clock.advance(1_000);
    assert.equal(store.saves, 1);
    // A stalled stream: no change events, yet the saved elapsed time keeps up.
    clock.advance(3 * HEARTBEAT_MS);
    assert.equal(store.saves, 4);
    assert.equal(store.saved[0]?.elapsedMs, 1_000 + 3 * HEARTBEAT_MS);

    agent = { ...agent, status: "completed" };
    clock.advance(HEARTBEAT_MS);
    assert.equal(store.saves, 5);
    assert.equal(clock.pendingTimers, 0, "no timer left once every agent is final");
    persistence.dispose();
  });
});
