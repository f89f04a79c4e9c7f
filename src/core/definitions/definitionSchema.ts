import * as z from "zod";
import { REASONING_EFFORTS, type ReasoningEffort } from "../common/reasoningEffort";
import { MAX_TIMEOUT_SECONDS } from "../common/timeLimits";
import { MAX_TURNS_LIMIT } from "../common/turnLimits";
import type { ToolName } from "./toolNames";

/**
 * The front matter of an agent definition file, shared by the runtime loader
 * and the language server. Checks that need outside knowledge (configured
 * models, tool aliases, other files) live in parseDefinition.ts and
 * agentDefinitions.ts; this schema covers what one value alone can decide.
 */
export const AGENT_ROLES = ["leaf", "orchestrator"] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/** Letters, digits, `-`, `_`, `.`; starts with a letter or digit (it is typed as `agent_type`). */
export const AGENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** `model: inherit` (Claude Code's spelling) = the parent's model. */
export const INHERIT_MODEL = "inherit";

export const agentFrontMatterSchema = z.object({
  name: z
    .string({ error: "name must be a string" })
    .regex(AGENT_NAME_PATTERN, "name must be 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit"),
  description: z
    .string({ error: "description must be a string" })
    .trim()
    .min(1, "description must say when to use this agent"),
  /** A YAML list, or Claude Code's comma-separated string. */
  tools: z.union([z.array(z.unknown()), z.string()], {
    error: "tools must be a list of tool names, for example [read_file, search_text]",
  }).optional(),
  model: z.string({ error: 'model must be a string like "openai:gpt-5-mini" or "inherit"' }).optional(),
  role: z.enum(AGENT_ROLES, { error: 'role must be "leaf" or "orchestrator"' }).optional(),
  timeout_seconds: z
    .number({ error: "timeout_seconds must be a whole number of seconds" })
    .int("timeout_seconds must be a whole number of seconds")
    .min(0, `timeout_seconds must be between 0 and ${MAX_TIMEOUT_SECONDS} (0 = no limit, foreground only)`)
    .max(MAX_TIMEOUT_SECONDS, `timeout_seconds must be between 0 and ${MAX_TIMEOUT_SECONDS} (0 = no limit, foreground only)`)
    .optional(),
  max_turns: z
    .number({ error: "max_turns must be a whole number of turns" })
    .int("max_turns must be a whole number of turns")
    .min(1, `max_turns must be between 1 and ${MAX_TURNS_LIMIT}`)
    .max(MAX_TURNS_LIMIT, `max_turns must be between 1 and ${MAX_TURNS_LIMIT}`)
    .optional(),
  reasoning_effort: z.enum(REASONING_EFFORTS, { error: `reasoning_effort must be one of ${REASONING_EFFORTS.join(", ")}` }).optional(),
  background: z.boolean({ error: "background must be true or false" }).optional(),
  isolation: z.enum(["none", "worktree"], { error: 'isolation must be "none" or "worktree"' }).optional(),
}).check((ctx) => {
  if (ctx.value.background === true && ctx.value.timeout_seconds === 0) {
    ctx.issues.push({
      code: "custom",
      input: ctx.value.timeout_seconds,
      path: ["timeout_seconds"],
      message: "a background agent needs a timeout greater than 0 (0 = no limit is for foreground agents only)",
    });
  }
});

export type AgentFrontMatter = z.infer<typeof agentFrontMatterSchema>;

/** Where a definition came from: our folder, or Claude Code's (read compatibly). */
export type DefinitionDialect = "subagents" | "claude";

/** A valid agent type, ready for `spawn_agent`'s `agent_type`. */
export interface AgentDefinition {
  name: string;
  description: string;
  /** Allow-list of tools; undefined = the parent's tools. Can only narrow (see resolveAgentTools). */
  tools?: ToolName[];
  /** Name patterns of VS Code tools (`vscode:<pattern>` entries of `tools`); only with `tools`. */
  extensionTools?: string[];
  /** `"<providerId>:<model>"`; undefined = the default (parent's / subagentModel). */
  model?: string;
  role?: AgentRole;
  timeoutSeconds?: number;
  /** Turn budget of each run; undefined = `subagents.maxTurns`. */
  maxTurns?: number;
  /** Reasoning effort of this type's requests; wins over the model entry's and the provider's. */
  reasoningEffort?: ReasoningEffort;
  background?: boolean;
  /** `worktree`: agents of this type work in their own git worktree. */
  isolation?: "none" | "worktree";
  /** The Markdown body, trimmed. */
  systemPrompt: string;
  sourcePath: string;
  dialect: DefinitionDialect;
}
