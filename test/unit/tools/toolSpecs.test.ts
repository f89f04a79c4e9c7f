import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AgentToolHost } from "../../../src/core/tools/agentTools";
import { createAgentTools } from "../../../src/core/tools/agentTools";
import { createExtensionTools, type ExtensionToolHost } from "../../../src/core/tools/extensionTools";
import { FileLedger } from "../../../src/core/tools/fileLedger";
import { withStoredOutputs } from "../../../src/core/tools/storedOutputTools";
import type { ChatCompletionFunctionTool } from "openai/resources/chat/completions";
import type { FunctionDefinition } from "openai/resources/shared";
import type { ToolSpec } from "../../../src/core/llm/modelClient";
import { toToolSpec } from "../../../src/core/tools/toolDefinition";
import { createWorkspaceTools, type CommandGate } from "../../../src/core/tools/workspaceToolAdapters";
import { FakeWorkspaceTools } from "../../fakes/fakeWorkspaceTools";
import { MemoryToolOutputStore } from "../../fakes/memoryStores";

/** The function part of a spec (every tool here is a function tool). */
function fn(spec: ToolSpec): FunctionDefinition {
  assert.equal(spec.type, "function");
  return (spec as ChatCompletionFunctionTool).function;
}

const allowAll: CommandGate = async () => ({ run: true });
const agentTools = (id: string) => [...createWorkspaceTools(new FakeWorkspaceTools(), new FileLedger(), allowAll), ...createAgentTools({} as AgentToolHost, id)];

describe("tool specs", () => {
  it("are built once and shared by every agent's tool set", () => {
    const first = agentTools("a").map(toToolSpec);
    const second = agentTools("b").map(toToolSpec);
    assert.equal(first.length, 12);
    first.forEach((spec, i) => assert.equal(second[i], spec, `the spec of ${fn(spec).name} is the same object`));
  });

  it("are frozen, so no request can change what the next agent sends", () => {
    const spec = toToolSpec(agentTools("a")[0]!);
    assert.ok(Object.isFrozen(spec) && Object.isFrozen(fn(spec)) && Object.isFrozen(fn(spec).parameters));
    assert.throws(() => {
      (fn(spec).parameters as Record<string, unknown>).type = "string";
    }, TypeError);
  });

  it("follow a tool's own description when it shares its parameters with another", () => {
    const plain = createWorkspaceTools(new FakeWorkspaceTools(), new FileLedger(), allowAll);
    const aware = withStoredOutputs(plain, new MemoryToolOutputStore());
    const plainRead = toToolSpec(plain.find((t) => t.name === "read_file")!);
    const awareRead = toToolSpec(aware.find((t) => t.name === "read_file")!);
    assert.notEqual(fn(awareRead).description, fn(plainRead).description);
    assert.match(fn(awareRead).description ?? "", /stored tool results/);
    assert.equal(fn(awareRead).parameters, fn(plainRead).parameters, "one conversion of the shared parameters");
  });

  it("copy an extension tool's schema rather than freeze the object the extension owns", () => {
    const inputSchema = { type: "object", properties: { query: { type: "string" } }, $schema: "http://json-schema.org/draft-07/schema#" };
    const host: ExtensionToolHost = {
      available: () => [{ name: "ext_search", description: "Searches", inputSchema }],
      invoke: async () => "",
    };
    const [tool] = createExtensionTools(host, ["ext_*"], allowAll, new Set());
    const spec = toToolSpec(tool!);
    assert.deepEqual(fn(spec).parameters, { type: "object", properties: { query: { type: "string" } } });
    assert.ok(!Object.isFrozen(inputSchema) && !Object.isFrozen(inputSchema.properties));
    assert.equal(inputSchema.$schema, "http://json-schema.org/draft-07/schema#");
  });
});
