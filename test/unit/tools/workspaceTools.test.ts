import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createAgentTools, type AgentToolHost } from "../../../src/core/tools/agentTools";
import { FileLedger } from "../../../src/core/tools/fileLedger";
import { parseToolArguments, toToolSpec, type AgentTool, type ToolContext } from "../../../src/core/tools/toolDefinition";
import { createWorkspaceTools, type CommandGate } from "../../../src/core/tools/workspaceToolAdapters";
import { FakeWorkspaceTools } from "../../fakes/fakeWorkspaceTools";

const context: ToolContext = {
  agentId: "a",
  callId: "c",
  signal: new AbortController().signal,
  waitWithoutSlot: (_reason, wait) => wait(),
};
const allowAll: CommandGate = async () => ({ run: true });

function toolsFor(workspace: FakeWorkspaceTools, gate: CommandGate = allowAll) {
  const tools = createWorkspaceTools(workspace, new FileLedger(), gate);
  const byName = new Map(tools.map((t) => [t.name, t]));
  return async (name: string, args: Record<string, unknown>) => {
    const tool = byName.get(name) as AgentTool;
    const parsed = parseToolArguments(tool, JSON.stringify(args));
    if (!parsed.ok) throw new Error(parsed.error);
    return tool.execute(parsed.args, context);
  };
}

describe("tool definitions", () => {
  it("exposes the contract tool names and parameters as JSON schema generated from zod", () => {
    const host = {} as AgentToolHost;
    const tools = [...createWorkspaceTools(new FakeWorkspaceTools(), new FileLedger(), allowAll), ...createAgentTools(host, "x")];
    const specs = Object.fromEntries(
      tools.map((t) => {
        const spec = toToolSpec(t);
        assert.equal(spec.type, "function");
        const fn = (spec as unknown as { function: { name: string; parameters: { properties: object; required?: string[]; $schema?: string } } }).function;
        assert.equal(fn.parameters.$schema, undefined);
        return [fn.name, { props: Object.keys(fn.parameters.properties).sort(), required: fn.parameters.required ?? [] }];
      }),
    );
    assert.deepEqual(specs, {
      read_file: { props: ["end_line", "path", "start_line"], required: ["path"] },
      list_files: { props: ["glob", "path"], required: [] },
      search_text: { props: ["glob", "query", "regex"], required: ["query"] },
      edit_file: { props: ["new_text", "old_text", "path"], required: ["path", "old_text", "new_text"] },
      write_file: { props: ["content", "path"], required: ["path", "content"] },
      run_command: { props: ["command", "cwd", "timeout_seconds"], required: ["command"] },
      get_diagnostics: { props: ["path"], required: [] },
      spawn_agent: {
        props: ["agent_type", "background", "context", "isolation", "model", "name", "role", "task", "timeout_seconds"],
        required: ["task"],
      },
      wait_agents: { props: ["agent_ids", "timeout_seconds"], required: ["agent_ids"] },
      send_message: { props: ["agent_id", "message"], required: ["agent_id", "message"] },
      interrupt_agent: { props: ["agent_id"], required: ["agent_id"] },
      list_agents: { props: [], required: [] },
    });
  });

  it("drops null optionals and explains schema failures", () => {
    const [read] = createWorkspaceTools(new FakeWorkspaceTools(), new FileLedger(), allowAll) as [AgentTool];
    assert.deepEqual(parseToolArguments(read, '{"path":"a","start_line":null}'), { ok: true, args: { path: "a" } });
    const bad = parseToolArguments(read, '{"start_line":0}');
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? "" : bad.error, /invalid arguments for read_file: path/);
    assert.equal(parseToolArguments(read, "").ok, false);
  });
});

describe("workspace tools and the file ledger", () => {
  it("refuses an edit based on a stale read, naming the file", async () => {
    const ws = new FakeWorkspaceTools({ "src/a.ts": "one\ntwo\n" });
    const agentA = toolsFor(ws);
    const agentB = toolsFor(ws);
    await agentA("read_file", { path: "src/a.ts" });
    await agentB("read_file", { path: "src/a.ts" });
    assert.equal(await agentB("edit_file", { path: "src/a.ts", old_text: "one", new_text: "ONE" }), "Edited src/a.ts.");
    await assert.rejects(agentA("edit_file", { path: "src/a.ts", old_text: "two", new_text: "TWO" }), /src\/a\.ts changed since you last read it/);
    assert.equal(ws.text("src/a.ts"), "ONE\ntwo\n");
    // After reading again the edit goes through, and the agent's own edits keep its view current.
    await agentA("read_file", { path: "./src/a.ts" });
    await agentA("edit_file", { path: "src/a.ts", old_text: "two", new_text: "TWO" });
    await agentA("edit_file", { path: "src/a.ts", old_text: "TWO", new_text: "2" });
    assert.equal(ws.text("src/a.ts"), "ONE\n2\n");
  });

  it("refuses to overwrite an existing file the agent has not read, and a stale write", async () => {
    const ws = new FakeWorkspaceTools({ "b.txt": "old" });
    const agent = toolsFor(ws);
    await assert.rejects(agent("write_file", { path: "b.txt", content: "new" }), /already exists and you have not read it/);
    assert.match(await agent("write_file", { path: "new.txt", content: "hi" }), /Wrote new.txt/);
    await agent("read_file", { path: "b.txt" });
    ws.put("b.txt", "changed by someone else");
    await assert.rejects(agent("write_file", { path: "b.txt", content: "mine" }), /b\.txt changed since you last read it/);
  });

  it("reads ranges, lists, searches and reports diagnostics", async () => {
    const ws = new FakeWorkspaceTools({ "a.ts": "x\ny\nz", "lib/b.ts": "needle here" });
    const tool = toolsFor(ws);
    assert.equal(await tool("read_file", { path: "a.ts", start_line: 2, end_line: 2 }), "a.ts (lines 2-2 of 3)\ny");
    assert.equal(await tool("list_files", { path: "lib" }), "lib/b.ts");
    assert.equal(await tool("search_text", { query: "needle" }), "lib/b.ts:1: needle here");
    assert.equal(await tool("get_diagnostics", {}), "No problems.");
  });

  it("shows the first 200 matches and says the rest is at least what the host returned beyond them", async () => {
    const ws = new FakeWorkspaceTools({ "many.txt": Array.from({ length: 250 }, (_, i) => `hit ${i}`).join("\n") });
    const lines = (await toolsFor(ws)("search_text", { query: "hit" })).split("\n");
    assert.equal(lines.length, 201);
    assert.equal(lines[199], "many.txt:200: hit 199");
    assert.equal(lines[200], "[at least 50 more matches not shown; refine the query]");
  });

  it("runs a command only after the gate allows it, passing the abort signal", async () => {
    const ws = new FakeWorkspaceTools();
    const refused = toolsFor(ws, async () => ({ run: false, message: "Command refused by policy: nope." }));
    await assert.rejects(refused("run_command", { command: "make" }), /refused by policy/);
    assert.equal(ws.commands.length, 0);
    const allowed = toolsFor(ws);
    assert.match(await allowed("run_command", { command: "make", timeout_seconds: 5 }), /^exit code 0\nran: make/);
    assert.equal(ws.commands[0]?.timeoutSeconds, 5);
    assert.equal(ws.commands[0]?.signal, context.signal);
  });
});
