import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AgentDefinitions,
  applyAgentDefinition,
  describeAgentTypes,
  resolveAgentTools,
  unknownAgentTypeMessage,
} from "../../../src/core/definitions/agentDefinitions";
import { TOOL_NAMES } from "../../../src/core/definitions/toolNames";
import { DEFAULT_PROVIDERS } from "../../../src/core/settings/schema";

const context = { providers: DEFAULT_PROVIDERS };

function def(name: string, extra = ""): string {
  return `---\nname: ${name}\ndescription: The ${name} agent.\n${extra}---\nYou are ${name}.\n`;
}

describe("AgentDefinitions", () => {
  it("scenario: a valid type narrows tools and sets its timeout; an invalid file is diagnosed and not offered", () => {
    const files = new Map([
      ["/ws/.subagents/agents/reader.md", def("reader", "tools: [read_file]\ntimeout_seconds: 60\n")],
      ["/ws/.subagents/agents/broken.md", def("broken", "tools: [read_file, teleport]\n")],
    ]);
    const definitions = AgentDefinitions.parse(files, context);
    assert.deepEqual(definitions.names(), ["reader"]);
    assert.equal(definitions.get("broken"), undefined);
    const broken = definitions.file("/ws/.subagents/agents/broken.md");
    assert.deepEqual(broken?.diagnostics.map((d) => d.code), ["unknown-tool"]);

    const reader = definitions.get("READER"); // lookup ignores case
    assert.ok(reader);
    const spawn = applyAgentDefinition(reader, {}, TOOL_NAMES);
    assert.deepEqual(spawn.tools, ["read_file"]);
    assert.equal(spawn.timeoutSeconds, 60);
    assert.equal(spawn.systemPrompt, "You are reader.");
    assert.equal(spawn.agentType, "reader");
    assert.match(unknownAgentTypeMessage("broken", definitions), /Unknown agent_type "broken"\. Available types: reader\./);
  });

  it("reads isolation: worktree as the type's default, which spawn_agent's own isolation overrides; a bad value is diagnosed", () => {
    const definitions = AgentDefinitions.parse(
      [
        ["/ws/.subagents/agents/sandboxed.md", def("sandboxed", "isolation: worktree\n")],
        ["/ws/.subagents/agents/odd.md", def("odd", "isolation: container\n")],
      ],
      context,
    );
    const sandboxed = definitions.get("sandboxed");
    assert.ok(sandboxed);
    assert.equal(applyAgentDefinition(sandboxed, {}, TOOL_NAMES).isolation, "worktree");
    assert.equal(applyAgentDefinition(sandboxed, { isolation: "none" }, TOOL_NAMES).isolation, "none");
    assert.match(describeAgentTypes(definitions), /sandboxed: .*works in its own git worktree/);
    assert.equal(definitions.get("odd"), undefined);
    assert.match(definitions.file("/ws/.subagents/agents/odd.md")?.diagnostics[0]?.message ?? "", /isolation must be "none" or "worktree"/);
  });

  it("reports a name used twice in the same folder on both files and offers neither", () => {
    const definitions = AgentDefinitions.parse(
      [
        ["/ws/.subagents/agents/a.md", def("twin")],
        ["/ws/.subagents/agents/b.md", def("Twin")],
        ["/ws/.subagents/agents/c.md", def("single")],
      ],
      context,
    );
    assert.deepEqual(definitions.names(), ["single"]);
    for (const path of ["/ws/.subagents/agents/a.md", "/ws/.subagents/agents/b.md"]) {
      const [d] = definitions.file(path)?.diagnostics ?? [];
      assert.equal(d?.code, "duplicate-name");
      assert.equal(d?.severity, "error");
      assert.deepEqual(d?.range, { start: { line: 1, character: 6 }, end: { line: 1, character: 10 } });
    }
  });

  it("lets .subagents shadow .claude with an information note on the Claude file", () => {
    const definitions = AgentDefinitions.parse(
      [
        ["/ws/.claude/agents/r.md", def("reviewer", "tools: Read\n")],
        ["/ws/.subagents/agents/r.md", def("reviewer", "tools: [search_text]\n")],
      ],
      context,
    );
    assert.equal(definitions.get("reviewer")?.dialect, "subagents");
    assert.deepEqual(definitions.file("/ws/.subagents/agents/r.md")?.diagnostics, []);
    const [note] = definitions.file("/ws/.claude/agents/r.md")?.diagnostics ?? [];
    assert.equal(note?.code, "shadowed-name");
    assert.equal(note?.severity, "information");
  });

  it("is empty without files", () => {
    assert.equal(AgentDefinitions.empty.size, 0);
    assert.equal(describeAgentTypes(AgentDefinitions.empty), "");
    assert.match(unknownAgentTypeMessage("x", AgentDefinitions.empty), /No agent types are defined/);
  });
});

