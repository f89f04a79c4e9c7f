import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExtensionToolHost, ExtensionToolInfo } from "../../../src/core/tools/extensionTools";
import { matchingExtensionTools } from "../../../src/core/tools/extensionTools";
import { AgentDefinitions } from "../../../src/core/definitions/agentDefinitions";
import { createAgentTypeResolver } from "../../../src/core/definitions/agentTypeResolver";
import { assertQuiet, scriptedKitPerTest, spawnCall, TEST_PROVIDERS } from "../../fakes/agentTestKit";
import { lastToolResult } from "../../fakes/scriptedModelClient";
import { waitUntil } from "../../fakes/polling";

const start = scriptedKitPerTest();

const WEATHER_SCHEMA = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

/** VS Code's tools as the host would list them; records every invocation. */
class FakeExtensionTools implements ExtensionToolHost {
  readonly calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  constructor(private readonly tools: ExtensionToolInfo[]) {}
  available(): readonly ExtensionToolInfo[] {
    return this.tools;
  }
  async invoke(name: string, input: Record<string, unknown>): Promise<string> {
    this.calls.push({ name, input });
    return `sunny in ${String(input.city)}`;
  }
}

const toolsFixture = () =>
  new FakeExtensionTools([
    { name: "mcp_weather_get", description: "Weather of a city", inputSchema: WEATHER_SCHEMA },
    { name: "mcp_weather.forecast week", description: "Forecast" },
    { name: "read_file", description: "Another extension's read_file" },
    { name: "copilot_search", description: "Not matched" },
  ]);

const callWeather = { toolCalls: [{ name: "mcp_weather_get", arguments: { city: "Oslo" } }] };
const echoLast = (call: { messages: Parameters<typeof lastToolResult>[0] }) => ({ text: `saw: ${lastToolResult(call.messages)}` });

describe("extension and MCP tools for agents", () => {
  it("offers only the tools subagents.extensionTools matches, with their own schema, never shadowing ours", async () => {
    const host = toolsFixture();
    const { client, kit } = start(() => ({ text: "done" }), { settings: { extensionTools: ["mcp_weather*", "read_*"] }, deps: { extensionTools: host } });
    await kit.service.runRoot({ task: "t" }).done;
    const specs = client.calls[0]?.tools ?? [];
    const names = specs.map((t) => t.type === "function" ? t.function.name : "");
    assert.ok(names.includes("mcp_weather_get"));
    assert.ok(names.includes("mcp_weather_forecast_week"), "a name the model cannot call is rewritten");
    assert.ok(!names.includes("copilot_search"));
    assert.equal(names.filter((n) => n === "read_file").length, 1, "our read_file stays the only one");
    const weather = specs.find((t) => t.type === "function" && t.function.name === "mcp_weather_get");
    assert.deepEqual(weather?.type === "function" ? weather.function.parameters : undefined, WEATHER_SCHEMA);
  });

  it("offers none by default", async () => {
    const { client, kit } = start(() => ({ text: "done" }), { deps: { extensionTools: toolsFixture() } });
    await kit.service.runRoot({ task: "t" }).done;
    const names = (client.calls[0]?.tools ?? []).map((t) => (t.type === "function" ? t.function.name : ""));
    assert.ok(!names.some((n) => n.startsWith("mcp_")));
    assert.deepEqual(matchingExtensionTools(toolsFixture().available(), []), []);
  });

  it("asks in the tree before each call, then returns the tool's result", async () => {
    const host = toolsFixture();
    const { kit } = start((call) => (call.turn === 0 ? callWeather : echoLast(call)), {
      settings: { extensionTools: ["mcp_*"], "approval.root": "allowList" },
      deps: { extensionTools: host },
    });
    const { agentId, done } = kit.service.runRoot({ task: "weather" });
    const pending = await waitUntil("pending approval", () => kit.service.get(agentId)?.pendingApproval);
    assert.equal(pending.command, 'extension tool mcp_weather_get {"city":"Oslo"}');
    assert.equal(host.calls.length, 0, "nothing runs before the answer");
    kit.service.resolveApproval(pending.requestId, "approved");
    assert.equal((await done).result, "saw: sunny in Oslo");
    assert.deepEqual(host.calls, [{ name: "mcp_weather_get", input: { city: "Oslo" } }]);
    await assertQuiet(kit);
  });

  it("a denial, or the deny policy, refuses the call and the tool never runs", async () => {
    const host = toolsFixture();
    const { kit } = start((call) => (call.turn === 0 ? callWeather : echoLast(call)), { settings: { extensionTools: ["mcp_*"] }, deps: { extensionTools: host } });
    const asked = kit.service.runRoot({ task: "one" });
    const pending = await waitUntil("pending approval", () => kit.service.get(asked.agentId)?.pendingApproval);
    kit.service.resolveApproval(pending.requestId, "denied");
    assert.match((await asked.done).result ?? "", /The user denied this tool call/);
    kit.settings["approval.root"] = "deny";
    assert.match((await kit.service.runRoot({ task: "two" }).done).result ?? "", /Tool call refused by policy/);
    assert.equal(host.calls.length, 0);
  });

  it("an agent type with a tools list gets extension tools only when the list names them with vscode:<pattern>", async () => {
    const definitions = AgentDefinitions.parse(
      [
        ["/ws/.subagents/agents/weather.md", "---\nname: weather\ndescription: Weather.\ntools: [read_file, \"vscode:mcp_weather_*\", \"vscode:nothing_*\"]\n---\nYou check the weather.\n"],
        ["/ws/.subagents/agents/reader.md", "---\nname: reader\ndescription: Reader.\ntools: [read_file]\n---\nYou read.\n"],
      ],
      { providers: TEST_PROVIDERS },
    );
    assert.deepEqual(definitions.names(), ["reader", "weather"]);
    const { client, kit } = start(
      (call) =>
        call.role === "root"
          ? call.turn === 0
            ? { toolCalls: [spawnCall("w", { agent_type: "weather" }), spawnCall("r", { agent_type: "reader" })] }
            : { text: "root done" }
          : { text: "child done" },
      { settings: { extensionTools: ["mcp_*"] }, deps: { extensionTools: toolsFixture(), agentTypes: createAgentTypeResolver(() => definitions) } },
    );
    assert.equal((await kit.service.runRoot({ task: "t" }).done).status, "completed");
    const toolsOf = (name: string) => {
      const id = kit.service.snapshot().find((a) => a.name === name)?.id;
      return (client.calls.find((c) => c.agentId === id)?.tools ?? []).map((t) => (t.type === "function" ? t.function.name : ""));
    };
    assert.deepEqual(toolsOf("w"), ["read_file", "mcp_weather_get", "mcp_weather_forecast_week"]);
    assert.deepEqual(toolsOf("r"), ["read_file"], "a tools list that names no VS Code tool gets none");
    const rootPrompt = String(client.calls[0]?.messages[0]?.content ?? "");
    assert.match(rootPrompt, /tools: read_file, vscode:mcp_weather_\*, vscode:nothing_\*/);
  });
});
