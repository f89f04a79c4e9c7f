import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import type { TranscriptEvent } from "../../../src/core/agents/transcript";
import { isFinal } from "../../../src/core/agents/status";
import {assertQuiet, byName, createKit, spawnCall, type AgentTestKit } from "../../fakes/agentTestKit";
import { waitUntil } from "../../fakes/polling";
import { MemoryTranscriptStore, MemoryTreeStore } from "../../fakes/memoryStores";
import { lastToolResult, ScriptedModelClient, type ModelScript } from "../../fakes/scriptedModelClient";

const kits: AgentTestKit[] = [];
afterEach(() => {
  for (const kit of kits.splice(0)) kit.service.dispose();
});

/** One window's supervisor over stores that outlive it, as workspace storage outlives a reload. */
function window(script: ModelScript, stores: { treeStore: MemoryTreeStore; transcripts: MemoryTranscriptStore }, settings = {}): AgentTestKit {
  const kit = createKit(new ScriptedModelClient(script), { ...stores, settings: { "approval.subagents": "ask", ...settings } });
  kits.push(kit);
  return kit;
}

/** Every tool call has exactly one result (compared as lists: the fake model's call ids restart in each window). */
function assertWhole(events: readonly TranscriptEvent[], who: string): void {
  const calls = events.filter((e) => e.type === "tool_call").map((e) => (e.type === "tool_call" ? e.callId : ""));
  const results = events.filter((e) => e.type === "tool_result").map((e) => (e.type === "tool_result" ? e.callId : ""));
  assert.deepEqual([...results].sort(), [...calls].sort(), `${who}: one result per call`);
  assert.equal(events.filter((e) => e.type === "spawned").length, 1, `${who}: spawned once`);
}

