import type { SlotLease } from "../scheduler/executionSlots";
import type { PartialOutput } from "./resultFormat";

/**
 * The live part of one run of one agent; dropped when the run ends. AgentRuns
 * creates it; it lives in its own file so the loop hooks and the run builder
 * can read a run without importing AgentRuns, which imports them.
 */
export interface ActiveRun {
  readonly agentId: string;
  readonly abort: AbortController;
  readonly done: Promise<void>;
  readonly partial: PartialOutput;
  readonly runningTools: string[];
  resolveDone(): void;
  lease: SlotLease | undefined;
  slotWait: Promise<void> | undefined;
  waits: number;
  /** Work time the current deadline grants in all (for the timeout message); undefined = no limit. */
  workBudgetMs: number | undefined;
  ended: boolean;
  /** The agent was told its task's budget is spent; cleared when the user raises it, so a second overrun tells it again. */
  toldBudgetSpent: boolean;
}
