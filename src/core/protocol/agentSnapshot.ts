import { REASONING_EFFORTS } from "../common/reasoningEffort";
import * as z from "zod";
import { AGENT_STATUSES } from "../agents/status";

/**
 * What the UI (tree view, quick picks, status bar) may know about one agent.
 * Built by the AgentRegistry; never holds a key, only its fingerprint.
 */
export const agentSnapshotSchema = z.object({
  id: z.string(),
  name: z.string(),
  parentId: z.string().nullable(),
  rootId: z.string(),
  depth: z.number().int().min(0),
  role: z.enum(["root", "orchestrator", "leaf"]),
  agentType: z.string().optional(),
  /** Tools the agent may use when its type (or an ancestor's) narrowed them; absent = all its role allows. */
  allowedTools: z.array(z.string()).optional(),
  /** The agent type's turn budget (kept so a reload keeps it); absent = `subagents.maxTurns`. */
  maxTurns: z.number().int().positive().optional(),
  /** The agent type's reasoning effort (kept so a reload keeps it); absent = the model entry's or the provider's. */
  reasoningEffort: z.enum(REASONING_EFFORTS).optional(),
  /** The reasoning effort its model calls went with when its latest run started, whoever set it; absent = none was sent. */
  effort: z.enum(REASONING_EFFORTS).optional(),
  task: z.string(),
  providerId: z.string(),
  model: z.string(),
  status: z.enum(AGENT_STATUSES),
  statusReason: z.string().optional(),
  background: z.boolean(),
  createdAt: z.number(),
  startedAt: z.number().optional(),
  endedAt: z.number().optional(),
  /** Milliseconds of work so far (frozen once final). */
  elapsedMs: z.number(),
  /** Milliseconds of `elapsedMs` spent in startup or queued for a slot (not counted by the timeout); absent = none. */
  queuedMs: z.number().min(0).optional(),
  tokensIn: z.number(),
  /** Of tokensIn, served from the provider's prompt cache; absent when none. */
  cachedTokensIn: z.number().optional(),
  tokensOut: z.number(),
  /** Own tokens plus every descendant's. */
  subtreeTokensIn: z.number(),
  subtreeTokensOut: z.number(),
  subtreeCachedTokensIn: z.number().optional(),
  /** USD of the agent's own tokens; absent when its model has no configured price. */
  costUsd: z.number().min(0).optional(),
  /** USD of the subtree's priced agents (unpriced ones count as nothing); absent when none is priced. */
  subtreeCostUsd: z.number().min(0).optional(),
  /** On a root: the task's limits (subagents.budget.*, or raised), to show spend against them; `reached` once spent. */
  budget: z
    .object({ maxTokens: z.number().int().positive().optional(), maxCostUsd: z.number().positive().optional(), reached: z.boolean().optional() })
    .optional(),
  /** On a root: the limits the user raised for this task (kept so a reload keeps them). */
  budgetRaise: z.object({ maxTokens: z.number().int().positive().optional(), maxCostUsd: z.number().positive().optional() }).optional(),
  toolCount: z.number(),
  /** How often the agent's conversation was compacted to fit its model's context window; absent = never. */
  compactions: z.number().int().positive().optional(),
  currentTool: z.string().optional(),
  lastEvent: z.string().optional(),
  keyFingerprint: z.string().optional(),
  /** Epoch ms when the timeout fires; absent = no limit. */
  timeoutAt: z.number().optional(),
  /** Present while the timeout is paused (startup, queued): the work time it leaves. */
  timeoutPausedLeftMs: z.number().min(0).optional(),
  /** Work time the timeout had left when this copy was made (what a reload continues with); absent = no limit. */
  timeoutLeftMs: z.number().min(0).optional(),
  /** The agent's run continued by itself after a window reload. */
  resumedAfterReload: z.boolean().optional(),
  /** Whether the timeout may be removed (foreground only). */
  timeoutRemovable: z.boolean(),
  stale: z.boolean(),
  pendingApproval: z
    .object({
      requestId: z.string(),
      /** The command, or for a write to a protected path the tool and the path. */
      command: z.string(),
      cwd: z.string().optional(),
      /** The unified diff of a write to a protected path. */
      diff: z.string().optional(),
    })
    .optional(),
  /** Files this agent created, edited or deleted that are still under review (contents stay in the host). */
  changedFiles: z.number().int().min(0).optional(),
  /** Distinct such files of the agent and its descendants. */
  subtreeChangedFiles: z.number().int().min(0).optional(),
  /** The agent's own changed files (paths and kinds only, at most MAX_LISTED_CHANGES), for the detail pane. */
  changes: z
    .array(z.object({ path: z.string(), kind: z.enum(["created", "modified", "deleted"]) }))
    .optional(),
  /** The agent runs in its own git worktree. */
  isolation: z.literal("worktree").optional(),
  /** Its worktree while it exists (until Merge or Discard). */
  worktree: z.object({ path: z.string(), branch: z.string(), base: z.string() }).optional(),
  result: z.string().optional(),
  error: z.string().optional(),
  recentTools: z
    .array(z.object({ name: z.string(), preview: z.string(), ok: z.boolean().optional() }))
    .optional(),
});
export type AgentSnapshot = z.infer<typeof agentSnapshotSchema>;

export const keyPoolSummarySchema = z.object({
  providerId: z.string(),
  healthy: z.number().int(),
  cooling: z.number().int(),
  invalid: z.number().int(),
});
export type KeyPoolSummary = z.infer<typeof keyPoolSummarySchema>;
