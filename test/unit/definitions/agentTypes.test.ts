import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { fromSnapshot, toSnapshot } from "../../../src/core/agents/agentRecord";
import { isFinal } from "../../../src/core/agents/status";
import { AgentDefinitions } from "../../../src/core/definitions/agentDefinitions";
import { createAgentTypeResolver } from "../../../src/core/definitions/agentTypeResolver";
import type { ToolSpec } from "../../../src/core/llm/modelClient";
import type { AgentSnapshot } from "../../../src/core/protocol/agentSnapshot";
import { assertQuiet, byName, createKit, TEST_PROVIDERS, type AgentTestKit } from "../../fakes/agentTestKit";
import { spawnCall, startLiveKit, type LiveKit } from "../../fakes/liveModelKit";
import type { ScriptedRequest } from "../../fixtures/fakeOpenAiServer";
import { lastToolResult, ScriptedModelClient, type ModelScript, type ScriptedCall } from "../../fakes/scriptedModelClient";
import { waitUntil } from "../../fakes/polling";

/** A definition file's text. */
function file(name: string, frontMatter: string, body = `You are ${name}.`): string {
  return `---\nname: ${name}\ndescription: The ${name} agent.\n${frontMatter}---\n${body}\n`;
}

function parse(files: Record<string, string>, providers = TEST_PROVIDERS): AgentDefinitions {
  return AgentDefinitions.parse(
    Object.entries(files).map(([name, text]) => [`/ws/.subagents/agents/${name}.md`, text] as const),
    { providers },
  );
}

const names = (tools: readonly ToolSpec[]) => tools.map((t) => (t as { function?: { name: string } }).function?.name ?? "?");
const systemText = (call: { messages: readonly { role: string; content?: unknown }[] }) => String(call.messages[0]?.content ?? "");
const spawn = (task: string, extra: Record<string, unknown> = {}) => ({ name: "spawn_agent", arguments: { task, name: task, ...extra } });

