/**
 * The tool names agents see, a public contract. Agent definition files name tools
 * from this list; the language server completes and checks against it.
 */
export const TOOL_NAMES = [
  "spawn_agent",
  "wait_agents",
  "send_message",
  "interrupt_agent",
  "list_agents",
  "read_file",
  "list_files",
  "search_text",
  "edit_file",
  "write_file",
  "run_command",
  "get_diagnostics",
] as const;

export type ToolName = (typeof TOOL_NAMES)[number];

/**
 * In a definition's `tools:` list, `vscode:<name or glob>` names VS Code
 * language model tools (other extensions', MCP servers'). An agent of that
 * type gets them only if `subagents.extensionTools` offers them too.
 */
export const EXTENSION_TOOL_PREFIX = "vscode:";

/** How a VS Code tool name or pattern is written in a definition's `tools:` list. */
export function extensionToolEntry(nameOrPattern: string): string {
  return `${EXTENSION_TOOL_PREFIX}${nameOrPattern}`;
}

const TOOL_NAME_SET: ReadonlySet<string> = new Set(TOOL_NAMES);

export function isToolName(name: string): name is ToolName {
  return TOOL_NAME_SET.has(name);
}

/** One line per tool, for completion details and hovers. */
export const TOOL_DOCS: Readonly<Record<ToolName, string>> = {
  spawn_agent: "Start a subagent on a task (foreground: wait for its result; background: return its id at once).",
  wait_agents: "Wait for background subagents and return their status and results.",
  send_message: "Queue a follow-up message for an agent; an idle or finished agent runs again.",
  interrupt_agent: "Stop an agent and its descendants.",
  list_agents: "List the caller's subtree of agents with their statuses.",
  read_file: "Read a workspace file (text only), optionally a line range.",
  list_files: "List workspace files, respecting excludes and .gitignore.",
  search_text: "Search the workspace for text or a regular expression; matches with file and line.",
  edit_file: "Replace an exact piece of text in a file; fails on a stale read or a missing/ambiguous match.",
  write_file: "Create or replace a file; fails on a stale read.",
  run_command: "Run a shell command, subject to the approval policy.",
  get_diagnostics: "Problems reported by the language services, for one file or all.",
};

/**
 * Claude Code tool names in `.claude/agents/*.md`, mapped to ours so that
 * those files keep their meaning. Claude tools with no equivalent here
 * (WebFetch, TodoWrite, MCP tools…) are ignored with a warning.
 */
export const CLAUDE_TOOL_ALIASES: Readonly<Record<string, ToolName>> = {
  Read: "read_file",
  Write: "write_file",
  Edit: "edit_file",
  MultiEdit: "edit_file",
  Grep: "search_text",
  Glob: "list_files",
  LS: "list_files",
  Bash: "run_command",
  Task: "spawn_agent",
};
