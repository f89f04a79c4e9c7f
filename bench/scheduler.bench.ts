import { join } from "node:path";
import { AgentSupervisor } from "../src/core/agents/agentSupervisor";
import type { TranscriptEvent, TranscriptStore } from "../src/core/agents/transcript";
import { isFinal } from "../src/core/agents/status";
import { systemClock, type Clock } from "../src/core/common/clock";
import type { ChatMessage } from "../src/core/llm/modelClient";
import { testSettings } from "../test/fakes/agentTestKit";
import { FakeWorkspaceTools } from "../test/fakes/fakeWorkspaceTools";
import { spawnCall, startLiveKit, StaticKeyStore } from "../test/fakes/liveModelKit";
import { ScriptedModelClient } from "../test/fakes/scriptedModelClient";
import { endpointOrigin } from "../src/core/keys/keyOrigin";
import { KeyPools } from "../src/core/keys/keyPools";
import { ChatClient } from "../src/core/llm/chatClient";
import { settingSchemas, type ProviderConfig, type Settings } from "../src/core/settings/schema";
import { MemoryTranscriptStore, MemoryTreeStore } from "../test/fakes/memoryStores";
import { TrackingClock } from "../test/fakes/trackingClock";
import { FANOUT_CHILDREN } from "./fanoutScript";
import { startRemoteFakeServer } from "./fakeServerProcess";
import { exposeGc, heapAfterGc } from "./heap";

/**
 * Scheduler benchmarks:
 * - spawn.registerP99Ms: from the start of a spawn_agent call to the child
 *   being in the registry, while every child's startup takes 2 s;
 * - scheduler.fanout.speedup: 16 children × 4 model calls of 100 ms on the
 *   test server (4 keys, in its own process): wall time with cap 1 (one child
 *   at a time) ÷ with cap 8, the best of two runs of each;
 * - memory.perFinishedAgentKB: heap growth per finished agent kept in the
 *   tree, 1,000 agents, transcripts handed to a store outside the heap;
 * - interrupt.toFinalP95Ms / interrupt.streamClosedP95Ms: from interrupting
 *   an agent whose model stream stalls (real SDK, test server) to its final
 *   status, and to the server seeing the stream closed (target: well under
 *   the 1 s a user may wait between clicking Interrupt and seeing it).
 */
export async function runBench(): Promise<Record<string, number>> {
  const register = await registerLatency();
  const speedup = await fanoutSpeedup();
  const memory = await memoryPerAgent();
  const interrupt = await interruptLatency();
  return {
    "spawn.registerP99Ms": register.p99,
    "spawn.registerP50Ms": register.p50,
    "scheduler.fanout.speedup": speedup.speedup,
    "scheduler.fanout.sequentialMs": speedup.sequentialMs,
    "scheduler.fanout.parallelMs": speedup.parallelMs,
    "memory.perFinishedAgentKB": memory,
    "interrupt.toFinalP95Ms": interrupt.toFinalP95,
    "interrupt.streamClosedP95Ms": interrupt.streamClosedP95,
  };
}

const hrClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: systemClock.setTimeout,
};

/**
 * Every registry change fires onDidChange synchronously. For one spawn the
 * fires are: the parent's tool start (spawn_agent begins), then the child's
 * registration, whose "spawned" transcript line follows at once. So the
 * latency of a spawn is the time between those two fires; the listener only
 * records timestamps, so measuring adds nothing to what is measured.
 */
