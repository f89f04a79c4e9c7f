import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {assertQuiet, byName, scriptedKitPerTest, spawnCall } from "../../fakes/agentTestKit";
import { waitUntil } from "../../fakes/polling";
import { ManualClock } from "../../fakes/manualClock";

const start = scriptedKitPerTest();

/** A promise opened from outside: the blocking agent's model call waits on it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe("deadlines count work, not queueing", () => {
  it("a foreground child queued longer than its timeout behind a cap-1 scheduler still runs and completes", async () => {
    const clock = new ManualClock(1_000_000);
    const blocker = gate();
    const { kit } = start(
      async (call) => {
        if (call.role === "root") {
          if (call.turn === 0) return { toolCalls: [spawnCall("blocker", { background: true, timeout_seconds: 3600 })] };
          if (call.turn === 1) return { toolCalls: [spawnCall("queued", { timeout_seconds: 10 })] };
          return { text: "root done" };
        }
        if (call.task === "blocker") {
          await blocker.wait;
          return { text: "blocker done" };
        }
        return { text: "queued child done" };
      },
      { settings: { maxConcurrentAgents: 1 }, deps: { clock } },
    );
    const root = kit.service.runRoot({ task: "fan out" });
    await waitUntil("the blocker to hold the only slot", () => byName(kit.service, "blocker")?.status === "running");
    await waitUntil("the foreground child to queue", () => byName(kit.service, "queued")?.status === "queued");

    clock.advance(60_000);
    const waiting = byName(kit.service, "queued");
    assert.equal(waiting?.status, "queued", "60 s in the queue do not spend a 10 s timeout");
    assert.equal(waiting?.timeoutPausedLeftMs, 10_000);
    assert.ok((waiting?.queuedMs ?? 0) >= 60_000, `queued time shown separately (${waiting?.queuedMs})`);

    blocker.open();
    const final = await root.done;
    assert.equal(final.status, "completed");
    const child = byName(kit.service, "queued");
    assert.equal(child?.status, "completed");
    assert.equal(child?.result, "queued child done");
    assert.ok((child?.queuedMs ?? 0) >= 60_000);
    assert.equal(child?.timeoutPausedLeftMs, undefined);
    clock.advance(1_000); // lets the tree's delayed save run
    await assertQuiet(kit);
  });

  it("the deadline counts while the agent runs, and the reason names work time and queued time apart", async () => {
    const clock = new ManualClock(1_000_000);
    const { kit } = start(
      async (call) => {
        if (call.role === "root") return call.turn === 0 ? { toolCalls: [spawnCall("slow", { timeout_seconds: 10 })] } : { text: "root done" };
        return { text: "never", delayMs: 60_000, chunkMs: 20 };
      },
      { deps: { clock } },
    );
    const root = kit.service.runRoot({ task: "fan out" });
    await waitUntil("the child to run", () => byName(kit.service, "slow")?.status === "running");
    const running = byName(kit.service, "slow");
    assert.equal(running?.timeoutPausedLeftMs, undefined);
    assert.equal(running?.timeoutAt, clock.now() + 10_000);
    clock.advance(9_000);
    assert.equal(byName(kit.service, "slow")?.status, "running");
    clock.advance(1_000);
    const timedOut = byName(kit.service, "slow");
    assert.equal(timedOut?.status, "timed_out");
    assert.match(timedOut?.statusReason ?? "", /^timed out after 10\.0 s of work$/);
    assert.equal((await root.done).status, "completed");
    clock.advance(1_000);
    await assertQuiet(kit);
  });

  it("extending a paused deadline adds work time without starting the countdown", async () => {
    const clock = new ManualClock(1_000_000);
    const blocker = gate();
    const { kit } = start(
      async (call) => {
        if (call.role === "root") {
          if (call.turn === 0) return { toolCalls: [spawnCall("blocker", { background: true, timeout_seconds: 3600 })] };
          if (call.turn === 1) return { toolCalls: [spawnCall("queued", { timeout_seconds: 10 })] };
          return { text: "root done" };
        }
        if (call.task === "blocker") await blocker.wait;
        return { text: "done" };
      },
      { settings: { maxConcurrentAgents: 1 }, deps: { clock } },
    );
    const root = kit.service.runRoot({ task: "fan out" });
    await waitUntil("the child to queue", () => byName(kit.service, "queued")?.status === "queued");
    const id = byName(kit.service, "queued")?.id ?? "";
    kit.service.extendTimeout(id, 20);
    assert.equal(byName(kit.service, "queued")?.timeoutPausedLeftMs, 30_000);
    clock.advance(45_000);
    assert.equal(byName(kit.service, "queued")?.timeoutPausedLeftMs, 30_000);
    blocker.open();
    assert.equal((await root.done).status, "completed");
    assert.equal(byName(kit.service, "queued")?.status, "completed");
    clock.advance(1_000);
    await assertQuiet(kit);
  });
});
