import type { ReasoningEffort } from "../common/reasoningEffort";
import type { AgentSnapshot } from "../protocol/agentSnapshot";
import type { WorktreeInfo } from "../isolation/agentWorkspaces";
import type { AgentRole, AgentStatus } from "./status";
import type { BudgetRaise } from "./taskLimits";

export interface RecentTool {
  name: string;
  preview: string;
  ok?: boolean;
}

/**
 * The registry's mutable state of one agent. Only the AgentRegistry hands out
 * copies of it (as `AgentSnapshot`); runtime objects (abort controllers,
 * leases, conversations) live with the run, not here, so a finished agent
 * costs only this record.
 */
export interface AgentRecord {
  readonly id: string;
  name: string;
  readonly parentId: string | null;
  readonly rootId: string;
  readonly depth: number;
  readonly role: AgentRole;
  agentType?: string;
  /** Tool allow-list from the agent type or an ancestor's; undefined = every tool its role allows. */
  allowedTools?: readonly string[];
  /** Turn budget from the agent type; undefined = `subagents.maxTurns`, read when a run starts. */
  maxTurns?: number;
  /** Reasoning effort from the agent type; undefined = the model entry's or the provider's. */
  reasoningEffort?: ReasoningEffort;
  /** The effort its model calls went with when its latest run started (the type's, the model entry's or the provider's), for display. */
  effort?: ReasoningEffort;
  readonly task: string;
  context?: string;
  providerId: string;
  model: string;
  readonly background: boolean;
  status: AgentStatus;
  statusReason?: string;
  readonly createdAt: number;
  startedAt?: number;
  endedAt?: number;
  /** Time of earlier runs; while a run is active, `now - runStartedAt` is added. */
  elapsedBeforeRunMs: number;
  runStartedAt?: number;
  /** Time spent in `pending_init` or `queued` (all runs); while queued, `now - queuedSince` is added. */
  queuedMs: number;
  queuedSince?: number;
  tokensIn: number;
  /** Of `tokensIn`, those the provider served from its prompt cache. */
  cachedTokensIn: number;
  tokensOut: number;
  toolCount: number;
  /** How often the conversation was compacted (all runs). */
  compactions?: number;
  currentTool?: string;
  lastEvent?: string;
  keyFingerprint?: string;
  /** Configured limit of each run; `undefined` = no limit (never for background agents). */
  timeoutSeconds: number | undefined;
  timeoutAt?: number;
  /** Set while the deadline is paused (startup, queued): the work time left. */
  timeoutPausedLeftMs?: number;
  /** The current run continued by itself after a window reload. */
  resumedAfterReload?: boolean;
  stale: boolean;
  pendingApproval?: { requestId: string; command: string; cwd?: string; diff?: string };
  result?: string;
  error?: string;
  recentTools: RecentTool[];
  readonly childIds: string[];
  /** Runs in its own git worktree; `worktree` is set once it exists and cleared by Merge or Discard. */
  isolation?: "worktree";
  worktree?: WorktreeInfo;
  /** On a root: limits the user raised for this task from the tree (on top of subagents.budget.*). */
  budgetRaise?: BudgetRaise;
}

export const RECENT_TOOLS_KEPT = 5;

/** The identity of a new agent; everything else starts from zero. */
export type NewAgentFields = Pick<
  AgentRecord,
  "id" | "name" | "parentId" | "rootId" | "depth" | "role" | "task" | "providerId" | "model" | "background" | "createdAt" | "timeoutSeconds"
>;

/** A just-registered agent: `pending_init`, no time, tokens or tools yet. */
export function newAgentRecord(fields: NewAgentFields): AgentRecord {
  return {
    ...fields,
    status: "pending_init",
    elapsedBeforeRunMs: 0,
    queuedMs: 0,
    tokensIn: 0,
    cachedTokensIn: 0,
    tokensOut: 0,
    toolCount: 0,
    stale: false,
    recentTools: [],
    childIds: [],
  };
}

export function elapsedMs(record: AgentRecord, now: number): number {
  const current = record.runStartedAt !== undefined ? now - record.runStartedAt : 0;
  return record.elapsedBeforeRunMs + Math.max(0, current);
}

export function queuedMsAt(record: AgentRecord, now: number): number {
  const current = record.queuedSince !== undefined ? now - record.queuedSince : 0;
  return record.queuedMs + Math.max(0, current);
}

/** Totals of an agent and its descendants, summed by the registry. */
export interface SubtreeTotals {
  in: number;
  /** Of `in`, served from prompt caches. */
  cached?: number;
  out: number;
  /** USD of the priced agents in the subtree; undefined when none is priced. */
  costUsd?: number | undefined;
}

/**
 * Copies a record into the public snapshot shape (subtree totals are filled in
 * by the registry; `costUsd` is the agent's own cost when its model is priced).
 */