describe("tool narrowing", () => {
  it("intersects with the parent's tools in the parent's order and never grants more", () => {
    const parent = ["search_text", "read_file", "list_files"];
    assert.deepEqual(resolveAgentTools({ tools: ["read_file", "run_command", "search_text"] }, parent), {
      tools: ["search_text", "read_file"],
      notGranted: ["run_command"],
    });
  });

  it("matches a vscode: pattern written with VS Code's tool names against the names agents are offered", () => {
    // "mcp.github.search" is offered to models as "mcp_github_search" (function names allow no ".").
    const parent = ["read_file", "mcp_github_search", "mcp_jira_find"];
    assert.deepEqual(resolveAgentTools({ tools: ["read_file"], extensionTools: ["mcp.github.*"] }, parent), {
      tools: ["read_file", "mcp_github_search"],
      notGranted: [],
    });
    assert.deepEqual(resolveAgentTools({ tools: [], extensionTools: ["mcp_jira_*"] }, parent).tools, ["mcp_jira_find"]);
  });

  it("inherits the parent's tools when the definition lists none, and allows an empty list", () => {
    assert.deepEqual(resolveAgentTools({}, ["read_file"]), { tools: ["read_file"], notGranted: [] });
    assert.deepEqual(resolveAgentTools(undefined, ["read_file"]).tools, ["read_file"]);
    assert.deepEqual(resolveAgentTools({ tools: [] }, ["read_file"]).tools, []);
  });
});

describe("applying a definition to a spawn request", () => {
  const [orchestrator] = AgentDefinitions.parse(
    [["/ws/.subagents/agents/o.md", def("boss", "role: orchestrator\nmodel: openai:gpt-5\ntimeout_seconds: 120\nbackground: true\n")]],
    context,
  ).list();
  const [leaf] = AgentDefinitions.parse([["/ws/.subagents/agents/l.md", def("worker", "role: leaf\n")]], context).list();

  it("uses the definition's defaults when the call gives none", () => {
    assert.ok(orchestrator);
    const spawn = applyAgentDefinition(orchestrator, {}, ["read_file"]);
    assert.deepEqual(
      { role: spawn.role, model: spawn.model, timeoutSeconds: spawn.timeoutSeconds, background: spawn.background },
      { role: "orchestrator", model: "openai:gpt-5", timeoutSeconds: 120, background: true },
    );
  });

  it("lets explicit call arguments win, except that leaf always wins for the role", () => {
    assert.ok(orchestrator && leaf);
    const spawn = applyAgentDefinition(orchestrator, { model: "openai:gpt-5-mini", timeoutSeconds: 10, background: false, role: "leaf" }, []);
    assert.deepEqual(
      { role: spawn.role, model: spawn.model, timeoutSeconds: spawn.timeoutSeconds, background: spawn.background },
      { role: "leaf", model: "openai:gpt-5-mini", timeoutSeconds: 10, background: false },
    );
    assert.equal(applyAgentDefinition(leaf, { role: "orchestrator" }, []).role, "leaf");
    const plain = AgentDefinitions.parse([["/ws/.subagents/agents/p.md", def("plain")]], context).get("plain");
    assert.ok(plain);
    assert.equal("role" in applyAgentDefinition(plain, {}, []), false);
  });
});

describe("root system prompt", () => {
  it("lists each offered type with its description and facts", () => {
    const definitions = AgentDefinitions.parse(
      [
        ["/ws/.subagents/agents/b.md", def("beta", "tools: [read_file, search_text]\nrole: leaf\n")],
        ["/ws/.subagents/agents/a.md", "---\nname: alpha\ndescription: >\n  Folded\n  text.\nbackground: true\ntimeout_seconds: 60\n---\nP\n"],
      ],
      context,
    );
    const text = describeAgentTypes(definitions);
    const lines = text.split("\n");
    assert.match(lines[0] ?? "", /agent_type/);
    assert.deepEqual(lines.slice(2), [
      "- alpha: Folded text. (runs in the background)",
      "- beta: The beta agent. (tools: read_file, search_text; role: leaf)",
    ]);
  });
});
