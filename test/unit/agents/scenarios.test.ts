import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isFinal } from "../../../src/core/agents/status";
import { silentLogger } from "../../../src/core/common/logger";
import { SecretRedactor } from "../../../src/core/keys/redact";
import { JsonlTranscriptStore } from "../../../src/host/persistence/jsonlTranscriptStore";
import type { ProviderApi } from "../../../src/core/settings/schema";
import { spawnCall, spawnedIds, startLiveKit, type AgentView, type LiveKit, assertDrained } from "../../fakes/liveModelKit";
import { MemoryTreeStore } from "../../fakes/memoryStores";
import { waitUntil } from "../../fakes/polling";

/**
 * Scheduling scenarios against the real stack: the test server on 127.0.0.1,
 * KeyPools and ChatClient over the real SDKs, and the agent supervisor. Each
 * scenario runs on every wire format: the agent loop, the supervisor and the
 * transcripts do not know which API runs underneath.
 */
let kit: LiveKit | undefined;
afterEach(async () => {
  await kit?.close();
  kit = undefined;
});


const byName = (k: LiveKit, name: string) => k.service.snapshot().find((a) => a.name === name);

const APIS: ProviderApi[] = ["chat", "responses", "anthropic"];

/** The reasoning effort as a request carries it on each API. */
function effortSent(api: ProviderApi, body: Record<string, unknown>): unknown {
  if (api === "chat") return body.reasoning_effort;
  if (api === "responses") return (body.reasoning as { effort?: unknown } | undefined)?.effort;
  return body.thinking;
}

/** The reasoning a request hands back, as sent: Responses reasoning items, or Anthropic thinking blocks. */
function reasoningSent(api: ProviderApi, body: Record<string, unknown>): string {
  type Part = { type?: string };
  if (api === "responses") return JSON.stringify((body.input as Part[]).filter((i) => i.type === "reasoning"));
  const messages = body.messages as Array<{ content: string | Part[] }>;
  return JSON.stringify(messages.flatMap((m) => (Array.isArray(m.content) ? m.content.filter((b) => b.type === "thinking") : [])));
}

