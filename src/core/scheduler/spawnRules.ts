import type { AgentRole } from "../agents/status";

/**
 * Depth and role rules: `maxSpawnDepth` counts levels below the
 * root, so with the default 1 the root's children are leaves. The root may
 * always spawn; an orchestrator may spawn while its depth is below the limit;
 * a leaf never gets the agent tools.
 */
export function canSpawn(agent: { role: AgentRole; depth: number }, maxSpawnDepth: number): boolean {
  if (agent.role === "root") return true;
  return agent.role === "orchestrator" && agent.depth < maxSpawnDepth;
}

/** Why a child of this role cannot be created at `childDepth`, or undefined when it can. */
export function childRoleProblem(role: "leaf" | "orchestrator", childDepth: number, maxSpawnDepth: number): string | undefined {
  if (childDepth > maxSpawnDepth) {
    return `agents at depth ${childDepth - 1} cannot spawn (subagents.maxSpawnDepth is ${maxSpawnDepth}); do the work yourself`;
  }
  if (role === "orchestrator" && childDepth >= maxSpawnDepth) {
    return (
      `role "orchestrator" is not possible here: subagents.maxSpawnDepth is ${maxSpawnDepth}, so an agent at depth ` +
      `${childDepth} could not spawn. Spawn it as a leaf (omit role).`
    );
  }
  return undefined;
}

/**
 * Bounded queueing: a spawn or resume that would have to wait for a slot is
 * accepted while fewer than `maxQueued` agents would be waiting. Beyond that,
 * returns what is wrong; the caller adds advice for whoever asked (an agent's
 * tool call or the user).
 */
export function queueOverflow(state: { waiting: number; held: number; globalCap: number; maxQueued: number }): string | undefined {
  const free = Math.max(0, state.globalCap - state.held);
  const wouldWait = Math.max(0, state.waiting + 1 - free);
  if (wouldWait <= state.maxQueued) return undefined;
  return `${state.waiting} agents are already waiting for an execution slot (subagents.maxQueuedAgents is ${state.maxQueued}).`;
}

/** What a model can do about a full queue. */
export const QUEUE_FULL_ADVICE_FOR_AGENTS =
  "Wait for some of your agents to finish (wait_agents) before spawning more, or do this part yourself.";
/** What a user can do about a full queue. */
export const QUEUE_FULL_ADVICE_FOR_USERS = "Try again when some agents have finished, or raise subagents.maxQueuedAgents.";

export const SPAWNING_PAUSED_MESSAGE =
  "Spawning is paused by the user (Subagents: Pause/Resume Spawning). Continue without spawning new agents, " +
  "or finish with what you have; agents that already run are not affected.";