async function registerLatency(): Promise<{ p50: number; p99: number }> {
  const turns = 5;
  const perTurn = 100;
  const client = new ScriptedModelClient((call) =>
    call.role === "root" && call.turn < turns
      ? { toolCalls: Array.from({ length: perTurn }, (_, i) => spawnCall(`t${call.turn}-c${i}`, { background: true, timeout_seconds: 60 })) }
      : { text: "done" },
  );
  const settings = testSettings({ maxQueuedAgents: 10_000 });
  const fires: number[] = [];
  const registrations: number[] = [];
  const transcripts: TranscriptStore = {
    append(_agentId, event) {
      if (event.type === "spawned" && event.parentId !== null) registrations.push(fires.length - 1);
    },
    read: async () => [],
  };
  const service = new AgentSupervisor({
    settings: () => settings,
    modelClient: client,
    workspace: new FakeWorkspaceTools(),
    transcripts,
    usableKeyCount: () => 4,
    clock: hrClock,
    // The 2 s startup of every child; it ends early when the child is stopped.
    resolveAgentType: ({ signal }) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 2000);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve(undefined);
        });
      }),
  });
  const listener = service.onDidChange(() => void fires.push(performance.now()));
  const run = service.runRoot({ task: "spawn many" });
  while (registrations.length < turns * perTurn) await new Promise((r) => setTimeout(r, 5));
  service.interruptAll("benchmark finished");
  await run.done;
  listener.dispose();
  service.dispose();
  const samples = registrations.map((i) => (fires[i] ?? 0) - (fires[i - 1] ?? 0)).sort((a, b) => a - b);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

async function fanoutSpeedup(): Promise<{ speedup: number; sequentialMs: number; parallelMs: number }> {
  const keys = Array.from({ length: 4 }, (_, i) => `sk-fanout-bench-${"f".repeat(16)}${String(i).padStart(4, "0")}`);
  // The test server runs in its own process, as a provider runs on its own
  // machines: in the client's event loop, its work for eight concurrent
  // streams would queue behind (and ahead of) the scheduler being measured,
  // and that contention grows with the parallelism the speedup is about.
  const server = await startRemoteFakeServer({ keys, scriptModule: join(__dirname, "fanoutScript.ts") });
  const wall = async (cap: number): Promise<number> => {
    const stack = await liveStack(server.baseUrl, keys, { maxConcurrentAgents: cap, maxQueuedAgents: 100 });
    try {
      const started = performance.now();
      const final = await stack.service.runRoot({ task: "fan out" }).done;
      const ms = performance.now() - started;
      if (final.status !== "completed") throw new Error(`fan-out root ended ${final.status}: ${final.statusReason ?? ""}`);
      const children = stack.service.snapshot().filter((a) => a.parentId !== null && a.status === "completed").length;
      if (children !== FANOUT_CHILDREN) throw new Error(`expected ${FANOUT_CHILDREN} completed children, saw ${children}`);
      return ms;
    } finally {
      stack.dispose();
    }
  };
  try {
    // Best of two runs each, interleaved: on a shared machine a burst of
    // someone else's load during one run says nothing about the scheduler, and
    // it hits the short parallel run hardest. Both sides are treated alike.
    let sequentialMs = Infinity;
    let parallelMs = Infinity;
    for (let round = 0; round < 2; round++) {
      sequentialMs = Math.min(sequentialMs, await wall(1));
      parallelMs = Math.min(parallelMs, await wall(8));
    }
    return { speedup: sequentialMs / parallelMs, sequentialMs, parallelMs };
  } finally {
    await server.close();
  }
}

/** The real stack as the scenario tests build it (KeyPools, ChatClient on the SDK, the supervisor), against a server elsewhere. */
async function liveStack(baseUrl: string, keys: string[], overrides: Partial<Settings>): Promise<{ service: AgentSupervisor; dispose(): void }> {
  const clock = new TrackingClock();
  const origin = endpointOrigin(baseUrl) ?? "";
  const pools = new KeyPools({ store: new StaticKeyStore({ live: keys }, origin), originOf: () => origin, clock, cooldownSeconds: [1] });
  await pools.load(["live"]);
  const provider = settingSchemas.providers.parse([{ id: "live", baseUrl, models: ["fake-model"] }])[0] as ProviderConfig;
  const settings = testSettings({ providers: [provider], model: "live:fake-model", ...overrides });
  const client = new ChatClient({ pools, providers: () => settings.providers, clock, retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 8 }, stallTimeoutMs: 10_000 });
  const service = new AgentSupervisor({
    settings: () => settings,
    modelClient: client,
    workspace: new FakeWorkspaceTools({ "README.md": "# project\n", "src/a.ts": "export const a = 1;\n" }),
    transcripts: new MemoryTranscriptStore(),
    treeStore: new MemoryTreeStore(),
    usableKeyCount: (id) => pools.usableKeyCount(id),
    clock,
    treeSaveDelayMs: 20,
  });
  return {
    service,
    dispose() {
      service.dispose();
      client.dispose();
      pools.dispose();
    },
  };
}

