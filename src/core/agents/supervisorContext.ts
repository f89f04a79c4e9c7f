import type { ReasoningEffort } from "../common/reasoningEffort";
import type { Clock } from "../common/clock";
import type { Logger } from "../common/logger";
import type { ModelClient } from "../llm/modelClient";
import type { AgentSnapshot } from "../protocol/agentSnapshot";
import type { Settings } from "../settings/schema";
import type { WorkspaceTools } from "../tools/workspaceTools";
import type { ExtensionToolHost } from "../tools/extensionTools";
import type { ChangeRecorder } from "../changes/agentChanges";
import type { ChangeStore } from "../changes/fileChange";
import type { AgentWorkspaces, WorktreeProvider } from "../isolation/agentWorkspaces";
import type { TreeStore } from "./treePersistence";
import type { ToolOutputStore } from "./storedToolOutputs";
import type { TranscriptStore } from "./transcript";

/** What a subagent's startup asks of the agent-definition layer (another issue plugs in here). */
export interface AgentStartupRequest {
  agent: AgentSnapshot;
  /** The `agent_type` the parent asked for, when spawn_agent gets that parameter. */
  agentType?: string;
  signal: AbortSignal;
}

export interface AgentStartupOverrides {
  systemPrompt?: string;
  /** `"<provider>:<model>"`; wins over the spawn's `model` parameter. */
  modelRef?: string;
  /** Restricts the tool set to these names (agent tools still follow depth rules). */
  toolNames?: readonly string[];
  /** Label shown in the tree for the agent type. */
  agentType?: string;
}

/** Runs during every subagent's startup (status `pending_init`); may be slow, may throw. */
export type AgentStartupHook = (request: AgentStartupRequest) => Promise<AgentStartupOverrides | undefined>;

/** What a `spawn_agent` call set explicitly; explicit values win over an agent type's defaults. */
export interface AgentTypeRequest {
  role?: "leaf" | "orchestrator";
  model?: string;
  timeoutSeconds?: number;
  background?: boolean;
  isolation?: "none" | "worktree";
}

/** A known agent type applied to one spawn (see applyAgentDefinition in core/definitions). */
export interface ResolvedAgentType extends AgentTypeRequest {
  /** The type's name as defined (its canonical spelling). */
  agentType: string;
  /** Replaces the generated system prompt when not empty. */
  systemPrompt: string;
  /** The parent's tools narrowed by the type's allow-list. */
  tools: string[];
  /** Tools the type asked for that the parent lacks (not granted). */
  notGranted: string[];
  /** The type's turn budget; undefined = `subagents.maxTurns`. */
  maxTurns?: number;
  /** The type's reasoning effort; undefined = the model entry's or the provider's. */
  reasoningEffort?: ReasoningEffort;
}

/**
 * The agent types (definition files) as the supervisor sees them. Consulted
 * synchronously when `spawn_agent` names an `agent_type`, because the type's
 * role, timeout and background defaults decide how the child is registered;
 * an unknown type still registers the child, whose startup then fails with
 * `error` (so the parent gets the reason like any other startup failure).
 */
export interface AgentTypeResolver {
  resolve(agentType: string, request: AgentTypeRequest, parentTools: readonly string[]): ResolvedAgentType | { error: string };
  /** The paragraph of a spawning agent's system prompt that lists the types ("" = none), read when the agent starts. */
  describe(): string;
}

export interface SupervisorDeps {
  /** Read on every use, so settings changes apply to running agents at their next step. */
  settings: () => Settings;
  modelClient: ModelClient;
  workspace: WorkspaceTools;
  transcripts: TranscriptStore;
  /** Where tool results over `results.maxToolChars` are kept whole; without it the model gets head and tail only. */
  toolOutputs?: ToolOutputStore;
  /** VS Code's tools of other extensions and MCP servers; agents get those `subagents.extensionTools` matches. */
  extensionTools?: ExtensionToolHost;
  /** When given, the tree is restored from it at start and saved as it changes. */
  treeStore?: TreeStore;
  /** When given, the agents' change sets are restored from it at start and saved on every change. */
  changeStore?: ChangeStore;
  /** Git worktrees for agents spawned with `isolation: "worktree"`; without it such spawns fail with a clear error. */
  worktrees?: WorktreeProvider;
  /** Keys of a provider that are not invalid; drives the per-provider cap. */
  usableKeyCount: (providerId: string) => number;
  clock?: Clock;
  logger?: Logger;
  resolveAgentType?: AgentStartupHook;
  /** Agent types for `spawn_agent`'s `agent_type` (core/definitions/agentTypeResolver.ts adapts definition files). */
  agentTypes?: AgentTypeResolver;
  /** Factor of the per-provider cap formula (default SLOTS_PER_KEY, see providerCap). */
  slotsPerKey?: number;
  /** Period of the stale check (default: a quarter of the smaller threshold, 0.25–5 s). */
  staleCheckMs?: number;
  /** Longest delay before a tree change is saved (default TREE_SAVE_DELAY_MS); final statuses save at once. */
  treeSaveDelayMs?: number;
}

/** The resolved dependencies shared by the parts of the supervisor. */
export interface SupervisorContext {
  readonly settings: () => Settings;
  readonly modelClient: ModelClient;
  readonly workspace: WorkspaceTools;
  readonly transcripts: TranscriptStore;
  readonly toolOutputs: ToolOutputStore | undefined;
  readonly extensionTools?: ExtensionToolHost | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly agentTypes: AgentTypeResolver | undefined;
  /** Where the workspace tools report each file an agent changed. */
  readonly changes?: ChangeRecorder;
  /** The workspace of each agent: shared, or its own worktree. */
  readonly workspaces?: AgentWorkspaces;
}
