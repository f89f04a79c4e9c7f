import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AgentSnapshot } from "../../../src/core/protocol/agentSnapshot";
import type { PatchMessage, SnapshotMessage } from "../../../src/core/protocol/messages";
import { ELAPSED_TOLERANCE_MS, agentChanged, diffAgents } from "../../../src/host/agentTreeDiff";
import { TreeUpdateCoalescer } from "../../../src/host/treeUpdateCoalescer";
import { largeTree, makeAgent } from "../../webview/fixtures";
import { ManualClock } from "../../fakes/manualClock";

describe("agent diff", () => {
  const running = makeAgent({ id: "a", status: "running", elapsedMs: 10_000 });

  it("ignores elapsed time the webview extrapolates itself", () => {
    const sent = { agent: running, sentAt: 1_000 };
    assert.equal(agentChanged(sent, { ...running, elapsedMs: 15_000 }, 6_000), false);
    assert.equal(agentChanged(sent, { ...running, elapsedMs: 15_000 + ELAPSED_TOLERANCE_MS + 1 }, 6_000), true);
    const waiting = { ...running, status: "waiting" as const };
    assert.equal(agentChanged({ agent: waiting, sentAt: 1_000 }, { ...waiting, elapsedMs: 10_500 }, 6_000), false);
    assert.equal(agentChanged({ agent: waiting, sentAt: 1_000 }, { ...waiting, elapsedMs: 12_000 }, 6_000), true);
  });

  it("sees changed fields, nested values, and added or dropped optional fields", () => {
    const sent = { agent: running, sentAt: 0 };
    assert.equal(agentChanged(sent, { ...running }, 0), false);
    assert.equal(agentChanged(sent, { ...running, status: "completed" }, 0), true);
    assert.equal(agentChanged(sent, { ...running, currentTool: "read_file" }, 0), true);
    const withTools = { ...running, recentTools: [{ name: "read_file", preview: "a" }] };
    assert.equal(agentChanged({ agent: withTools, sentAt: 0 }, { ...withTools, recentTools: [{ name: "read_file", preview: "a" }] }, 0), false);
    assert.equal(agentChanged({ agent: withTools, sentAt: 0 }, { ...withTools, recentTools: [{ name: "read_file", preview: "b" }] }, 0), true);
    const { currentTool: _dropped, ...withoutTool } = { ...running, currentTool: "x" };
    assert.equal(agentChanged({ agent: { ...running, currentTool: "x" }, sentAt: 0 }, withoutTool, 0), true);
  });

  it("lists new, changed and removed agents", () => {
    const b = makeAgent({ id: "b" });
    const sent = new Map([["a", { agent: running, sentAt: 0 }], ["b", { agent: b, sentAt: 0 }]]);
    const diff = diffAgents(sent, [{ ...running, tokensOut: 1 }, makeAgent({ id: "c" })], 0);
    assert.deepEqual(diff.upserts.map((x) => x.id), ["a", "c"]);
    assert.deepEqual(diff.removed, ["b"]);
  });
});

describe("TreeUpdateCoalescer", () => {
  function rig(agents: AgentSnapshot[]) {
    const clock = new ManualClock();
    const posted: Array<SnapshotMessage | PatchMessage> = [];
    const state = { agents, keys: [], paused: false };
    const coalescer = new TreeUpdateCoalescer(
      { agents: () => state.agents, keys: () => state.keys, spawningPaused: () => state.paused },
      (m) => posted.push(m),
      clock,
    );
    return { clock, posted, state, coalescer };
  }

  it("keeps 200 changes per second of 2,000 agents to at most 20 messages per second", () => {
    const { clock, posted, state, coalescer } = rig(largeTree(2000));
    coalescer.start();
    let changes = 0;
    for (let ms = 0; ms < 10_000; ms += 5) {
      const index = (changes * 7919) % state.agents.length;
      const agent = state.agents[index];
      if (agent) state.agents[index] = { ...agent, toolCount: agent.toolCount + 1 };
      changes++;
      coalescer.markDirty();
      clock.advance(5);
    }
    clock.advance(100);
    const patches = posted.filter((m): m is PatchMessage => m.type === "patch");
    assert.equal(changes, 2000);
    assert.ok(patches.length <= 10 * 20 + 1, `${patches.length} patches in 10 s`);
    assert.ok(patches.length >= 10 * 20 - 2, "and does not fall behind");
    const upserted = patches.reduce((sum, p) => sum + p.upserts.length, 0);
    assert.ok(upserted <= changes, "each change is sent once");
    assert.deepEqual(patches.map((p) => p.seq), patches.map((_, i) => i + 1));
  });

  it("posts nothing when nothing changed, and nothing after stop()", () => {
    const { clock, posted, state, coalescer } = rig([makeAgent({ id: "a" })]);
    coalescer.start();
    coalescer.markDirty();
    clock.advance(1000);
    assert.equal(posted.length, 1);
    coalescer.stop();
    state.agents = [makeAgent({ id: "b" })];
    coalescer.markDirty();
    clock.advance(1000);
    assert.equal(posted.length, 1);
    assert.equal(clock.pendingTimers, 0);
    coalescer.dispose();
    coalescer.start();
    assert.equal(posted.length, 1, "a disposed coalescer stays silent");
  });
});
