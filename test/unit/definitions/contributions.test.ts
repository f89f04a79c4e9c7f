import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseDefinitionFile } from "../../../src/core/definitions/parseDefinition";
import { DEFAULT_PROVIDERS } from "../../../src/core/settings/schema";
import { NEW_AGENT_DEFINITION_COMMAND } from "../../../src/host/definitions/definitionCommandIds";

const root = join(__dirname, "..", "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  contributes: {
    commands: Array<{ command: string; title: string; category: string }>;
    snippets?: Array<{ language: string; path: string }>;
  };
};

/** Expands a snippet body with each placeholder's default (first choice for `${n|a,b|}`). */
function expand(body: string[]): string {
  return body
    .join("\n")
    .replace(/\$\{\d+\|([^,|}]*)[^}]*\}/g, "$1")
    .replace(/\$\{\d+:([^}]*)\}/g, "$1")
    .replace(/\$1\b/g, "reviewer")
    .replace(/\$\d+/g, "");
}

describe("agent definition contributions", () => {
  it("contributes the New Agent Definition command under category Subagents", () => {
    const command = pkg.contributes.commands.find((c) => c.command === NEW_AGENT_DEFINITION_COMMAND);
    assert.deepEqual(command && { title: command.title, category: command.category }, { title: "New Agent Definition", category: "Subagents" });
  });

  it("contributes a Markdown snippet whose expansion is a valid definition", () => {
    const entry = pkg.contributes.snippets?.find((s) => s.language === "markdown");
    assert.ok(entry);
    const path = join(root, entry.path);
    assert.ok(existsSync(path), entry.path);
    const snippets = JSON.parse(readFileSync(path, "utf8")) as Record<string, { body: string[] }>;
    for (const [label, snippet] of Object.entries(snippets)) {
      const file = parseDefinitionFile("/ws/.subagents/agents/reviewer.md", expand(snippet.body), { providers: DEFAULT_PROVIDERS });
      assert.deepEqual(file.diagnostics, [], label);
      assert.equal(file.definition?.name, "reviewer");
    }
  });
});
