/** The public status vocabulary. Users, docs, tests and the tree rely on these names, so they do not change. */
export const AGENT_STATUSES = [
  "pending_init",
  "queued",
  "running",
  "waiting",
  "completed",
  "failed",
  "timed_out",
  "interrupted",
] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<AgentStatus> = new Set([
  "completed",
  "failed",
  "timed_out",
  "interrupted",
]);

export function isFinal(status: AgentStatus): boolean {
  return FINAL_STATUSES.has(status);
}

export type AgentRole = "root" | "orchestrator" | "leaf";
