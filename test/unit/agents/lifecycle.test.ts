import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CompletionRequest, CompletionResult, ModelClient } from "../../../src/core/llm/modelClient";
import { assertQuiet, byName, createKit, scriptedKitPerTest, spawnCall } from "../../fakes/agentTestKit";
import { waitUntil } from "../../fakes/polling";

const start = scriptedKitPerTest();

const spawn = spawnCall;
const slowStartup = (ms: number, fail?: string) => async () => {
  await new Promise((r) => setTimeout(r, ms));
  if (fail) throw new Error(fail);
  return undefined;
};

describe("timeouts and interrupts", () => {
  it("times out one child while its siblings finish; the parent gets the partial output", async () => {
    const { kit, client } = start((call) => {
      if (call.role === "root") return call.turn === 0 ? { toolCalls: [spawn("slow", { timeout_seconds: 0.15 }), spawn("fast")] } : { text: "root ok" };
      if (call.task === "slow") return call.turn === 0 ? { text: "partial thoughts", toolCalls: [{ name: "list_files", arguments: {} }] } : { text: "never", delayMs: 5000, chunkMs: 10 };
      return { text: "fast result", delayMs: 20 };
    });
    const final = await kit.service.runRoot({ task: "root" }).done;
    assert.equal(final.status, "completed");
    const slow = byName(kit.service, "slow");
    assert.equal(slow?.status, "timed_out");
    assert.match(slow?.statusReason ?? "", /^timed out after 0\.\d s of work( \(plus .* queued, which does not count\))?$/);
    assert.equal(byName(kit.service, "fast")?.status, "completed");
    const reports = client.calls.find((c) => c.role === "root" && c.turn === 1)?.messages.filter((m) => m.role === "tool").map((m) => JSON.parse(String(m.content)));
    assert.equal(reports?.[0].status, "timed_out");
    assert.match(reports?.[0].partial_output, /partial thoughts/);
    await assertQuiet(kit);
  });

  it("a timed-out agent stays timed_out even if the model answers later", async (t) => {
    let late!: (r: CompletionResult) => void;
    const stubborn: ModelClient = {
      // Ignores the abort signal on purpose, like a provider that answers anyway.
      complete: (_request: CompletionRequest) => new Promise<CompletionResult>((resolve) => (late = resolve)),
    };
    const kit = createKit(stubborn);
    t.after(() => kit.service.dispose());
    const { agentId, done } = kit.service.runRoot({ task: "root" });
    await waitUntil("running", () => kit.service.get(agentId)?.status === "running");
    kit.service.setTimeout(agentId, 1);
    const final = await done;
    assert.equal(final.status, "timed_out");
    late({ content: "too late", toolCalls: [], finishReason: "stop", usage: { promptTokens: 1, completionTokens: 1 }, keyFingerprint: "…x" });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(kit.service.get(agentId)?.status, "timed_out");
    assert.equal(kit.service.get(agentId)?.result, undefined);
    await assertQuiet(kit);
  });

  it("startup does not count against a timeout, and an interrupt during startup still ends the agent and frees its slot", async () => {
    const { kit } = start(
      (call) => {
        if (call.role === "root") return call.turn === 0 ? { toolCalls: [spawn("t", { timeout_seconds: 0.05 }), spawn("i", { background: true })] } : { text: "ok" };
        return { text: "never here" };
      },
      { deps: { resolveAgentType: slowStartup(300) } },
    );
    const root = kit.service.runRoot({ task: "root" });
    await waitUntil("child i", () => byName(kit.service, "i") !== undefined);
    kit.service.interrupt(byName(kit.service, "i")!.id);
    assert.equal(byName(kit.service, "i")?.status, "interrupted");
    assert.equal((await root.done).status, "completed");
    // A 50 ms limit and a 300 ms startup: the deadline starts only when the agent works.
    const t = byName(kit.service, "t");
    assert.equal(t?.status, "completed");
    assert.equal(t?.result, "never here");
    assert.ok((t?.queuedMs ?? 0) >= 250, `startup counted as queued time (${t?.queuedMs} ms)`);
    await assertQuiet(kit);
  });

  it("interrupting a parent mid-fan-out stops it and every descendant", async () => {
    const { kit } = start((call) => {
      if (call.role === "root") return { toolCalls: [spawn("a", { role: "orchestrator" }), spawn("b")] };
      if (call.task === "a" && call.turn === 0) return { toolCalls: [spawn("a1")] };
      return { text: "streaming forever", delayMs: 60_000, chunkMs: 5 };
    }, { settings: { maxSpawnDepth: 2 } });
    const root = kit.service.runRoot({ task: "root" });
    await waitUntil("fan-out running", () => byName(kit.service, "a1")?.status === "running" && byName(kit.service, "b")?.status === "running");
    // Every stream waits 60 s before answering: only the interrupt can end this run.
    kit.service.interrupt(root.agentId);
    const final = await root.done;
    assert.equal(final.status, "interrupted");
    for (const name of ["a", "a1", "b"]) {
      assert.equal(byName(kit.service, name)?.status, "interrupted", name);
      assert.match(byName(kit.service, name)?.statusReason ?? "", /parent was interrupted/);
    }
    await assertQuiet(kit);
  });

  it("an interrupt mid-tool is final at once even if the tool ignores it", async () => {
    const { kit } = start((call) => (call.turn === 0 ? { toolCalls: [{ name: "get_diagnostics", arguments: {} }] } : { text: "x" }));
    let finishTool!: () => void;
    kit.workspace.getDiagnostics = () => new Promise((r) => (finishTool = () => r([])));
    const root = kit.service.runRoot({ task: "root" });
    await waitUntil("tool running", () => kit!.service.get(root.agentId)?.currentTool === "get_diagnostics");
    // The tool never returns until finishTool(): the run ends only because the interrupt is final at once.
    kit.service.interruptAll();
    assert.equal((await root.done).status, "interrupted");
    finishTool();
    await assertQuiet(kit);
  });

  it("sets, extends and removes a timeout while the agent runs; refuses bad values", async () => {
    const { kit } = start(() => ({ text: "slow", delayMs: 60_000, chunkMs: 20 }));
    const { agentId, done } = kit.service.runRoot({ task: "root" });
    await waitUntil("running", () => kit!.service.get(agentId)?.status === "running");
    assert.equal(kit.service.get(agentId)?.timeoutAt, undefined, "roots start without a limit");
    kit.service.setTimeout(agentId, 600);
    const first = kit.service.get(agentId)?.timeoutAt ?? 0;
    assert.ok(first > Date.now() + 590_000);
    kit.service.extendTimeout(agentId, 60);
    assert.equal(kit.service.get(agentId)?.timeoutAt, first + 60_000);
    kit.service.setTimeout(agentId, null);
    assert.equal(kit.service.get(agentId)?.timeoutAt, undefined);
    // Whole seconds from 1 to 3600, and the message says exactly that: a fraction is refused, not
    // rounded (0.4 would round to 0, which means "no limit"), and two hours is refused.
    for (const bad of [4000, 7200, 0.05, 1.5, -1, Number.NaN]) {
      assert.throws(() => kit!.service.setTimeout(agentId, bad), /whole number of seconds from 1 to 3600/, String(bad));
      assert.throws(() => kit!.service.extendTimeout(agentId, bad), /whole number of seconds from 1 to 3600/, String(bad));
    }
    assert.throws(() => kit!.service.setTimeout("nope", 5), /No agent with id "nope"/);
    kit.service.setTimeout(agentId, 1);
    assert.equal((await done).status, "timed_out");
    assert.throws(() => kit!.service.extendTimeout(agentId, 5), /already finished/);
    await assertQuiet(kit);
  });

  it("a background agent must keep a timeout", async () => {
    const { kit } = start((call) => {
      if (call.role === "root") return call.turn === 0 ? { toolCalls: [spawn("bg", { background: true })] } : { text: "ok", delayMs: 200 };
      return { text: "bg", delayMs: 60_000, chunkMs: 20 };
    });
    const root = kit.service.runRoot({ task: "root" });
    await waitUntil("bg running", () => byName(kit.service, "bg")?.status === "running");
    const bg = byName(kit.service, "bg")!;
    assert.equal(bg.timeoutRemovable, false);
    assert.ok(bg.timeoutAt !== undefined);
    assert.throws(() => kit!.service.setTimeout(bg.id, null), /must keep a timeout/);
    await root.done;
    assert.equal(byName(kit.service, "bg")?.status, "interrupted", "a finished parent stops its background children");
    await assertQuiet(kit);
  });
});