describe("work survives a window reload", () => {
  it("a fan-out whose children are mid-run finishes after the reload by itself, with no transcript line lost or duplicated", async () => {
    const stores = { treeStore: new MemoryTreeStore(), transcripts: new MemoryTranscriptStore() };
    // First window: the children read a file, then hang in a model call; one waits for a command approval.
    const first = window((call) => {
      if (call.role === "root") {
        return call.turn === 0
          ? { toolCalls: [spawnCall("a", { timeout_seconds: 600 }), spawnCall("b", { timeout_seconds: 600 }), spawnCall("c", { timeout_seconds: 600 })] }
          : { text: "never" };
      }
      if (call.task === "c") return { toolCalls: [{ name: "run_command", arguments: { command: "make build" } }] };
      if (call.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "README.md" } }] };
      return { text: "never", delayMs: 60_000, chunkMs: 20 };
    }, stores);
    first.workspace.put("README.md", "# project\n");
    first.service.runRoot({ task: "fan out" });
    await waitUntil("a and b mid-run", () => ["a", "b"].every((n) => byName(first.service, n)?.status === "running" && byName(first.service, n)?.toolCount === 1));
    await waitUntil("c waiting for approval", () => byName(first.service, "c")?.pendingApproval !== undefined);
    const linesBefore = new Map([...stores.transcripts.events].map(([id, events]) => [id, events.length]));
    first.service.dispose(); // the window closes

    // Second window: the same stores; the model now finishes everything.
    const second = window((call) => {
      if (call.role === "root") {
        if (call.turn === 1) {
          return { toolCalls: [{ name: "wait_agents", arguments: { agent_ids: ["a", "b", "c"].map((n) => byName(second.service, n)?.id ?? n) } }] };
        }
        return { text: `root done after: ${lastToolResult(call.messages).length > 0 ? "wait" : "?"}` };
      }
      if (call.task === "c") return { text: `c done: ${lastToolResult(call.messages)}` };
      return { text: `${call.task} done` };
    }, stores);
    second.workspace.put("README.md", "# project\n");
    await second.service.ready;
    for (const name of ["fan out", "a", "b", "c"]) {
      assert.equal(byName(second.service, name)?.resumedAfterReload, true, `${name} shows "resumed after reload"`);
    }
    await waitUntil("the approval asked again", () => byName(second.service, "c")?.pendingApproval !== undefined);
    const asked = byName(second.service, "c")?.pendingApproval;
    assert.equal(asked?.command, "make build");
    second.service.resolveApproval(asked?.requestId ?? "", "approved");
    await waitUntil("every agent to finish", () => second.service.snapshot().every((a) => isFinal(a.status)), 10_000);

    for (const agent of second.service.snapshot()) assert.equal(agent.status, "completed", `${agent.name}: ${agent.statusReason}`);
    assert.equal(byName(second.service, "a")?.result, "a done");
    assert.match(byName(second.service, "c")?.result ?? "", /^c done: exit code 0\nran: make build/);
    assert.equal(second.workspace.commands.length, 1, "the approved command ran once, after the reload");

    const root = byName(second.service, "fan out");
    const rootEvents = stores.transcripts.of(root?.id ?? "");
    const cutOff = rootEvents.filter((e) => e.type === "tool_result" && e.name === "spawn_agent");
    assert.equal(cutOff.length, 3);
    assert.ok(cutOff.every((e) => e.type === "tool_result" && /cut off when the VS Code window reloaded/.test(e.content)));
    assert.ok(root?.recentTools?.every((t) => t.ok !== undefined), "no cut-off call still shows as running in the tree");
    for (const agent of second.service.snapshot()) {
      const events = stores.transcripts.of(agent.id);
      assertWhole(events, agent.name);
      assert.ok(events.length > (linesBefore.get(agent.id) ?? 0), `${agent.name} continued its transcript`);
    }
    await assertQuiet(second);
  });

  it("a read-only call cut off by the reload is made again, and the deadline continues with the time it had left", async () => {
    const stores = { treeStore: new MemoryTreeStore(), transcripts: new MemoryTranscriptStore() };
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    const first = window((call) => {
      if (call.role === "root") return call.turn === 0 ? { toolCalls: [spawnCall("reader", { timeout_seconds: 600 })] } : { text: "never" };
      return { toolCalls: [{ name: "read_file", arguments: { path: "slow.txt" } }] };
    }, stores);
    first.workspace.put("slow.txt", "slow content\n");
    const readFile = first.workspace.readFile.bind(first.workspace);
    first.workspace.readFile = async (path, range) => {
      await hung;
      return readFile(path, range);
    };
    first.service.runRoot({ task: "read slowly" });
    await waitUntil("the read in progress", () => byName(first.service, "reader")?.currentTool === "read_file");
    first.clock.offsetMs = 100_000; // 100 s of work pass before the window closes
    const closing = first.clock.now();
    const leftAtClose = byName(first.service, "reader")?.timeoutLeftMs ?? Number.NaN;
    first.service.dispose();
    release();
    const sinceClosing = first.clock.now() - closing;
    assert.ok(leftAtClose <= 600_000 - 100_000, `the 100 s of work count against the deadline (${leftAtClose} ms left)`);
    // Saved is what was left when the window closed, less only what passed while it closed.
    const savedLeft = stores.treeStore.saved.find((a) => a.name === "reader")?.timeoutLeftMs ?? Number.NaN;
    assert.ok(savedLeft <= leftAtClose && savedLeft >= leftAtClose - sinceClosing, `saved ${savedLeft} ms left of ${leftAtClose}`);

    let sawRead = "";
    const second = window((call) => {
      if (call.role === "root") {
        // Told its spawn was cut off, the root collects the child that continues.
        if (/cut off/.test(lastToolResult(call.messages))) {
          return { toolCalls: [{ name: "wait_agents", arguments: { agent_ids: [byName(second.service, "reader")?.id ?? ""] } }] };
        }
        return { text: "root done" };
      }
      sawRead = lastToolResult(call.messages);
      return { text: "reader done" };
    }, stores);
    second.workspace.put("slow.txt", "slow content\n");
    const reopening = second.clock.now();
    await second.service.ready;
    const resumed = byName(second.service, "reader");
    const left = resumed?.timeoutLeftMs ?? Number.NaN;
    const sinceReopening = second.clock.now() - reopening;
    assert.ok(left <= savedLeft && left >= savedLeft - sinceReopening, `the resumed deadline keeps the ${savedLeft} ms left (${left} ms)`);
    await waitUntil("all final", () => second.service.snapshot().every((a) => isFinal(a.status)), 10_000);
    assert.equal(byName(second.service, "reader")?.status, "completed");
    assert.match(sawRead, /slow content/, "the cut-off read was made again");
    assertWhole(stores.transcripts.of(resumed?.id ?? ""), "reader");
    await assertQuiet(second);
  });

  it("with subagents.resumeAfterReload off, live agents end as interrupted (window reloaded)", async () => {
    const stores = { treeStore: new MemoryTreeStore(), transcripts: new MemoryTranscriptStore() };
    const first = window(() => ({ text: "never", delayMs: 60_000, chunkMs: 20 }), stores);
    first.service.runRoot({ task: "hang" });
    await waitUntil("running", () => byName(first.service, "hang")?.status === "running");
    first.service.dispose();
    const second = window(() => ({ text: "x" }), stores, { resumeAfterReload: false });
    await second.service.ready;
    const root = byName(second.service, "hang");
    assert.equal(root?.status, "interrupted");
    assert.equal(root?.statusReason, "window reloaded");
    assert.equal(root?.resumedAfterReload, undefined);
  });
});