async function interruptLatency(): Promise<{ toFinalP95: number; streamClosedP95: number }> {
  const kit = await startLiveKit({ keyCount: 1, script: () => ({ text: "streaming forever", delayMs: 60_000, chunkMs: 5 }) });
  const toFinal: number[] = [];
  const streamClosed: number[] = [];
  const until = async (condition: () => boolean): Promise<void> => {
    while (!condition()) await new Promise((r) => setTimeout(r, 1));
  };
  try {
    for (let run = 0; run < 20; run++) {
      const root = kit.service.runRoot({ task: `stall ${run}` });
      await until(() => kit.server.inFlight === 1 && kit.service.get(root.agentId)?.status === "running");
      const started = performance.now();
      kit.service.interrupt(root.agentId);
      await until(() => isFinal(kit.service.get(root.agentId)?.status ?? "running"));
      toFinal.push(performance.now() - started);
      await until(() => kit.server.inFlight === 0);
      streamClosed.push(performance.now() - started);
      await root.done;
    }
  } finally {
    await kit.close();
  }
  return { toFinalP95: percentile(toFinal.sort((a, b) => a - b), 0.95), streamClosedP95: percentile(streamClosed.sort((a, b) => a - b), 0.95) };
}

/** A transcript store that keeps nothing on the heap (the host writes JSONL to disk). */
class DiskLikeTranscriptStore implements TranscriptStore {
  bytes = 0;
  append(_agentId: string, event: TranscriptEvent): void {
    this.bytes += JSON.stringify(event).length;
  }
  async read(): Promise<TranscriptEvent[]> {
    return [];
  }
}

async function memoryPerAgent(): Promise<number> {
  const gc = exposeGc();
  const roots = 100;
  const childrenPerRoot = 9;
  const client = new ScriptedModelClient((call) => {
    if (call.role === "root") {
      if (call.turn === 0) return { toolCalls: Array.from({ length: childrenPerRoot }, (_, i) => spawnCall(`${call.task}/worker ${i}`, { background: true })) };
      if (call.turn === 1) return { toolCalls: [{ name: "wait_agents", arguments: { agent_ids: spawnedIdsOf(call.messages) } }] };
      return { text: `summary of ${call.task}: ${"r".repeat(400)}` };
    }
    if (call.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "src/a.ts" } }] };
    return { text: `result of ${call.task}: ${"x".repeat(800)}` };
  });
  const settings = testSettings({ maxConcurrentAgents: 16, maxQueuedAgents: 10_000 });
  const base = heapAfterGc(gc);
  const service = new AgentSupervisor({
    settings: () => settings,
    modelClient: client,
    workspace: new FakeWorkspaceTools({ "src/a.ts": "export const a = 1;\n".repeat(50) }),
    transcripts: new DiskLikeTranscriptStore(),
    usableKeyCount: () => 8,
  });
  const runs = Array.from({ length: roots }, (_, i) => service.runRoot({ task: `root ${i}` }).done);
  await Promise.all(runs);
  while (!service.snapshot().every((a) => isFinal(a.status))) await new Promise((r) => setTimeout(r, 10));
  client.calls.length = 0; // the fake client's own log is not the service's memory
  const agents = service.snapshot().length;
  const grown = heapAfterGc(gc) - base;
  service.dispose();
  return grown / agents / 1024;
}

function spawnedIdsOf(messages: readonly ChatMessage[]): string[] {
  return messages.flatMap((m) => {
    if (m.role !== "tool" || typeof m.content !== "string" || !m.content.startsWith("{")) return [];
    const parsed = JSON.parse(m.content) as { agent_id?: unknown };
    return typeof parsed.agent_id === "string" ? [parsed.agent_id] : [];
  });
}


function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}
