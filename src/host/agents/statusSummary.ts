import { isFinal } from "../../core/agents/status";
import type { AgentSnapshot, KeyPoolSummary } from "../../core/protocol/agentSnapshot";

export interface ContextKeyValues {
  "subagents.hasAgents": boolean;
  "subagents.hasRunningAgents": boolean;
  "subagents.hasFinishedAgents": boolean;
}

/** The `when`-clause keys of package.json, computed from the tree. */
export function contextKeyValues(agents: readonly AgentSnapshot[]): ContextKeyValues {
  return {
    "subagents.hasAgents": agents.length > 0,
    "subagents.hasRunningAgents": agents.some((a) => !isFinal(a.status)),
    "subagents.hasFinishedAgents": agents.some((a) => a.parentId === null && isFinal(a.status)),
  };
}

export interface AgentCounts {
  /** Working or waiting on children/approval: everything live that is not queued. */
  running: number;
  queued: number;
  awaitingApproval: number;
}

export function countAgents(agents: readonly AgentSnapshot[]): AgentCounts {
  let running = 0;
  let queued = 0;
  let awaitingApproval = 0;
  for (const a of agents) {
    if (a.status === "queued") queued++;
    else if (!isFinal(a.status)) running++;
    if (a.pendingApproval) awaitingApproval++;
  }
  return { running, queued, awaitingApproval };
}

export interface StatusBarModel {
  text: string;
  tooltip: string;
  /** True when an agent waits for the user to approve a command. */
  attention: boolean;
}

export function statusBarModel(agents: readonly AgentSnapshot[], keys: readonly KeyPoolSummary[], paused: boolean): StatusBarModel {
  const counts = countAgents(agents);
  const healthy = keys.reduce((sum, k) => sum + k.healthy, 0);
  const parts = [`$(hubot) ${counts.running}`];
  if (counts.queued > 0) parts.push(`$(clock) ${counts.queued}`);
  if (counts.awaitingApproval > 0) parts.push(`$(question) ${counts.awaitingApproval}`);
  parts.push(`$(key) ${healthy}`);
  if (paused) parts.push("$(debug-pause)");
  const keyLines = keys.map(
    (k) => `${k.providerId}: ${k.healthy} healthy${k.cooling ? `, ${k.cooling} cooling down` : ""}${k.invalid ? `, ${k.invalid} invalid` : ""}`,
  );
  const tooltip = [
    `Subagents: ${counts.running} running, ${counts.queued} queued${counts.awaitingApproval ? `, ${counts.awaitingApproval} waiting for approval` : ""}`,
    paused ? "Spawning is paused." : "",
    keyLines.length > 0 ? `Keys: ${keyLines.join("; ")}` : "No API keys yet: run Subagents: Add API Key…",
  ]
    .filter((l) => l !== "")
    .join("\n");
  return { text: parts.join(" "), tooltip, attention: counts.awaitingApproval > 0 };
}
