import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { agentDefinitionTemplate, definitionDialectOf } from "../../../src/core/definitions/definitionFiles";
import { splitFrontMatter } from "../../../src/core/definitions/frontMatter";
import { parseDefinitionFile, type ParsedDefinitionFile } from "../../../src/core/definitions/parseDefinition";
import { LineIndex } from "../../../src/core/definitions/textRange";
import { DEFAULT_PROVIDERS } from "../../../src/core/settings/schema";

const OURS = "/ws/.subagents/agents/a.md";
const CLAUDE = "/ws/.claude/agents/a.md";

function parse(text: string, path = OURS): ParsedDefinitionFile {
  return parseDefinitionFile(path, text, { providers: DEFAULT_PROVIDERS });
}

function codes(file: ParsedDefinitionFile): string[] {
  return file.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`);
}

describe("agent definition files", () => {
  it("accepts a vscode-lm model and vscode:<pattern> tools; a bad vscode-lm ref or an empty pattern is an error", () => {
    const file = parse('---\nname: lm\ndescription: On Copilot.\ntools: [read_file, "vscode:mcp_github_*"]\nmodel: vscode-lm:copilot/gpt-5-mini\n---\nGo.\n');
    assert.deepEqual(file.diagnostics, []);
    assert.deepEqual(file.definition?.tools, ["read_file"]);
    assert.deepEqual(file.definition?.extensionTools, ["mcp_github_*"]);
    assert.equal(file.definition?.model, "vscode-lm:copilot/gpt-5-mini");
    const bad = parse('---\nname: lm\ndescription: Bad.\ntools: [read_file, "vscode:"]\nmodel: "vscode-lm:copilot/"\n---\nGo.\n');
    assert.deepEqual(bad.diagnostics.map((d) => d.code).sort(), ["bad-model", "unknown-tool"]);
    assert.match(bad.diagnostics.find((d) => d.code === "bad-model")?.message ?? "", /expected "vscode-lm:<vendor>\/<family>"/);
    assert.equal(bad.definition, undefined);
  });

  it("refuses a vscode: pattern that is more than names and a few *, before anything matches it", () => {
    // Compiled as a glob, this backtracks for minutes against a long tool name.
    const file = parse('---\nname: lm\ndescription: Hostile.\ntools: [read_file, "vscode:*?*?*?*?*?*?*?*?*?*?Q", "vscode:a*b*c*d*e", "vscode:mcp.*_*"]\n---\nGo.\n');
    const refused = file.diagnostics.filter((d) => d.code === "unknown-tool").map((d) => d.message);
    assert.equal(refused.length, 2, refused.join("\n"));
    assert.match(refused[0] ?? "", /"vscode:\*\?\*.*is not a tool name pattern/);
    assert.match(refused[1] ?? "", /"vscode:a\*b\*c\*d\*e" is not a tool name pattern: .*at most 3 "\*"/);
    const kept = parse('---\nname: lm\ndescription: Fine.\ntools: [read_file, "vscode:mcp.*_*"]\n---\nGo.\n');
    assert.deepEqual(kept.definition?.extensionTools, ["mcp.*_*"]);
  });

  it("parses a full definition into camelCase fields with the body as system prompt", () => {
    const file = parse(
      "---\nname: reviewer\ndescription: Reviews code.\ntools: [read_file, search_text]\nmodel: openai:gpt-5\n" +
        "role: leaf\ntimeout_seconds: 60\nbackground: false\n---\n\nYou review.\n",
    );
    assert.deepEqual(file.diagnostics, []);
    assert.deepEqual(file.definition, {
      name: "reviewer",
      description: "Reviews code.",
      tools: ["read_file", "search_text"],
      model: "openai:gpt-5",
      role: "leaf",
      timeoutSeconds: 60,
      background: false,
      systemPrompt: "You review.",
      sourcePath: OURS,
      dialect: "subagents",
    });
  });

  it("leaves optional fields out (no undefined properties) and treats model: inherit as the default", () => {
    const file = parse("---\nname: a\ndescription: d\nmodel: inherit\n---\nP\n");
    assert.deepEqual(Object.keys(file.definition ?? {}).sort(), ["description", "dialect", "name", "sourcePath", "systemPrompt"]);
  });

  it("handles CRLF line endings and a byte order mark", () => {
    const file = parse("\uFEFF---\r\nname: crlf\r\ndescription: d\r\nbogus: 1\r\n---\r\nBody\r\n");
    assert.deepEqual(codes(file), ["unknown-key@3:0"]);
    assert.equal(file.diagnostics[0]?.range.end.character, 5);
  });

  it("reports missing and unclosed front matter and missing required keys", () => {
    assert.deepEqual(codes(parse("Just text")), ["missing-front-matter@0:0"]);
    assert.deepEqual(codes(parse("---\nname: a\n")), ["unclosed-front-matter@0:0"]);
    assert.deepEqual(codes(parse("---\nname: a\n---\nBody")), ["missing-key@0:0"]);
    assert.deepEqual(codes(parse("---\n---\nBody")), ["missing-key@0:0", "missing-key@0:0"]);
    assert.deepEqual(codes(parse("---\n- a\n---\nBody")), ["not-a-mapping@1:0"]);
  });

  it("rejects values of the wrong shape, each on its value", () => {
    const file = parse("---\nname: has space\ndescription: d\nrole: boss\nbackground: yes\ntimeout_seconds: 1.5\ntools: 3\n---\nP\n");
    assert.deepEqual(codes(file).sort(), ["invalid-value@1:6", "invalid-value@3:6", "invalid-value@4:12", "invalid-value@6:7", "invalid-value@5:17"].sort());
    assert.equal(file.definition, undefined);
  });

  it("keeps the name of an invalid file for duplicate checks", () => {
    const file = parse("---\nname: broken\ndescription: d\ntools: [nope]\n---\nP\n");
    assert.equal(file.definition, undefined);
    assert.equal(file.name, "broken");
    assert.deepEqual(file.nameRange, { start: { line: 1, character: 6 }, end: { line: 1, character: 12 } });
  });

  it("warns on an empty prompt and a tool listed twice without invalidating the file", () => {
    const file = parse("---\nname: a\ndescription: d\ntools: [read_file, read_file]\n---\n\n");
    assert.deepEqual(codes(file), ["duplicate-tool@3:19", "empty-prompt@4:0"]);
    assert.deepEqual(file.definition?.tools, ["read_file"]);
  });

  it("accepts `tools: []` as an agent without tools", () => {
    assert.deepEqual(parse("---\nname: a\ndescription: d\ntools: []\n---\nP").definition?.tools, []);
  });

  it("reads Claude Code files compatibly: tool aliases, ignored keys and model aliases", () => {
    const file = parse(
      "---\nname: cc\ndescription: d\ntools: Read, Grep, Glob, Bash, WebFetch\nmodel: sonnet\ncolor: red\nfoo: 1\n---\nP\n",
      CLAUDE,
    );
    assert.deepEqual(file.definition?.tools, ["read_file", "search_text", "list_files", "run_command"]);
    assert.equal(file.definition?.model, undefined);
    assert.equal(file.definition?.dialect, "claude");
    assert.deepEqual(
      file.diagnostics.map((d) => `${d.code}:${d.severity}`),
      ["ignored-key:hint", "unknown-key:warning", "ignored-tool:warning", "bad-model:information"],
    );
    const webFetch = file.diagnostics.find((d) => d.code === "ignored-tool");
    assert.deepEqual(webFetch?.range, { start: { line: 3, character: 31 }, end: { line: 3, character: 39 } });
  });

  it("does not accept Claude Code tool names in our own folder, but suggests ours", () => {
    const file = parse("---\nname: a\ndescription: d\ntools: [Read]\n---\nP\n");
    assert.match(file.diagnostics[0]?.message ?? "", /Did you mean "read_file"/);
    assert.equal(file.definition, undefined);
  });

  it("finds tool ranges inside quoted comma-separated strings", () => {
    const file = parse('---\nname: a\ndescription: d\ntools: "read_file, nope"\n---\nP\n');
    assert.deepEqual(file.diagnostics[0]?.range, { start: { line: 3, character: 19 }, end: { line: 3, character: 23 } });
  });
});

describe("definition file helpers", () => {
  it("tells the dialect from the path, with either separator", () => {
    assert.equal(definitionDialectOf("/w/.subagents/agents/x.md"), "subagents");
    assert.equal(definitionDialectOf("C:\\w\\.claude\\agents\\x.md"), "claude");
    assert.equal(definitionDialectOf(".subagents/agents/x.md"), "subagents");
    assert.equal(definitionDialectOf("/w/.subagents/agents/sub/x.md"), undefined);
    assert.equal(definitionDialectOf("/w/docs/x.md"), undefined);
  });

  it("writes a template that parses without problems", () => {
    const file = parse(agentDefinitionTemplate("new-agent"));
    assert.deepEqual(file.diagnostics, []);
    assert.equal(file.definition?.name, "new-agent");
    assert.equal(file.definition?.timeoutSeconds, 300);
  });

  it("splits front matter only at whole fence lines", () => {
    assert.equal(splitFrontMatter("----\nx\n---\n"), undefined);
    const split = splitFrontMatter("---\na: 1\n...\nbody");
    assert.equal(split?.bodyOffset, 13);
  });

  it("converts offsets and positions over mixed line breaks", () => {
    const lines = new LineIndex("a\r\nbc\rd\n");
    assert.deepEqual(lines.positionAt(4), { line: 1, character: 1 });
    assert.deepEqual(lines.positionAt(6), { line: 2, character: 0 });
    assert.equal(lines.offsetAt({ line: 1, character: 9 }), 5);
    assert.equal(lines.lineText(1), "bc");
  });
});