describe("startup failures", () => {
  it("a failed startup makes the child failed and tells the parent (foreground and background)", async () => {
    const { kit, client } = start(
      (call) => {
        if (call.role === "root") {
          if (call.turn === 0) return { toolCalls: [spawn("fg"), spawn("bg", { background: true })] };
          if (call.turn === 1) return { toolCalls: [{ name: "list_files", arguments: {} }], delayMs: 50 };
          return { text: "ok" };
        }
        return { text: "unreachable" };
      },
      { deps: { resolveAgentType: slowStartup(5, "definition file is broken") } },
    );
    await kit.service.runRoot({ task: "root" }).done;
    assert.equal(byName(kit.service, "fg")?.status, "failed");
    assert.match(byName(kit.service, "fg")?.statusReason ?? "", /startup failed: definition file is broken/);
    const turn1 = client.calls.find((c) => c.role === "root" && c.turn === 1);
    assert.equal(JSON.parse(String(turn1?.messages.filter((m) => m.role === "tool")[0]?.content)).status, "failed");
    const turn2 = client.calls.find((c) => c.role === "root" && c.turn === 2);
    assert.ok(turn2?.messages.some((m) => m.role === "user" && String(m.content).includes('background agent') && String(m.content).includes("failed: startup failed")));
    await assertQuiet(kit);
  });

  it("a late startup failure after the child was interrupted does not reach the parent", async () => {
    const { kit, client } = start(
      (call) => {
        if (call.role === "root") {
          if (call.turn === 0) return { toolCalls: [spawn("bg", { background: true })] };
          if (call.turn === 1) return { toolCalls: [{ name: "list_files", arguments: {} }], delayMs: 150 };
          return { text: "ok" };
        }
        return { text: "unreachable" };
      },
      { deps: { resolveAgentType: slowStartup(60, "late failure") } },
    );
    const root = kit.service.runRoot({ task: "root" });
    await waitUntil("bg registered", () => byName(kit.service, "bg") !== undefined);
    kit.service.interrupt(byName(kit.service, "bg")!.id);
    await root.done;
    assert.equal(byName(kit.service, "bg")?.status, "interrupted");
    assert.equal(byName(kit.service, "bg")?.statusReason, "interrupted by the user");
    const userMessages = client.calls.filter((c) => c.role === "root").flatMap((c) => c.messages.filter((m) => m.role === "user"));
    assert.ok(!userMessages.some((m) => String(m.content).includes("late failure")));
    await assertQuiet(kit);
  });
});

