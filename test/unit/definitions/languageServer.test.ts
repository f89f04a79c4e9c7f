import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import type { Diagnostic, MarkupContent } from "vscode-languageserver/node";
import { LspTestClient, removeServerBundle } from "./lspTestClient";
import { waitUntil } from "../../fakes/polling";

const PROVIDERS = [
  { id: "openai", baseUrl: "https://api.openai.com/v1", models: ["gpt-5-mini", "gpt-5"] },
  { id: "local", baseUrl: "http://127.0.0.1:1/v1", models: ["llama3:8b"] },
];

const ERROR = 1;
const WARNING = 2;

/** `line:char-line:char` of a diagnostic, to compare ranges in one assertion. */
function span(d: Diagnostic | undefined): string {
  assert.ok(d, "diagnostic present");
  return `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`;
}

function messageOf(d: Diagnostic | undefined): string {
  const message = d?.message ?? "";
  return typeof message === "string" ? message : message.value;
}

function byCode(list: Diagnostic[], code: string): Diagnostic[] {
  return list.filter((d) => d.code === code);
}

describe("agent definition language server (LSP over IPC)", () => {
  let workspace: string;
  let client: LspTestClient;
  let configured: unknown = PROVIDERS;
  const uriOf = (relative: string) => pathToFileURL(join(workspace, relative)).href;
  const hasCode = (code: string) => (list: Diagnostic[]) => list.some((d) => d.code === code);

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), "subagents-ws-"));
    mkdirSync(join(workspace, ".subagents", "agents"), { recursive: true });
    mkdirSync(join(workspace, ".claude", "agents"), { recursive: true });
    writeFileSync(
      join(workspace, ".subagents", "agents", "reviewer.md"),
      "---\nname: reviewer\ndescription: Reviews changes.\ntools: [read_file, search_text]\n---\nReview carefully.\n",
    );
    writeFileSync(
      join(workspace, ".claude", "agents", "helper.md"),
      "---\nname: helper\ndescription: Claude Code helper.\ntools: Read, Grep\nmodel: sonnet\ncolor: blue\n---\nHelp.\n",
    );
    client = await LspTestClient.start({ workspace, initProviders: PROVIDERS, configuredProviders: () => configured });
  });

  after(async () => {
    await client?.stop();
    rmSync(workspace, { recursive: true, force: true });
    removeServerBundle();
  });

  it("checks saved definition files that are not open, Claude Code's folder included", async () => {
    assert.deepEqual(await client.waitForDiagnostics(uriOf(".subagents/agents/reviewer.md"), () => true), []);
    const claude = await client.waitForDiagnostics(uriOf(".claude/agents/helper.md"), () => true);
    assert.ok(claude.every((d) => d.severity !== ERROR), JSON.stringify(claude));
    assert.equal(span(byCode(claude, "ignored-key")[0]), "5:0-5:5");
    assert.ok(client.registrations.includes("workspace/didChangeConfiguration"));
  });

  it("reports an unknown key on the key, with a suggestion", async () => {
    const uri = uriOf(".subagents/agents/keys.md");
    client.open(uri, "---\nname: keys\ndescription: Checks keys\ntimeot_seconds: 30\n---\nPrompt.\n");
    const [d] = byCode(await client.waitForDiagnostics(uri, hasCode("unknown-key")), "unknown-key");
    assert.equal(span(d), "3:0-3:14");
    assert.equal(d?.severity, ERROR);
    assert.equal(d?.source, "subagents");
    assert.match(messageOf(d), /timeout_seconds/);
  });

  it("reports unknown tools on each name, in lists and in Claude-style strings", async () => {
    const uri = uriOf(".subagents/agents/tools.md");
    client.open(uri, "---\nname: tools\ndescription: Checks tools\ntools: [read_file, reed_file, web_fetch]\n---\nPrompt.\n");
    const found = byCode(await client.waitForDiagnostics(uri, hasCode("unknown-tool")), "unknown-tool");
    assert.deepEqual(found.map(span), ["3:19-3:28", "3:30-3:39"]);
    assert.match(messageOf(found[0]), /Did you mean "read_file"/);

    client.change(uri, "---\nname: tools\ndescription: Checks tools\ntools: read_file, grepp\n---\nPrompt.\n");
    const again = await client.waitForDiagnostics(uri, (list) => byCode(list, "unknown-tool").length === 1);
    assert.equal(span(byCode(again, "unknown-tool")[0]), "3:18-3:23");
  });

  it("reports bad model references against the configured providers", async () => {
    const uri = uriOf(".subagents/agents/model.md");
    client.open(uri, "---\nname: model\ndescription: Checks models\nmodel: nowhere:gpt-5\n---\nPrompt.\n");
    const [bad] = byCode(await client.waitForDiagnostics(uri, hasCode("bad-model")), "bad-model");
    assert.equal(span(bad), "3:7-3:20");
    assert.equal(bad?.severity, ERROR);
    assert.match(messageOf(bad), /no provider "nowhere".*openai, local/);

    client.change(uri, "---\nname: model\ndescription: Checks models\nmodel: gpt-5\n---\nPrompt.\n");
    const [form] = byCode(await client.waitForDiagnostics(uri, (l) => byCode(l, "bad-model")[0]?.range.end.character === 12), "bad-model");
    assert.match(messageOf(form), /expected "<providerId>:<model>"/);

    client.change(uri, "---\nname: model\ndescription: Checks models\nmodel: local:llama3:8b\n---\nPrompt.\n");
    assert.deepEqual(await client.waitForDiagnostics(uri, (l) => l.length === 0), []);

    client.change(uri, "---\nname: model\ndescription: Checks models\nmodel: openai:gpt-9\n---\nPrompt.\n");
    const [unlisted] = byCode(await client.waitForDiagnostics(uri, hasCode("bad-model")), "bad-model");
    assert.equal(unlisted?.severity, WARNING);
  });

  it("re-reads the providers when the settings change", async () => {
    const uri = uriOf(".subagents/agents/settings.md");
    client.open(uri, "---\nname: settings\ndescription: Checks settings\nmodel: kimi:k2\n---\nPrompt.\n");
    await client.waitForDiagnostics(uri, hasCode("bad-model"));
    configured = [...PROVIDERS, { id: "kimi", baseUrl: "http://127.0.0.1:2/v1", models: ["k2"] }];
    await client.connection.sendNotification("workspace/didChangeConfiguration", { settings: null });
    assert.deepEqual(await client.waitForDiagnostics(uri, (l) => l.length === 0), []);
    configured = PROVIDERS;
    await client.connection.sendNotification("workspace/didChangeConfiguration", { settings: null });
    await client.waitForDiagnostics(uri, hasCode("bad-model"));
  });

  it("reports timeouts out of range, and 0 for a background agent", async () => {
    const uri = uriOf(".subagents/agents/timeout.md");
    client.open(uri, "---\nname: timeout\ndescription: Checks timeouts\ntimeout_seconds: 4000\n---\nPrompt.\n");
    const [high] = byCode(await client.waitForDiagnostics(uri, hasCode("timeout-range")), "timeout-range");
    assert.equal(span(high), "3:17-3:21");
    assert.match(messageOf(high), /between 0 and 3600/);

    client.change(uri, "---\nname: timeout\ndescription: Checks timeouts\nbackground: true\ntimeout_seconds: 0\n---\nPrompt.\n");
    const [zero] = byCode(await client.waitForDiagnostics(uri, (l) => byCode(l, "timeout-range")[0]?.range.start.line === 4), "timeout-range");
    assert.equal(span(zero), "4:17-4:18");
    assert.match(messageOf(zero), /background/);
  });

  it("reports YAML errors at their position", async () => {
    const uri = uriOf(".subagents/agents/yaml.md");
    client.open(uri, "---\nname: yaml\nname: again\ndescription: Checks YAML\n---\nPrompt.\n");
    const [duplicate] = byCode(await client.waitForDiagnostics(uri, hasCode("yaml-syntax")), "yaml-syntax");
    assert.equal(span(duplicate), "2:0-2:4");
    assert.match(messageOf(duplicate), /unique/);

    client.change(uri, "---\nname: yaml\ndescription: Checks YAML\ntools: [read_file\n---\nPrompt.\n");
    const [unclosed] = byCode(await client.waitForDiagnostics(uri, (l) => byCode(l, "yaml-syntax")[0]?.range.start.line === 3), "yaml-syntax");
    assert.equal(unclosed?.range.start.line, 3);
    assert.equal(unclosed?.range.end.line, 3);
  });

  it("reports a name used by two files on both, and clears it when one goes away", async () => {
    const disk = uriOf(".subagents/agents/reviewer.md");
    const uri = uriOf(".subagents/agents/copy.md");
    client.open(uri, "---\ndescription: A copy\nname: reviewer\n---\nPrompt.\n");
    const [mine] = byCode(await client.waitForDiagnostics(uri, hasCode("duplicate-name")), "duplicate-name");
    assert.equal(span(mine), "2:6-2:14");
    assert.match(messageOf(mine), /reviewer\.md/);
    const [theirs] = byCode(await client.waitForDiagnostics(disk, hasCode("duplicate-name")), "duplicate-name");
    assert.equal(span(theirs), "1:6-1:14");

    client.close(uri); // never saved: the clash is gone with it
    assert.deepEqual(await client.waitForDiagnostics(disk, (l) => l.length === 0), []);
    assert.deepEqual(await client.waitForDiagnostics(uri, (l) => l.length === 0), []);
  });

  it("picks up files created on disk through watched-file events", async () => {
    const path = join(workspace, ".claude", "agents", "second-reviewer.md");
    writeFileSync(path, "---\nname: reviewer\ndescription: Claude's reviewer\n---\nPrompt.\n");
    await client.connection.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: pathToFileURL(path).href, type: 1 }] });
    const [shadowed] = byCode(await client.waitForDiagnostics(pathToFileURL(path).href, hasCode("shadowed-name")), "shadowed-name");
    assert.equal(span(shadowed), "1:6-1:14");
    rmSync(path);
    await client.connection.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: pathToFileURL(path).href, type: 3 }] });
    assert.deepEqual(await client.waitForDiagnostics(pathToFileURL(path).href, (l) => l.length === 0), []);
  });

  it("completes keys that are not there yet, with their documentation", async () => {
    const uri = uriOf(".subagents/agents/complete.md");
    const text = "---\nname: complete\n\ntools: [read_file, ]\nrole: \nmodel: \ntimeout_seconds: 60\n---\nPrompt.\n";
    client.open(uri, text);
    const keys = await client.completion(uri, { line: 2, character: 0 });
    assert.deepEqual(keys.map((i) => i.label), ["description", "max_turns", "reasoning_effort", "background", "isolation"]);
    assert.ok(keys.every((i) => typeof i.documentation === "object"));

    const tools = await client.completion(uri, { line: 3, character: 19 });
    assert.ok(!tools.some((i) => i.label === "read_file"));
    assert.ok(tools.some((i) => i.label === "search_text"));
    assert.equal(tools.length, 11);

    assert.deepEqual((await client.completion(uri, { line: 4, character: 6 })).map((i) => i.label), ["leaf", "orchestrator"]);

    const models = await client.completion(uri, { line: 5, character: 7 });
    assert.deepEqual(models.map((i) => i.label), ["openai:gpt-5-mini", "openai:gpt-5", "local:llama3:8b", "inherit"]);
    const edit = models[2]?.textEdit;
    assert.ok(edit && "range" in edit);
    assert.deepEqual(edit.range, { start: { line: 5, character: 7 }, end: { line: 5, character: 7 } });

    assert.deepEqual(await client.completion(uri, { line: 8, character: 3 }), [], "nothing in the Markdown body");

    const empty = uriOf(".subagents/agents/empty.md");
    client.open(empty, "");
    const [template, ...others] = await client.completion(empty, { line: 0, character: 0 });
    assert.equal(others.length, 0);
    assert.equal(template?.label, "agent definition");
    assert.match(template?.textEdit?.newText ?? "", /^---\nname: \$\{1:reviewer\}\n/);
  });

  it("completes VS Code's models and tools as the extension lists them, leaving out names that would not stay one YAML value", async () => {
    let asked = 0;
    const offers = {
      models: ["vscode-lm:copilot/gpt-5-mini", "vscode-lm:copilot/claude-sonnet-4", "vscode-lm:bad ref", "openai:gpt-5"],
      tools: [
        { name: "mcp_github_search", description: "Search GitHub. [click](command:workbench.action.reloadWindow)" },
        { name: "todo_list", description: "Lists todos." },
        { name: "evil, read_file]", description: "breaks the list" },
        { description: "no name" },
      ],
    };
    const second = await LspTestClient.start({ workspace, initProviders: PROVIDERS, vscodeOffers: () => (asked++, offers) });
    try {
      const uri = uriOf(".subagents/agents/offers.md");
      const text = "---\nname: offers\ndescription: Offers\ntools: [read_file, vscode:todo_list, vs]\nmodel: \n---\nPrompt.\n";
      second.open(uri, text);
      const models = (await second.completion(uri, { line: 4, character: 7 })).map((i) => i.label);
      assert.deepEqual(models, ["openai:gpt-5-mini", "openai:gpt-5", "local:llama3:8b", "vscode-lm:copilot/gpt-5-mini", "vscode-lm:copilot/claude-sonnet-4", "inherit"]);

      const tools = await second.completion(uri, { line: 3, character: 39 });
      const theirs = tools.filter((i) => i.label.startsWith("vscode:"));
      assert.deepEqual(theirs.map((i) => i.label), ["vscode:mcp_github_search"], "listed and unsafe names left out");
      const search = theirs[0];
      assert.equal(typeof search?.documentation, "string", "other extensions' descriptions are plain text, never Markdown");
      const edit = search?.textEdit;
      assert.ok(edit && "range" in edit);
      assert.deepEqual(edit.range, { start: { line: 3, character: 37 }, end: { line: 3, character: 39 } }, "replaces the typed `vs`");
      assert.equal(edit.newText, "vscode:mcp_github_search");
      assert.ok(asked >= 2, "the server asks the extension while completing");
    } finally {
      await second.stop();
    }
  });

  it("asks the extension again after a question it never answered", async () => {
    let asked = 0;
    const offers = { models: ["vscode-lm:copilot/gpt-5-mini"], tools: [] };
    // The first question hangs for good; later ones are answered.
    const third = await LspTestClient.start({ workspace, initProviders: PROVIDERS, vscodeOffers: () => (asked++ === 0 ? new Promise(() => undefined) : offers) });
    try {
      const uri = uriOf(".subagents/agents/hang.md");
      third.open(uri, "---\nname: hang\ndescription: Hangs\nmodel: \n---\nPrompt.\n");
      const labels = async () => (await third.completion(uri, { line: 3, character: 7 })).map((i) => i.label);
      assert.ok(!(await labels()).includes("vscode-lm:copilot/gpt-5-mini"), "completion does not wait for an answer that does not come");
      await waitUntil("a later completion to ask again and offer the model", async () => (await labels()).includes("vscode-lm:copilot/gpt-5-mini"), 20_000);
      assert.ok(asked >= 2);
    } finally {
      await third.stop();
    }
  });

  it("completes tool names in block lists, without those already listed", async () => {
    const uri = uriOf(".subagents/agents/block.md");
    client.open(uri, "---\nname: block\ndescription: Block list\ntools:\n  - read_file\n  - wr\n---\nPrompt.\n");
    const items = await client.completion(uri, { line: 5, character: 6 });
    assert.ok(items.some((i) => i.label === "write_file"));
    assert.ok(!items.some((i) => i.label === "read_file"));
    const edit = items.find((i) => i.label === "write_file")?.textEdit;
    assert.ok(edit && "range" in edit);
    assert.deepEqual(edit.range.start, { line: 5, character: 4 });
  });

  it("explains keys and tool names on hover", async () => {
    const uri = uriOf(".subagents/agents/hover.md");
    client.open(uri, "---\nname: hover\ndescription: Hovers\ntools: [read_file]\ntimeout_seconds: 60\nrole: leaf\n---\nPrompt.\n");
    const key = await client.hover(uri, { line: 4, character: 3 });
    assert.ok(key);
    assert.match((key.contents as MarkupContent).value, /timeout_seconds.*0\.\.3600/s);
    assert.deepEqual(key.range, { start: { line: 4, character: 0 }, end: { line: 4, character: 15 } });

    const tool = await client.hover(uri, { line: 3, character: 12 });
    assert.match((tool?.contents as MarkupContent).value, /read_file.*Read a workspace file/);
    const role = await client.hover(uri, { line: 5, character: 7 });
    assert.match((role?.contents as MarkupContent).value, /Cannot spawn agents/);
    assert.equal(await client.hover(uri, { line: 7, character: 2 }), null);
  });

  it("gives the agent one document symbol with its keys", async () => {
    const uri = uriOf(".subagents/agents/symbol.md");
    client.open(uri, "---\nname: symbolic\ndescription: Has a symbol\nrole: leaf\n---\nPrompt.\n");
    const [symbol, ...rest] = await client.documentSymbols(uri);
    assert.equal(rest.length, 0);
    assert.equal(symbol?.name, "symbolic");
    assert.equal(symbol?.detail, "Has a symbol");
    assert.deepEqual(symbol?.selectionRange, { start: { line: 1, character: 6 }, end: { line: 1, character: 14 } });
    assert.deepEqual(symbol?.children?.map((c) => c.name), ["name", "description", "role"]);
  });
});
