import { REASONING_EFFORTS } from "../common/reasoningEffort";
import { MAX_TIMEOUT_SECONDS } from "../common/timeLimits";
import { MAX_TURNS_LIMIT } from "../common/turnLimits";

/**
 * Documentation of each front-matter key, for hovers and completion. The
 * order is the order of the template and of completion items.
 */
export interface DefinitionKeyDoc {
  key: DefinitionKey;
  required: boolean;
  /** One line: the value's shape. */
  detail: string;
  /** Markdown shown on hover. */
  documentation: string;
  /** Snippet inserted after `key: ` on completion (LSP snippet syntax). */
  valueSnippet: string;
}

export const DEFINITION_KEYS = [
  "name",
  "description",
  "tools",
  "model",
  "role",
  "timeout_seconds",
  "max_turns",
  "reasoning_effort",
  "background",
  "isolation",
] as const;

export type DefinitionKey = (typeof DEFINITION_KEYS)[number];

const KEY_SET: ReadonlySet<string> = new Set(DEFINITION_KEYS);

export function isDefinitionKey(key: string): key is DefinitionKey {
  return KEY_SET.has(key);
}

export const DEFINITION_KEY_DOCS: Readonly<Record<DefinitionKey, DefinitionKeyDoc>> = {
  name: {
    key: "name",
    required: true,
    detail: "string (required)",
    documentation:
      "The agent type's name, passed as `agent_type` to `spawn_agent` and shown in the agent tree. " +
      "Letters, digits, `-`, `_`, `.`; unique across `.subagents/agents` and `.claude/agents`.",
    valueSnippet: "${1:reviewer}",
  },
  description: {
    key: "description",
    required: true,
    detail: "string (required)",
    documentation:
      "When to use this agent. The root agent's system prompt lists every agent type with this text, " +
      "so write it for the model that picks the type.",
    valueSnippet: "${1:Reviews a change for bugs and risky patterns.}",
  },
  tools: {
    key: "tools",
    required: false,
    detail: "list of tool names",
    documentation:
      "Allow-list of the tools this agent may use, e.g. `[read_file, search_text]`. Omit it to give the " +
      "agent its parent's tools. A definition can only narrow: a tool the parent lacks is never granted.",
    valueSnippet: "[${1:read_file}]",
  },
  model: {
    key: "model",
    required: false,
    detail: '"<providerId>:<model>" or inherit',
    documentation:
      "Model for this agent as `<providerId>:<model>` from `subagents.providers`, e.g. `openai:gpt-5-mini`, " +
      "or a model VS Code offers as `vscode-lm:<vendor>/<family>`, e.g. `vscode-lm:copilot/gpt-5-mini`. " +
      "Omit it (or write `inherit`) to use the default subagent model.",
    valueSnippet: "${1:inherit}",
  },
  role: {
    key: "role",
    required: false,
    detail: "leaf | orchestrator",
    documentation:
      "`leaf` agents cannot spawn agents; `orchestrator` agents may, within `subagents.maxSpawnDepth`. " +
      "When both the definition and the `spawn_agent` call give a role, `leaf` wins.",
    valueSnippet: "${1|leaf,orchestrator|}",
  },
  timeout_seconds: {
    key: "timeout_seconds",
    required: false,
    detail: `integer, 0..${MAX_TIMEOUT_SECONDS}`,
    documentation:
      `Default timeout of this agent in seconds, from 0 to ${MAX_TIMEOUT_SECONDS}. \`0\` = no limit, allowed only for ` +
      "foreground agents. A `timeout_seconds` given to `spawn_agent` overrides it.",
    valueSnippet: "${1:300}",
  },
  max_turns: {
    key: "max_turns",
    required: false,
    detail: `integer, 1..${MAX_TURNS_LIMIT}`,
    documentation:
      `Model turns one run of this agent may take, from 1 to ${MAX_TURNS_LIMIT}; omit it to use \`subagents.maxTurns\`. ` +
      "At the limit the agent gets one last turn without tools to give its answer.",
    valueSnippet: "${1:200}",
  },
  reasoning_effort: {
    key: "reasoning_effort",
    required: false,
    detail: REASONING_EFFORTS.join(" | "),
    documentation:
      "How much a reasoning model thinks before it answers. Wins over the `reasoningEffort` of the model entry " +
      "and of the provider in `subagents.providers`. Sent as `reasoning.effort` (Responses API), `reasoning_effort` " +
      "(Chat Completions) or a thinking budget (Anthropic).",
    valueSnippet: `\${1|${REASONING_EFFORTS.join(",")}|}`,
  },
  background: {
    key: "background",
    required: false,
    detail: "boolean",
    documentation:
      "`true` = `spawn_agent` returns at once with the agent's id and the parent collects the result " +
      "with `wait_agents`. A `background` given to `spawn_agent` overrides it.",
    valueSnippet: "${1|false,true|}",
  },
  isolation: {
    key: "isolation",
    required: false,
    detail: '"none" | "worktree"',
    documentation:
      "`worktree` = the agent works in its own git worktree (under the extension's storage, on a branch named after it); " +
      "the workspace changes only when the user merges it. An `isolation` given to `spawn_agent` overrides it.",
    valueSnippet: "${1|worktree,none|}",
  },
};

/** Claude Code keys that have no meaning here; read without complaint beyond a hint. */
export const CLAUDE_ONLY_KEYS: ReadonlySet<string> = new Set([
  "color",
  "permissionMode",
  "skills",
  "hooks",
  "mcpServers",
  "disallowedTools",
  "memory",
]);

export const ROLE_DOCS = {
  leaf: "Cannot spawn agents; does the work itself.",
  orchestrator: "May spawn and coordinate agents, within subagents.maxSpawnDepth.",
} as const;