export function toSnapshot(record: AgentRecord, now: number, subtree: SubtreeTotals, costUsd?: number): AgentSnapshot {
  const snapshot: AgentSnapshot = {
    id: record.id,
    name: record.name,
    parentId: record.parentId,
    rootId: record.rootId,
    depth: record.depth,
    role: record.role,
    task: record.task,
    providerId: record.providerId,
    model: record.model,
    status: record.status,
    background: record.background,
    createdAt: record.createdAt,
    elapsedMs: elapsedMs(record, now),
    tokensIn: record.tokensIn,
    tokensOut: record.tokensOut,
    subtreeTokensIn: subtree.in,
    subtreeTokensOut: subtree.out,
    toolCount: record.toolCount,
    timeoutRemovable: !record.background,
    stale: record.stale,
  };
  const queued = queuedMsAt(record, now);
  if (queued > 0 || record.queuedSince !== undefined) snapshot.queuedMs = queued;
  if (costUsd !== undefined) snapshot.costUsd = costUsd;
  if (record.cachedTokensIn > 0) snapshot.cachedTokensIn = record.cachedTokensIn;
  if (subtree.cached !== undefined && subtree.cached > 0) snapshot.subtreeCachedTokensIn = subtree.cached;
  if (subtree.costUsd !== undefined) snapshot.subtreeCostUsd = subtree.costUsd;
  if (record.agentType !== undefined) snapshot.agentType = record.agentType;
  if (record.allowedTools !== undefined) snapshot.allowedTools = [...record.allowedTools];
  if (record.maxTurns !== undefined) snapshot.maxTurns = record.maxTurns;
  if (record.reasoningEffort !== undefined) snapshot.reasoningEffort = record.reasoningEffort;
  if (record.effort !== undefined) snapshot.effort = record.effort;
  if (record.compactions !== undefined && record.compactions > 0) snapshot.compactions = record.compactions;
  if (record.statusReason !== undefined) snapshot.statusReason = record.statusReason;
  if (record.startedAt !== undefined) snapshot.startedAt = record.startedAt;
  if (record.endedAt !== undefined) snapshot.endedAt = record.endedAt;
  if (record.currentTool !== undefined) snapshot.currentTool = record.currentTool;
  if (record.lastEvent !== undefined) snapshot.lastEvent = record.lastEvent;
  if (record.keyFingerprint !== undefined) snapshot.keyFingerprint = record.keyFingerprint;
  if (record.timeoutAt !== undefined) snapshot.timeoutAt = record.timeoutAt;
  if (record.timeoutPausedLeftMs !== undefined) snapshot.timeoutPausedLeftMs = record.timeoutPausedLeftMs;
  if (record.timeoutAt !== undefined) snapshot.timeoutLeftMs = record.timeoutPausedLeftMs ?? Math.max(0, record.timeoutAt - now);
  if (record.resumedAfterReload) snapshot.resumedAfterReload = true;
  if (record.pendingApproval !== undefined) snapshot.pendingApproval = { ...record.pendingApproval };
  if (record.result !== undefined) snapshot.result = record.result;
  if (record.error !== undefined) snapshot.error = record.error;
  if (record.recentTools.length > 0) snapshot.recentTools = record.recentTools.map((t) => ({ ...t }));
  if (record.isolation !== undefined) snapshot.isolation = record.isolation;
  if (record.worktree !== undefined) snapshot.worktree = { ...record.worktree };
  if (record.budgetRaise !== undefined) snapshot.budgetRaise = { ...record.budgetRaise };
  return snapshot;
}

/** Rebuilds a record from a persisted snapshot (window reload). */
export function fromSnapshot(snapshot: AgentSnapshot, defaults: { backgroundSeconds: number; foregroundSeconds: number }): AgentRecord {
  const record: AgentRecord = {
    id: snapshot.id,
    name: snapshot.name,
    parentId: snapshot.parentId,
    rootId: snapshot.rootId,
    depth: snapshot.depth,
    role: snapshot.role,
    task: snapshot.task,
    providerId: snapshot.providerId,
    model: snapshot.model,
    background: snapshot.background,
    status: snapshot.status,
    createdAt: snapshot.createdAt,
    elapsedBeforeRunMs: snapshot.elapsedMs,
    queuedMs: snapshot.queuedMs ?? 0,
    tokensIn: snapshot.tokensIn,
    cachedTokensIn: snapshot.cachedTokensIn ?? 0,
    tokensOut: snapshot.tokensOut,
    toolCount: snapshot.toolCount,
    timeoutSeconds: snapshot.background
      ? defaults.backgroundSeconds
      : snapshot.role === "root" || defaults.foregroundSeconds === 0
        ? undefined
        : defaults.foregroundSeconds,
    stale: false,
    recentTools: (snapshot.recentTools ?? []).map((t) => ({
      name: t.name,
      preview: t.preview,
      ...(t.ok !== undefined ? { ok: t.ok } : {}),
    })),
    childIds: [],
  };
  if (snapshot.agentType !== undefined) record.agentType = snapshot.agentType;
  if (snapshot.allowedTools !== undefined) record.allowedTools = [...snapshot.allowedTools];
  if (snapshot.maxTurns !== undefined) record.maxTurns = snapshot.maxTurns;
  if (snapshot.reasoningEffort !== undefined) record.reasoningEffort = snapshot.reasoningEffort;
  if (snapshot.effort !== undefined) record.effort = snapshot.effort;
  if (snapshot.compactions !== undefined) record.compactions = snapshot.compactions;
  if (snapshot.statusReason !== undefined) record.statusReason = snapshot.statusReason;
  if (snapshot.startedAt !== undefined) record.startedAt = snapshot.startedAt;
  if (snapshot.endedAt !== undefined) record.endedAt = snapshot.endedAt;
  if (snapshot.lastEvent !== undefined) record.lastEvent = snapshot.lastEvent;
  if (snapshot.keyFingerprint !== undefined) record.keyFingerprint = snapshot.keyFingerprint;
  if (snapshot.result !== undefined) record.result = snapshot.result;
  if (snapshot.error !== undefined) record.error = snapshot.error;
  if (snapshot.isolation !== undefined) record.isolation = snapshot.isolation;
  if (snapshot.worktree !== undefined) record.worktree = { ...snapshot.worktree };
  const raise = snapshot.parentId === null ? snapshot.budgetRaise : undefined;
  if (raise !== undefined) {
    record.budgetRaise = {
      ...(raise.maxTokens !== undefined ? { maxTokens: raise.maxTokens } : {}),
      ...(raise.maxCostUsd !== undefined ? { maxCostUsd: raise.maxCostUsd } : {}),
    };
  }
  return record;
}
