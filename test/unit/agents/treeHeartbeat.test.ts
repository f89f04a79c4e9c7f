import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Clock } from "../../../src/core/common/clock";
import { silentLogger } from "../../../src/core/common/logger";
import { HEARTBEAT_MS, TreePersistence } from "../../../src/core/agents/treePersistence";
import type { AgentSnapshot } from "../../../src/core/protocol/agentSnapshot";
import { MemoryTreeStore } from "../../fakes/memoryStores";
import { makeAgent } from "../../webview/fixtures";

/** A clock whose timers fire only when the test advances it. */
class ManualClock implements Clock {
  time = 0;
  private timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number) {
    const timer = { at: this.time + ms, fn, live: true };
    this.timers.push(timer);
    return { dispose: () => void (timer.live = false) };
  }
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      next.live = false;
      this.time = next.at;
      next.fn();
    }
    this.time = until;
  }
  get pending(): number {
    return this.timers.filter((t) => t.live).length;
  }
}

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
    assert.equal(clock.pending, 0, "no timer left once every agent is final");
    persistence.dispose();
  });
});