describe("agent types through the real spawn path (live model server)", () => {
  let live: LiveKit | undefined;
  afterEach(async () => {
    await live?.close();
    live = undefined;
  });

  it("a type's reasoning_effort wins over the model entry's for its agents only, and survives in the tree; a bad value is diagnosed", async () => {
    const definitions = parse({
      thinker: file("thinker", "reasoning_effort: high\n"),
      odd: file("odd", "reasoning_effort: extreme\n"),
    });
    assert.deepEqual(definitions.names(), ["thinker"]);
    assert.match(definitions.file("/ws/.subagents/agents/odd.md")?.diagnostics[0]?.message ?? "", /reasoning_effort must be one of none, minimal, low, medium, high, xhigh/);
    const efforts = new Map<string, unknown>();
    live = await startLiveKit({
      api: "responses",
      keyCount: 1,
      models: [{ name: "fake-model", reasoningEffort: "low" }],
      deps: { agentTypes: createAgentTypeResolver(() => definitions) },
      script: (view) => {
        efforts.set(view.role === "root" ? "root" : view.task, (view.request.body.reasoning as { effort?: string } | undefined)?.effort);
        if (view.role === "root") return view.turn === 0 ? { toolCalls: [spawnCall("think", { agent_type: "thinker" }), spawnCall("plain")] } : { text: "done" };
        return { text: "ok" };
      },
    });
    const final = await live.service.runRoot({ task: "efforts" }).done;
    assert.equal(final.status, "completed", final.statusReason);
    assert.deepEqual(Object.fromEntries(efforts), { root: "low", think: "high", plain: "low" });
    assert.equal(live.service.snapshot().find((a) => a.name === "think")?.reasoningEffort, "high");
  });

  it("scenario: tools [read_file] and timeout 60 apply to a typed child; an invalid file is diagnosed, not listed, and fails clearly", async () => {
    const definitions = parse({
      reader: file("reader", "tools: [read_file]\ntimeout_seconds: 60\n", "You only read files and report."),
      broken: file("broken", "tools: [read_file, teleport]\ntimeout_seconds: 7200\n"),
    });
    const broken = definitions.file("/ws/.subagents/agents/broken.md");
    assert.deepEqual(broken?.diagnostics.map((d) => `${d.code}:${d.severity}`).sort(), ["timeout-range:error", "unknown-tool:error"]);
    assert.deepEqual(definitions.names(), ["reader"]);

    const requests: ScriptedRequest[] = [];
    const running: Array<AgentSnapshot | undefined> = [];
    live = await startLiveKit({
      keyCount: 2,
      deps: { agentTypes: createAgentTypeResolver(() => definitions) },
      script: (view) => {
        requests.push(view.request);
        if (view.role === "root") {
          if (view.turn === 0) {
            return {
              toolCalls: [
                spawnCall("read the readme", { agent_type: "reader" }),
                spawnCall("use the broken type", { agent_type: "broken" }),
              ],
            };
          }
          return { text: "root done" };
        }
        if (view.turn === 0) {
          running.push(live?.service.get(view.agentId));
          return { toolCalls: [{ name: "read_file", arguments: { path: "README.md" } }] };
        }
        return { text: `read: ${view.lastTool.trim()}` };
      },
    });
    const final = await live.service.runRoot({ task: "use the agent types" }).done;
    assert.equal(final.status, "completed");

    const rootFirst = requests.find((r) => r.agentRole === "root");
    const rootPrompt = systemText(rootFirst ?? { messages: [] });
    assert.match(rootPrompt, /- reader: The reader agent\. \(tools: read_file\)/);
    assert.doesNotMatch(rootPrompt, /broken/);
    assert.ok(names(rootFirst?.tools ?? []).includes("spawn_agent"));

    const reader = byName(live.service, "read the readme");
    assert.ok(reader);
    assert.equal(reader.status, "completed");
    assert.equal(reader.agentType, "reader");
    assert.deepEqual(reader.allowedTools, ["read_file"]);
    assert.match(reader.result ?? "", /# project/, "read_file worked");
    const readerRequests = requests.filter((r) => r.agentId === reader.id);
    assert.equal(readerRequests.length, 2);
    for (const request of readerRequests) assert.deepEqual(names(request.tools), ["read_file"], "the server saw only read_file");
    assert.equal(systemText(readerRequests[0] ?? { messages: [] }), "You only read files and report.");
    assert.equal(running.length, 1);
    const timeoutAfterCreate = (running[0]?.timeoutAt ?? 0) - reader.createdAt;
    // The type's 60 s, counted from when the run started (at or after creation), not a default of minutes.
    assert.ok(timeoutAfterCreate >= 60_000 && timeoutAfterCreate < 120_000, `timeoutAt is 60 s after start (got ${timeoutAfterCreate} ms)`);

    const failed = byName(live.service, "use the broken type");
    assert.equal(failed?.status, "failed");
    assert.match(failed?.statusReason ?? "", /Unknown agent_type "broken"\. Available types: reader\./);
    assert.equal(requests.filter((r) => r.agentId === failed?.id).length, 0, "it never called the model");
    const rootSecond = requests.filter((r) => r.agentRole === "root").at(-1);
    const report = rootSecond?.messages.filter((m) => m.role === "tool").map((m) => String(m.content)).find((c) => c.includes("broken"));
    assert.match(report ?? "", /"status": ?"failed"/);
    assert.match(report ?? "", /Unknown agent_type \\?"broken\\?"/, "the parent got the reason");
    await waitUntil("every run ended", () => live?.service.stats().activeRuns === 0);
    assert.equal(live.leasesOut(), 0);
  });
});

describe("agent types (scripted model)", () => {
  let kit: AgentTestKit | undefined;
  afterEach(() => {
    kit?.service.dispose();
    kit = undefined;
  });

  function start(script: ModelScript, definitions: () => AgentDefinitions, options: Parameters<typeof createKit>[1] = {}) {
    const client = new ScriptedModelClient(script);
    kit = createKit(client, { ...options, deps: { agentTypes: createAgentTypeResolver(definitions), ...options.deps } });
    return { client, kit };
  }
  const callsOf = (client: ScriptedModelClient, name: string) => {
    const agent = kit && byName(kit.service, name);
    return client.calls.filter((c) => c.agentId === agent?.id);
  };

  it("only narrows: a typed child never gets a tool its parent lacks, and a leaf type gets no agent tools", async () => {
    const definitions = parse({
      lead: file("lead", "role: orchestrator\ntools: [read_file, spawn_agent, wait_agents]\n"),
      writer: file("writer", "tools: [read_file, write_file]\n"),
      spawner: file("spawner", "role: leaf\ntools: [read_file, spawn_agent]\n"),
    });
    const { client, kit } = start(
      (call) => {
        if (call.role === "root") {
          if (call.turn === 0) return { toolCalls: [spawn("lead", { agent_type: "lead" }), spawn("spawner", { agent_type: "spawner" })] };
          return { text: "root done" };
        }
        if (call.task === "lead" && call.turn === 0) {
          return { toolCalls: [spawn("writer", { agent_type: "writer" }), spawn("plain")] };
        }
        return { text: `${call.task} done` };
      },
      () => definitions,
      { settings: { maxSpawnDepth: 2 } },
    );
    assert.equal((await kit.service.runRoot({ task: "narrowing" }).done).status, "completed");

    const toolsOf = (name: string) => names(callsOf(client, name)[0]?.tools ?? []);
    assert.deepEqual(toolsOf("lead"), ["read_file", "spawn_agent", "wait_agents"]);
    assert.deepEqual(toolsOf("writer"), ["read_file"], "write_file is not granted: lead lacks it");
    assert.deepEqual(toolsOf("plain"), ["read_file"], "an untyped child of a narrowed parent inherits its narrowing");
    assert.deepEqual(toolsOf("spawner"), ["read_file"], "a leaf gets no agent tools, whatever its type lists");
    assert.equal(byName(kit.service, "writer")?.agentType, "writer");
    assert.equal(byName(kit.service, "plain")?.agentType, undefined);
    assert.match(systemText(callsOf(client, "lead")[0] ?? { messages: [] }), /^You are lead\.$/);
    await assertQuiet(kit);
  });

  it("applies the type's defaults (background, timeout, model, role) and lets explicit spawn arguments win", async () => {
    const definitions = parse({
      bg: file("bg", "background: true\ntimeout_seconds: 120\nmodel: beta:m-beta\nrole: leaf\n"),
    });
    const results: string[] = [];
    const seen = new Map<string, AgentSnapshot | undefined>();
    const { client, kit } = start(
      (call) => {
        if (call.role === "root") {
          if (call.turn === 0) return { toolCalls: [spawn("defaults", { agent_type: "bg" })] };
          if (call.turn === 1) {
            results.push(lastToolResult(call.messages));
            return {
              toolCalls: [
                spawn("explicit", { agent_type: "BG", background: false, timeout_seconds: 30, model: "alpha:m-alpha", role: "orchestrator" }),
              ],
            };
          }
          if (call.turn === 2) {
            results.push(lastToolResult(call.messages));
            const id = (JSON.parse(results[0] ?? "{}") as { agent_id?: string }).agent_id ?? "";
            return { toolCalls: [{ name: "wait_agents", arguments: { agent_ids: [id] } }] };
          }
          return { text: "root done" };
        }
        seen.set(call.task, kit?.service.get(call.agentId));
        return { text: `${call.task} done`, delayMs: call.task === "defaults" ? 30 : 0 };
      },
      () => definitions,
    );
    assert.equal((await kit.service.runRoot({ task: "use the bg type" }).done).status, "completed");

    const background = JSON.parse(results[0] ?? "{}") as { agent_id?: string; status?: string };
    assert.ok(background.agent_id, "the type's background: true made spawn_agent return at once");
    const defaults = byName(kit.service, "defaults");
    assert.equal(defaults?.background, true);
    assert.equal(defaults?.role, "leaf");
    assert.equal(defaults?.agentType, "bg");
    assert.equal(defaults?.status, "completed");
    assert.ok(Math.abs((seen.get("defaults")?.timeoutAt ?? 0) - (defaults?.createdAt ?? 0) - 120_000) < 1000, "the type's timeout");
    assert.deepEqual([callsOf(client, "defaults")[0]?.providerId, callsOf(client, "defaults")[0]?.model], ["beta", "m-beta"]);

    const explicit = byName(kit.service, "explicit");
    assert.equal(explicit?.background, false);
    assert.equal(explicit?.role, "leaf", "role takes the narrower of call and type");
    assert.ok(Math.abs((seen.get("explicit")?.timeoutAt ?? 0) - (explicit?.createdAt ?? 0) - 30_000) < 1000, "the call's timeout");
    assert.deepEqual([explicit?.providerId, explicit?.model], ["alpha", "m-alpha"]);
    assert.match(results[1] ?? "", /explicit done/, "foreground: the report came back");
    await assertQuiet(kit);
  });

  it("a type's orchestrator role yields to the depth limit instead of refusing the spawn", async () => {
    const definitions = parse({ planner: file("planner", "role: orchestrator\n") });
    const { client, kit } = start(
      (call) => {
        if (call.role !== "root") return { text: "planned" };
        return call.turn === 0 ? { toolCalls: [spawn("plan", { agent_type: "planner" })] } : { text: "root done" };
      },
      () => definitions,
    );
    assert.equal((await kit.service.runRoot({ task: "depth" }).done).status, "completed");
    const plan = byName(kit.service, "plan");
    assert.deepEqual([plan?.status, plan?.role], ["completed", "leaf"]);
    assert.ok(!names(callsOf(client, "plan")[0]?.tools ?? []).includes("spawn_agent"));
    await assertQuiet(kit);
  });

  it("a background spawn of an unknown type fails and the parent is told why", async () => {
    const { client, kit } = start(
      (call) => {
        if (call.role !== "root") return { text: "never" };
        if (call.turn === 0) return { toolCalls: [spawn("ghost", { agent_type: "ghost", background: true })] };
        if (call.turn === 1) return { toolCalls: [{ name: "list_agents", arguments: {} }] };
        return { text: "root done" };
      },
      () => AgentDefinitions.empty,
    );
    assert.equal((await kit.service.runRoot({ task: "unknown" }).done).status, "completed");
    const ghost = byName(kit.service, "ghost");
    assert.equal(ghost?.status, "failed");
    assert.match(ghost?.statusReason ?? "", /Unknown agent_type "ghost"\. No agent types are defined in this workspace\./);
    const rootMessages = client.calls.filter((c) => c.role === "root").flatMap((c) => c.messages.map((m) => String(m.content ?? "")));
    assert.ok(rootMessages.some((m) => /\[system\] Your background agent .* failed: .*Unknown agent_type "ghost"/.test(m)));
    assert.equal(callsOf(client, "ghost").length, 0);
    await assertQuiet(kit);
  });

  it("reads the definitions live: the root lists the types current when it starts; reloads apply to the next spawn", async () => {
    let definitions = AgentDefinitions.empty;
    const { client, kit } = start(
      (call) => {
        if (call.role !== "root") return { text: "ok" };
        if (call.turn === 0 && call.task === "second") return { toolCalls: [spawn("typed", { agent_type: "fresh" })] };
        return { text: "root done" };
      },
      () => definitions,
    );
    await kit.service.runRoot({ task: "first" }).done;
    definitions = parse({ fresh: file("fresh", "tools: [list_files]\n") });
    await kit.service.runRoot({ task: "second" }).done;
    const prompts = client.calls.filter((c) => c.role === "root" && c.turn === 0).map(systemText);
    assert.doesNotMatch(prompts[0] ?? "", /agent_type/);
    assert.match(prompts[1] ?? "", /Agent types defined for this workspace[\s\S]*- fresh: The fresh agent\./);
    assert.deepEqual(names(callsOf(client, "typed")[0]?.tools ?? []), ["list_files"]);
    await assertQuiet(kit);
  });

  it("a resumed typed agent keeps its narrowed tools, also across a reload of the tree", async () => {
    const definitions = parse({ reader: file("reader", "tools: [read_file]\n") });
    const { client, kit } = start(
      (call: ScriptedCall) => {
        if (call.role === "root") return call.turn === 0 ? { toolCalls: [spawn("child", { agent_type: "reader" })] } : { text: "root done" };
        return { text: `child turn ${call.turn}` };
      },
      () => definitions,
    );
    await kit.service.runRoot({ task: "root" }).done;
    const child = byName(kit.service, "child");
    assert.ok(child);
    kit.service.sendMessage(child.id, "one more thing");
    await waitUntil("the resumed run", () => callsOf(client, "child").length === 2 && isFinal(byName(kit.service, "child")?.status ?? "running"));
    assert.deepEqual(names(callsOf(client, "child")[1]?.tools ?? []), ["read_file"]);

    const restored = fromSnapshot(toSnapshot(fromSnapshot(child, { backgroundSeconds: 900, foregroundSeconds: 300 }), 0, { in: 0, out: 0 }), {
      backgroundSeconds: 900,
      foregroundSeconds: 300,
    });
    assert.deepEqual(restored.allowedTools, ["read_file"]);
    assert.equal(restored.agentType, "reader");
    await assertQuiet(kit);
  });
});
