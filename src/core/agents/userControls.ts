import type { Event } from "../common/emitter";
import type { AgentSnapshot } from "../protocol/agentSnapshot";
import type { BudgetKind } from "./taskLimits";

/**
 * What a user may see and do with agents, through the host's commands and the
 * tree view (the agents' own tools go through SubagentControl instead).
 * AgentSupervisor implements it; host code depends only on this, so its tests
 * pass a fake.
 * Methods that refuse (unknown id, final agent, bad timeout) throw an Error
 * whose message is fit to show to the user.
 */
export interface UserControls {
  /** Fires after any change of the tree; listeners coalesce as they need. */
  readonly onDidChange: Event<void>;
  snapshot(): AgentSnapshot[];
  get(agentId: string): AgentSnapshot | undefined;

  /** Starts a root agent; `done` settles with its final snapshot (never rejects). */
  runRoot(options: { task: string; modelRef?: string }): { agentId: string; done: Promise<AgentSnapshot> };

  /** Stops the agent and its descendants. */
  interrupt(agentId: string, reason?: string): void;
  interruptAll(reason?: string): void;
  /**
   * Sets the limit to `seconds` from now: whole seconds from 1 to
   * MAX_TIMEOUT_SECONDS (core/common/timeLimits.ts). `null` or 0 removes the
   * limit (foreground agents only).
   */
  setTimeout(agentId: string, seconds: number | null): void;
  /** Adds `seconds` (same range as setTimeout) to the current limit, or to now when there is none. */
  extendTimeout(agentId: string, seconds: number): void;
  /**
   * Queues input; an idle or finished agent wakes and runs again. `modelRef`
   * (`"<provider>:<model>"`) re-targets a finished agent's new run; it is
   * kept only when the resume is accepted.
   */
  sendMessage(agentId: string, message: string, options?: { modelRef?: string }): void;
  /** Answers a pending `run_command` approval shown in the tree. */
  resolveApproval(requestId: string, decision: "approved" | "denied"): void;

  /**
   * Raises the budget of one task (a root and its subtree) to `value` tokens
   * or USD; the setting is not changed. Refused unless `agentId` is a root
   * whose task has a limit of that kind and `value` is above both that limit
   * and what the task has spent. Once the task is within its budget again,
   * subagents may start and every live agent that was told to wrap up hears
   * that it may go on. The raise is saved with the tree.
   */
  raiseBudget(agentId: string, kind: BudgetKind, value: number): void;

  readonly spawningPaused: boolean;
  setSpawningPaused(paused: boolean): void;
  /** Removes finished root trees; returns how many agents were removed. */
  clearFinished(): number;
}
