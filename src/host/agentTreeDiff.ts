import type { AgentSnapshot, KeyPoolSummary } from "../core/protocol/agentSnapshot";

/**
 * Drift the webview may show before a running agent's elapsed time is resent.
 * The webview ticks elapsed time itself between messages, so an agent whose
 * only change is its clock would otherwise be resent on every flush.
 */
export const ELAPSED_TOLERANCE_MS = 1_000;

/** The last version of an agent that the webview received, and when. */
export interface SentAgent {
  readonly agent: AgentSnapshot;
  readonly sentAt: number;
}

export interface AgentDiff {
  upserts: AgentSnapshot[];
  removed: string[];
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  // Nested values (pendingApproval, recentTools) are small plain data.
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether the webview's copy of an agent is out of date, apart from elapsed time it extrapolates. */
export function agentChanged(sent: SentAgent, next: AgentSnapshot, now: number): boolean {
  const prev = sent.agent;
  if (prev === next) return false;
  // for…in over both objects instead of a key Set: this runs for every agent on every flush.
  let prevKeys = 0;
  for (const _key in prev) prevKeys++;
  let nextKeys = 0;
  for (const key in next) {
    nextKeys++;
    if (key === "elapsedMs") continue;
    const k = key as keyof AgentSnapshot;
    if (!sameValue(prev[k], next[k])) return true;
  }
  if (prevKeys !== nextKeys) return true;
  const expected = prev.elapsedMs + (prev.status === "running" ? now - sent.sentAt : 0);
  return Math.abs(next.elapsedMs - expected) > ELAPSED_TOLERANCE_MS;
}

/** Agents to (re)send and ids to drop so that the webview's copy matches `current`. */
export function diffAgents(
  sent: ReadonlyMap<string, SentAgent>,
  current: readonly AgentSnapshot[],
  now: number,
): AgentDiff {
  const upserts: AgentSnapshot[] = [];
  const seen = new Set<string>();
  for (const agent of current) {
    seen.add(agent.id);
    const previous = sent.get(agent.id);
    if (!previous || agentChanged(previous, agent, now)) upserts.push(agent);
  }
  const removed: string[] = [];
  for (const id of sent.keys()) if (!seen.has(id)) removed.push(id);
  return { upserts, removed };
}

export function sameKeySummary(a: readonly KeyPoolSummary[], b: readonly KeyPoolSummary[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
