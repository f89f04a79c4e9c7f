import type { DefinitionDialect } from "./definitionSchema";

/**
 * Where definition files live, relative to a workspace folder. Our own folder
 * comes first: on a name clash it wins over Claude Code's.
 */
export const DEFINITION_FOLDERS: ReadonlyArray<{ folder: string; dialect: DefinitionDialect }> = [
  { folder: ".subagents/agents", dialect: "subagents" },
  { folder: ".claude/agents", dialect: "claude" },
];

/** Glob (relative to a workspace folder) matching every definition file. */
export const DEFINITION_FILE_GLOB = "{.subagents,.claude}/agents/*.md";
/** The same, anywhere in the workspace (for document selectors). */
export const DEFINITION_DOCUMENT_PATTERNS = ["**/.subagents/agents/*.md", "**/.claude/agents/*.md"] as const;

const DIALECT_PATTERNS: ReadonlyArray<[RegExp, DefinitionDialect]> = [
  [/(^|\/)\.subagents\/agents\/[^/]+\.md$/, "subagents"],
  [/(^|\/)\.claude\/agents\/[^/]+\.md$/, "claude"],
];

/** The dialect of a definition file path (either separator), or undefined if it is not one. */
export function definitionDialectOf(path: string): DefinitionDialect | undefined {
  const normalized = path.replace(/\\/g, "/");
  for (const [pattern, dialect] of DIALECT_PATTERNS) {
    if (pattern.test(normalized)) return dialect;
  }
  return undefined;
}

export const TEMPLATE_DESCRIPTION = "Describe when the root agent should use this agent type.";

/** The text of a new definition file, as written by "New Agent Definition". */
export function agentDefinitionTemplate(name: string): string {
  return [
    "---",
    `name: ${name}`,
    `description: ${TEMPLATE_DESCRIPTION}`,
    "tools: [read_file, list_files, search_text]",
    "role: leaf",
    "timeout_seconds: 300",
    "---",
    "",
    `You are ${name}, a subagent. Describe its job, its method and the shape of its final answer here.`,
    "",
    "Finish with a short summary of what you found or changed.",
    "",
  ].join("\n");
}