for (const api of APIS) {
  describe(`scenarios against the test server over the ${api} transport`, { timeout: 60_000 }, () => {
    it("parallel fan-out: the root spawns 8 children on 3 keys; all complete and keys are used evenly", async () => {
      kit = await startLiveKit({
        api,
        keyCount: 3,
        script: (v) => {
          if (v.role === "root") {
            if (v.turn === 0) return { toolCalls: Array.from({ length: 8 }, (_, i) => spawnCall(`part ${i}`)) };
            return { text: `merged ${v.toolResults.length} results` };
          }
          if (v.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "src/a.ts" } }], delayMs: 20 };
          return { text: `${v.task} done`, delayMs: 20, usage: { prompt_tokens: 100, completion_tokens: 10 } };
        },
      });
      const final = await kit.service.runRoot({ task: "fan out" }).done;
      assert.equal(final.status, "completed", final.statusReason);
      assert.equal(final.result, "merged 8 results");
      const children = kit.service.snapshot().filter((a) => a.parentId === final.id);
      assert.equal(children.length, 8);
      assert.ok(children.every((c) => c.status === "completed"));
      assert.ok(final.subtreeTokensIn >= 8 * 100);
      const perKey = new Map<string, number>();
      for (const r of kit.server.requests) if (r.status === 200) perKey.set(r.keyFingerprint, (perKey.get(r.keyFingerprint) ?? 0) + 1);
      const counts = [...perKey.values()];
      assert.equal(counts.length, 3, "all three keys served requests");
      assert.ok(Math.max(...counts) - Math.min(...counts) <= 3, `uneven key use: ${counts.join(", ")}`);
      assert.ok(kit.server.maxConcurrent <= 6, "provider cap min(8, 3 keys × 2)");
      assert.ok(kit.server.requests.every((r) => r.api === api), "every request went to this API's route");
      await assertDrained(kit);
    });

    it("50 parallel spawn_agent calls with cap 4 never have more than 4 model calls in flight", async () => {
      kit = await startLiveKit({
        api,
        keyCount: 4,
        settings: { maxConcurrentAgents: 4 },
        script: (v) => {
          if (v.role === "root") {
            if (v.turn === 0) return { toolCalls: Array.from({ length: 50 }, (_, i) => spawnCall(`c${i}`)) };
            return { text: "ok" };
          }
          return { text: "child", delayMs: 15 };
        },
      });
      const final = await kit.service.runRoot({ task: "wide" }).done;
      assert.equal(final.status, "completed");
      assert.equal(kit.service.snapshot().filter((a) => a.status === "completed").length, 51);
      assert.ok(kit.server.maxConcurrent <= 4, `max in flight ${kit.server.maxConcurrent}`);
      assert.ok(kit.server.maxConcurrent >= 2, "children did run in parallel");
      await assertDrained(kit);
    });

    it("nested orchestrator at depth 2", async () => {
      kit = await startLiveKit({
        api,
        keyCount: 2,
        settings: { maxSpawnDepth: 2 },
        script: (v) => {
          if (v.role === "root") return v.turn === 0 ? { toolCalls: [spawnCall("orchestrate", { role: "orchestrator" })] } : { text: "root: " + v.lastTool.length };
          if (v.task === "orchestrate") {
            return v.turn === 0 ? { toolCalls: [spawnCall("leaf a"), spawnCall("leaf b")] } : { text: "orchestrator merged" };
          }
          const names = (v.request.tools ?? []).map((t) => (t as { function: { name: string } }).function.name);
          return { text: names.includes("spawn_agent") ? "leaf can spawn!" : `${v.task} ok` };
        },
      });
      const final = await kit.service.runRoot({ task: "nested" }).done;
      assert.equal(final.status, "completed");
      assert.deepEqual(
        kit.service.snapshot().map((a) => [a.name, a.depth, a.role, a.status, a.result]),
        [
          ["nested", 0, "root", "completed", final.result],
          ["orchestrate", 1, "orchestrator", "completed", "orchestrator merged"],
          ["leaf a", 2, "leaf", "completed", "leaf a ok"],
          ["leaf b", 2, "leaf", "completed", "leaf b ok"],
        ],
      );
      await assertDrained(kit);
    });

    it("a 429 storm during fan-out: retries rotate keys and every child still completes", async () => {
      let storm = 0;
      kit = await startLiveKit({
        api,
        keyCount: 3,
        script: (v) => {
          if (storm < 14 && v.request.index % 3 !== 0) {
            storm++;
            return { fault: "429", retryAfterSeconds: 0.05 };
          }
          if (v.role === "root") return v.turn === 0 ? { toolCalls: Array.from({ length: 6 }, (_, i) => spawnCall(`w${i}`)) } : { text: "ok" };
          return { text: `${v.task} ok`, delayMs: 10 };
        },
      });
      const final = await kit.service.runRoot({ task: "storm" }).done;
      assert.equal(final.status, "completed", final.statusReason);
      assert.ok(kit.service.snapshot().every((a) => a.status === "completed"));
      assert.ok(kit.server.requests.filter((r) => r.status === 429).length >= 10);
      await assertDrained(kit);
    });

    it("one child times out while its siblings finish", async () => {
      kit = await startLiveKit({
        api,
        keyCount: 2,
        script: (v) => {
          if (v.role === "root") {
            if (v.turn === 0) return { toolCalls: [spawnCall("slow", { timeout_seconds: 0.3 }), spawnCall("quick a"), spawnCall("quick b")] };
            return { text: "root ok" };
          }
          if (v.task === "slow") return { text: "slow answer", delayMs: 30_000 };
          return { text: `${v.task} ok`, delayMs: 20 };
        },
      });
      const final = await kit.service.runRoot({ task: "mixed" }).done;
      assert.equal(final.status, "completed");
      assert.equal(byName(kit, "slow")?.status, "timed_out");
      assert.equal(byName(kit, "quick a")?.status, "completed");
      assert.equal(byName(kit, "quick b")?.status, "completed");
      await waitUntil("the timed-out request was aborted", () => kit!.server.inFlight === 0);
      await assertDrained(kit);
    });

    it("interrupting a parent mid-fan-out ends the whole subtree within 200 ms, mid-stream", async () => {
      kit = await startLiveKit({
        api,
        keyCount: 3,
        script: (v) => {
          if (v.role === "root") return { toolCalls: Array.from({ length: 4 }, (_, i) => spawnCall(`streamer ${i}`)) };
          return { text: "word ".repeat(2000), chunkDelayMs: 20 };
        },
      });
      const root = kit.service.runRoot({ task: "interrupt me" });
      await waitUntil("children streaming", () => kit!.server.inFlight >= 4 && kit!.service.snapshot().filter((a) => a.status === "running").length >= 4);
      // The streams would run for 40 s more: the run ending at all shows the interrupt stopped them.
      kit.service.interrupt(root.agentId);
      const final = await root.done;
      assert.equal(final.status, "interrupted");
      assert.ok(kit.service.snapshot().every((a) => a.status === "interrupted"));
      await waitUntil("streams closed", () => kit!.server.inFlight === 0);
      await assertDrained(kit);
    });

    it("cap 1, depth 3, fan-out 3: the deep tree completes without deadlock", async () => {
      kit = await startLiveKit({
        api,
        keyCount: 1,
        settings: { maxConcurrentAgents: 1, maxSpawnDepth: 3 },
        script: (v) => {
          const depth = (v.task.match(/\./g) ?? []).length;
          if (v.turn === 0 && depth < 3) {
            return { toolCalls: [0, 1, 2].map((i) => spawnCall(`${v.task}.${i}`, { role: depth < 2 ? "orchestrator" : "leaf" })) };
          }
          return { text: `${v.task} done` };
        },
      });
      const final = await kit.service.runRoot({ task: "t" }).done;
      assert.equal(final.status, "completed");
      const all = kit.service.snapshot();
      assert.equal(all.length, 40);
      assert.ok(all.every((a) => a.status === "completed"));
      assert.equal(kit.server.maxConcurrent, 1);
      await assertDrained(kit);
    });

    it("a startup failure makes the child failed and tells the parent", async () => {
      kit = await startLiveKit({
        api,
        keyCount: 1,
        deps: {
          resolveAgentType: async ({ agent }) => {
            await new Promise((r) => setTimeout(r, 10));
            if (agent.task.includes("broken")) throw new Error("agent definition 'broken' not found");
            return undefined;
          },
        },
        script: (v) => {
          if (v.role === "root") return v.turn === 0 ? { toolCalls: [spawnCall("broken one"), spawnCall("fine one")] } : { text: v.toolResults.join("\n") };
          return { text: "fine" };
        },
      });
      const final = await kit.service.runRoot({ task: "startup" }).done;
      assert.equal(byName(kit, "broken one")?.status, "failed");
      assert.equal(byName(kit, "fine one")?.status, "completed");
      assert.match(final.result ?? "", /"status": "failed"/);
      assert.match(final.result ?? "", /startup failed: agent definition 'broken' not found/);
      await assertDrained(kit);
    });

    it("pause spawning: a new spawn gets a clear error while a running child continues", async () => {
      let paused = false;
      kit = await startLiveKit({
        api,
        keyCount: 2,
        script: (v) => {
          if (v.role === "root") {
            if (v.turn === 0) return { toolCalls: [spawnCall("before pause", { background: true })] };
            if (v.turn === 1) {
              kit!.service.setSpawningPaused(true);
              paused = true;
              return { toolCalls: [spawnCall("after pause")] };
            }
            if (v.turn === 2) return { toolCalls: [{ name: "wait_agents", arguments: { agent_ids: spawnedIds(v) } }] };
            return { text: v.toolResults.join("\n") };
          }
          return { text: `child saw paused=${paused}`, delayMs: 100 };
        },
      });
      const final = await kit.service.runRoot({ task: "pause" }).done;
      assert.match(final.result ?? "", /Spawning is paused by the user/);
      assert.equal(byName(kit, "before pause")?.status, "completed");
      assert.equal(byName(kit, "after pause"), undefined);
      assert.ok(kit.service.snapshot().every((a) => isFinal(a.status)));
      await assertDrained(kit);
    });

    it("tool loop: an agent calls tools over several turns and sees each result", async () => {
      kit = await startLiveKit({
        api,
        keyCount: 1,
        script: (v) => {
          if (v.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "README.md" } }] };
          if (v.turn === 1) return { toolCalls: [{ name: "read_file", arguments: { path: "src/a.ts" } }, { name: "read_file", arguments: { path: "README.md" } }] };
          return { text: `results: ${v.toolResults.length}; last mentions a: ${v.toolResults.some((r) => r.includes("export const a"))}` };
        },
      });
      const final = await kit.service.runRoot({ task: "read twice" }).done;
      assert.equal(final.status, "completed", final.statusReason);
      assert.equal(final.result, "results: 3; last mentions a: true");
      assert.equal(kit.server.requests.length, 3);
      await assertDrained(kit);
    });

    it("a keyless provider runs a fan-out with no keys, capped by maxConcurrentAgents", async () => {
      let seenAuth = 0;
      // The first four children answer only once all four are waiting at the server at the same time:
      // with the key-based cap of a provider without keys (max(1, 0) × 2 = 2) this never happens.
      let waiting = 0;
      let openGate: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      kit = await startLiveKit({
        api,
        keyCount: 0,
        keyless: true,
        settings: { maxConcurrentAgents: 4 },
        script: (v) => {
          if (v.request.headers.authorization !== undefined || v.request.headers["x-api-key"] !== undefined) seenAuth++;
          if (v.role === "root") return v.turn === 0 ? { toolCalls: Array.from({ length: 8 }, (_, i) => spawnCall(`c${i}`)) } : { text: "ok" };
          if (waiting < 4) {
            if (++waiting === 4) openGate();
            return gate.then(() => ({ text: "child" }));
          }
          return { text: "child" };
        },
      });
      const final = await kit.service.runRoot({ task: "local" }).done;
      assert.equal(final.status, "completed", final.statusReason);
      assert.equal(kit.service.snapshot().filter((a) => a.status === "completed").length, 9);
      assert.equal(seenAuth, 0, "no request carried a credential");
      assert.equal(kit.server.maxConcurrent, 4, "children ran up to the global cap and no further");
      await assertDrained(kit);
    });

    it("approval: a child's command waits for the user, runs once approved, and the model sees its output", async () => {
      kit = await startLiveKit({
        api,
        keyCount: 1,
        settings: { "approval.subagents": "ask" },
        script: (v) => {
          if (v.role === "root") return v.turn === 0 ? { toolCalls: [spawnCall("builder")] } : { text: "root done" };
          return v.turn === 0 ? { toolCalls: [{ name: "run_command", arguments: { command: "make build" } }] } : { text: `builder saw: ${v.lastTool}` };
        },
      });
      const root = kit.service.runRoot({ task: "build" });
      await waitUntil("the builder asks", () => byName(kit!, "builder")?.pendingApproval !== undefined);
      const asking = byName(kit, "builder");
      assert.equal(asking?.status, "waiting");
      assert.equal(asking?.pendingApproval?.command, "make build");
      assert.equal(kit.workspace.commands.length, 0, "nothing ran before the approval");
      kit.service.resolveApproval(asking?.pendingApproval?.requestId ?? "", "approved");
      const final = await root.done;
      assert.equal(final.status, "completed", final.statusReason);
      assert.match(byName(kit, "builder")?.result ?? "", /^builder saw: exit code 0\nran: make build/);
      assert.equal(kit.workspace.commands.length, 1);
      await assertDrained(kit);
    });

    it("resume after reload: a child cut off mid-call continues in a new window with its conversation and reasoning", async () => {
      const directory = mkdtempSync(join(tmpdir(), "subagents-transcripts-"));
      let keys: readonly string[] = [];
      // The host's transcript store, with the host's redaction: what a reload reads back from disk.
      const transcripts = new JsonlTranscriptStore(directory, silentLogger, (event) => redactor.redactDeep(event));
      const redactor = new SecretRedactor(() => keys);
      const stores = { transcripts, treeStore: new MemoryTreeStore() };
      const workerCalls: { first: AgentView[]; second: AgentView[] } = { first: [], second: [] };
      // Reasoning on, so the Anthropic test server also insists that the answered tool turn starts with its thinking.
      const models = [{ name: "fake-model", reasoningEffort: "low" }];
      try {
        const first = await startLiveKit({
          api,
          keyCount: 1,
          models,
          stores,
          script: (v) => {
            if (v.role === "root") return v.turn === 0 ? { toolCalls: [spawnCall("worker", { timeout_seconds: 600 })] } : { text: "never" };
            workerCalls.first.push(v);
            if (v.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "README.md" } }], reasoning: "read the readme first" };
            return { text: "never", delayMs: 60_000 };
          },
        });
        keys = first.keys;
        first.service.runRoot({ task: "reload me" });
        await waitUntil("the worker's second call in flight", () => workerCalls.first.length === 2 && first.server.inFlight > 0);
        const before = workerCalls.first[1]!;
        await first.close(); // the window closes
        transcripts.flush();

        kit = await startLiveKit({
          api,
          keyCount: 1,
          models,
          stores,
          script: (v) => {
            if (v.role === "root") {
              if (/cut off/.test(v.lastTool)) return { toolCalls: [{ name: "wait_agents", arguments: { agent_ids: [byName(kit!, "worker")?.id ?? ""] } }] };
              return { text: "root done" };
            }
            workerCalls.second.push(v);
            return { text: `worker saw ${v.lastTool.includes("# project") ? "the readme" : "nothing"}` };
          },
        });
        await kit.service.ready;
        assert.equal(byName(kit, "worker")?.resumedAfterReload, true);
        await waitUntil("all final", () => kit!.service.snapshot().every((a) => isFinal(a.status)));
        const worker = byName(kit, "worker");
        assert.equal(worker?.status, "completed", worker?.statusReason);
        assert.equal(worker?.result, "worker saw the readme", "the resumed conversation holds the earlier tool result");
        assert.equal(worker?.effort, "low", "the tree shows the effort the model entry gives its calls");
        const after = workerCalls.second[0];
        assert.ok(after);
        assert.deepEqual(after.messages, before.messages, "the resumed call sends the conversation of the cut-off one");
        assert.deepEqual(effortSent(api, after.request.body), effortSent(api, before.request.body));
        assert.ok(effortSent(api, after.request.body) !== undefined, "the resumed call reasons as before");
        if (api !== "chat") {
          const sealed = reasoningSent(api, before.request.body);
          assert.match(sealed, api === "responses" ? /"encrypted_content":"/ : /"signature":"/);
          assert.equal(reasoningSent(api, after.request.body), sealed, "the same reasoning, byte for byte");
        }
        await assertDrained(kit);
      } finally {
        transcripts.dispose();
        rmSync(directory, { recursive: true, force: true });
      }
    });
  });
}