describe("messages and resume", () => {
  it("a running agent sees a message at its next turn; a finished one wakes with its conversation", async () => {
    const { kit, client } = start((call) => {
      const lastUser = [...call.messages].reverse().find((m) => m.role === "user");
      if (call.turn === 0) return { toolCalls: [{ name: "list_files", arguments: {} }], delayMs: 40 };
      return { text: `reply to: ${String(lastUser?.content)}` };
    });
    const { agentId, done } = kit.service.runRoot({ task: "first task" });
    await waitUntil("running", () => kit!.service.get(agentId)?.status === "running");
    kit.service.sendMessage(agentId, "also this");
    assert.equal((await done).result, "reply to: also this");
    kit.service.sendMessage(agentId, "follow-up");
    assert.equal(kit.service.get(agentId)?.status, "queued");
    await waitUntil("second run", () => kit!.service.get(agentId)?.status === "completed");
    assert.equal(kit.service.get(agentId)?.result, "reply to: follow-up");
    const resumed = client.calls.at(-1)!;
    assert.deepEqual(resumed.messages.map((m) => m.role), ["system", "user", "assistant", "tool", "user", "assistant", "user"]);
    assert.throws(() => kit!.service.sendMessage(agentId, "  "), /empty/);
    await assertQuiet(kit);
  });

  it("classifies a resumed agent by the model it will run with and keeps an override only when accepted", async () => {
    const { kit, client } = start((call) => ({ text: `on ${call.providerId}:${call.model}` }));
    const { agentId, done } = kit.service.runRoot({ task: "root" });
    await done;
    assert.throws(() => kit!.service.sendMessage(agentId, "again", { modelRef: "nowhere:x" }), /not in subagents.providers/);
    assert.equal(kit.service.get(agentId)?.providerId, "alpha");
    kit.settings.maxQueuedAgents = 0;
    kit.settings.maxConcurrentAgents = 1;
    const blocker = kit.service.runRoot({ task: "blocker" });
    kit.service.sendMessage(blocker.agentId, "keep busy");
    client.script = (call) => (call.task === "blocker" ? { text: "busy", delayMs: 100 } : { text: `on ${call.providerId}:${call.model}` });
    await waitUntil("blocker running", () => kit!.service.get(blocker.agentId)?.status === "running");
    // Worded for the user (what they can change), not for a model (wait_agents).
    assert.throws(() => kit!.service.sendMessage(agentId, "again", { modelRef: "beta:m-beta" }), (error: unknown) => {
      const message = error instanceof Error ? error.message : "";
      return /maxQueuedAgents is 0\)\. Try again .* raise subagents\.maxQueuedAgents/.test(message) && !message.includes("wait_agents");
    });
    assert.equal(kit.service.get(agentId)?.providerId, "alpha", "a refused resume keeps the old model");
    await blocker.done;
    await waitUntil("blocker done", () => kit!.service.get(blocker.agentId)?.status === "completed");
    kit.settings.maxQueuedAgents = 10;
    kit.service.sendMessage(agentId, "again", { modelRef: "beta:m-beta" });
    await waitUntil("resumed run", () => kit!.service.get(agentId)?.status === "completed");
    assert.equal(kit.service.get(agentId)?.providerId, "beta");
    assert.equal(client.calls.at(-1)?.providerId, "beta");
    assert.equal(kit.service.get(agentId)?.result, "on beta:m-beta");
    await assertQuiet(kit);
  });

  it("shows an agent waiting for a key with room in the tree, and what it does once it has one", async () => {
    let haveKey!: () => void;
    const keyFree = new Promise<void>((resolve) => (haveKey = resolve));
    const { kit } = start(async (call) => {
      if (call.turn === 0) {
        call.onKeyWait?.({ until: kit!.clock.now() + 12_000 });
        await keyFree;
        call.onKeyWait?.(undefined);
      }
      return { text: "done" };
    });
    const { agentId, done } = kit.service.runRoot({ task: "root" });
    await waitUntil("the wait in the tree", () => kit!.service.get(agentId)?.lastEvent === "waiting for an API key with room (rate limits), about 12 s");
    assert.equal(kit.service.get(agentId)?.status, "running");
    haveKey();
    assert.equal((await done).status, "completed");
    assert.notEqual(kit.service.get(agentId)?.lastEvent, "waiting for an API key with room (rate limits), about 12 s");
    await assertQuiet(kit);
  });

  it("an agent interrupted while it waits for a key ends, and the wait's end leaves nothing watching it", async () => {
    let endWait: (() => void) | undefined;
    const { kit } = start(async (call) => {
      call.onKeyWait?.({});
      endWait = () => call.onKeyWait?.(undefined);
      await new Promise(() => undefined);
      return { text: "never" };
    });
    const { agentId, done } = kit.service.runRoot({ task: "root" });
    await waitUntil("the wait in the tree", () => kit!.service.get(agentId)?.lastEvent === "waiting for an API key with room (rate limits)");
    kit.service.interrupt(agentId);
    assert.equal((await done).status, "interrupted");
    endWait?.(); // as the client's lease ends when the abort reaches it
    assert.equal(kit.service.get(agentId)?.stale, false);
    await assertQuiet(kit);
  });

  it("flags a running agent stale without progress and clears it on progress", async () => {
    const { kit } = start(() => ({ text: "x", delayMs: 400, chunkMs: 400 }), { deps: { staleCheckMs: 10 } });
    const { agentId, done } = kit.service.runRoot({ task: "root" });
    await waitUntil("running", () => kit!.service.get(agentId)?.status === "running");
    kit.clock.offsetMs = 10_000_000;
    await waitUntil("stale flag", () => kit!.service.get(agentId)?.stale === true);
    assert.equal(kit.service.get(agentId)?.status, "running", "stale agents are not killed");
    kit.service.interrupt(agentId);
    await done;
    assert.equal(kit.service.get(agentId)?.stale, false);
    await assertQuiet(kit);
  });
});
