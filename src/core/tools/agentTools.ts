import * as z from "zod";
import { MAX_TIMEOUT_SECONDS } from "../common/timeLimits";
import { defineTool, type AgentTool, type ToolContext } from "./toolDefinition";

/** A `spawn_agent` call after validation, in the core's vocabulary. */
export interface SpawnRequest {
  task: string;
  name?: string;
  context?: string;
  /** Undefined = not given: the agent type's default, else `leaf`. */
  role?: "leaf" | "orchestrator";
  /** `"<provider>:<model>"` or a model of the parent's provider. */
  model?: string;
  timeoutSeconds?: number;
  /** Undefined = not given: the agent type's default, else foreground. */
  background?: boolean;
  /** Name of an agent type (definition file): supplies prompt, tools and defaults; explicit values win. */
  agentType?: string;
  /** `worktree`: the child works in its own git worktree; undefined = the agent type's, else the user's default. */
  isolation?: "none" | "worktree";
}

/** What the agent tools need from the agent supervisor; every call is made on behalf of `callerId`. */
export interface AgentToolHost {
  spawnAgent(callerId: string, request: SpawnRequest, context: ToolContext): Promise<string>;
  waitAgents(callerId: string, agentIds: string[], timeoutSeconds: number | undefined, context: ToolContext): Promise<string>;
  sendMessage(callerId: string, agentId: string, message: string): string;
  interruptAgent(callerId: string, agentId: string): string;
  listAgents(callerId: string): string;
}

export const AGENT_TOOL_NAMES = ["spawn_agent", "wait_agents", "send_message", "interrupt_agent", "list_agents"] as const;

/* Module-level, like the workspace tools' schemas: converted to JSON schema once, not per agent. */
const SPAWN_AGENT_PARAMETERS = z.object({
  task: z.string().min(1).describe("What the subagent must do and what it must return"),
  name: z.string().min(1).max(60).optional().describe("Short label shown in the agent tree"),
  context: z.string().optional().describe("Background the subagent needs (it does not see your conversation)"),
  role: z
    .enum(["leaf", "orchestrator"])
    .optional()
    .describe("leaf (default) cannot spawn; orchestrator may spawn its own subagents if depth allows"),
  model: z.string().min(1).optional().describe('"<provider>:<model>", "vscode-lm:<vendor>/<family>", or a model of your provider'),
  timeout_seconds: z
    .number()
    .min(0)
    .max(MAX_TIMEOUT_SECONDS)
    .optional()
    .describe(`Seconds, at most ${MAX_TIMEOUT_SECONDS}. Foreground: 0 = no limit. Background: must be > 0`),
  background: z.boolean().optional().describe("Default false (or the agent type's default)"),
  agent_type: z
    .string()
    .min(1)
    .optional()
    .describe("Name of an agent type from your system prompt; omit for a general subagent"),
  isolation: z
    .enum(["none", "worktree"])
    .optional()
    .describe("worktree: the subagent edits its own git worktree; the user merges or discards its changes. Default: the user's setting"),
});

const WAIT_AGENTS_PARAMETERS = z.object({
  agent_ids: z.array(z.string().min(1)).min(1),
  timeout_seconds: z.number().positive().max(MAX_TIMEOUT_SECONDS).optional().describe("Stop waiting after this long"),
});

const SEND_MESSAGE_PARAMETERS = z.object({ agent_id: z.string().min(1), message: z.string().min(1) });

const INTERRUPT_AGENT_PARAMETERS = z.object({ agent_id: z.string().min(1) });

const LIST_AGENTS_PARAMETERS = z.object({});

/**
 * The agent tools (spawn, wait, message, interrupt, list). They are offered only to agents that may
 * spawn (the root, and orchestrators above the depth limit); a leaf gets
 * none of them, so it cannot fan out or steer other agents.
 */
export function createAgentTools(host: AgentToolHost, callerId: string): AgentTool[] {
  const spawnAgent = defineTool({
    name: "spawn_agent",
    description:
      "Start a subagent on a self-contained task. Foreground (default): waits and returns the subagent's result. " +
      "background=true: returns {agent_id, name, status} at once; collect the result later with wait_agents. " +
      "Several spawn_agent calls in one turn run in parallel. " +
      "agent_type picks one of the agent types listed in your system prompt (if any): the type supplies the subagent's " +
      "instructions, tools (never more than yours) and defaults for role, model, timeout and background; parameters you set explicitly win.",
    parameters: SPAWN_AGENT_PARAMETERS,
    execute(args, context) {
      const request: SpawnRequest = { task: args.task };
      if (args.role !== undefined) request.role = args.role;
      if (args.background !== undefined) request.background = args.background;
      if (args.agent_type !== undefined) request.agentType = args.agent_type;
      if (args.name !== undefined) request.name = args.name;
      if (args.context !== undefined) request.context = args.context;
      if (args.model !== undefined) request.model = args.model;
      if (args.timeout_seconds !== undefined) request.timeoutSeconds = args.timeout_seconds;
      if (args.isolation !== undefined) request.isolation = args.isolation;
      return host.spawnAgent(callerId, request, context);
    },
  });

  const waitAgents = defineTool({
    name: "wait_agents",
    description: "Wait for background subagents to finish; returns the status and result of each.",
    parameters: WAIT_AGENTS_PARAMETERS,
    execute(args, context) {
      return host.waitAgents(callerId, args.agent_ids, args.timeout_seconds, context);
    },
  });

  const sendMessage = defineTool({
    name: "send_message",
    description: "Send a follow-up message to one of your subagents; a finished subagent wakes and runs again.",
    parameters: SEND_MESSAGE_PARAMETERS,
    async execute(args) {
      return host.sendMessage(callerId, args.agent_id, args.message);
    },
  });

  const interruptAgent = defineTool({
    name: "interrupt_agent",
    description: "Stop one of your subagents and all of its descendants.",
    parameters: INTERRUPT_AGENT_PARAMETERS,
    async execute(args) {
      return host.interruptAgent(callerId, args.agent_id);
    },
  });

  const listAgents = defineTool({
    name: "list_agents",
    description: "List your subagents (your whole subtree) with their statuses.",
    parameters: LIST_AGENTS_PARAMETERS,
    async execute() {
      return host.listAgents(callerId);
    },
  });

  return [spawnAgent, waitAgents, sendMessage, interruptAgent, listAgents] as AgentTool[];
}
