import type { UserControls } from "../../core/agents/userControls";
import { formatAgentReport, formatDuration, reportText } from "../../core/agents/resultFormat";
import { isFinal } from "../../core/agents/status";
import type { AgentSnapshot } from "../../core/protocol/agentSnapshot";
import { showInvisibles } from "../../core/protocol/visibleText";
import type { Settings } from "../../core/settings/schema";
import { modelChoices } from "../agents/runTask";
import { validateTask } from "../agents/taskInput";

/**
 * Our scheduler as seen from another agent (Copilot agent mode, a chat
 * participant): start a root agent exactly like Run Task does — it is in the
 * tree with every control — and hand back what a parent agent would get.
 * No `vscode` here, so the rules are tested in plain Node.
 */

export const RUN_TOOL_NAME = "subagents_run";
export const STATUS_TOOL_NAME = "subagents_status";

/** Longest task text shown in a confirmation; the rest is counted, not hidden silently. */
const MAX_SHOWN_TASK_CHARS = 2000;

export interface DelegatedTask {
  task: string;
  modelRef: string;
}

/**
 * The tool's input comes from a model, so it is checked here: a task that is
 * not empty, and a model only from the user's own provider settings.
 */
export function parseDelegatedTask(input: unknown, settings: Settings): DelegatedTask | { problem: string } {
  const { task, model } = (typeof input === "object" && input !== null ? input : {}) as { task?: unknown; model?: unknown };
  if (typeof task !== "string") return { problem: "The input needs a `task` (text): what the root agent should do." };
  const problem = validateTask(task);
  if (problem) return { problem };
  const choices = modelChoices(settings);
  if (model !== undefined && model !== null && model !== "") {
    if (typeof model !== "string" || !choices.includes(model)) {
      return { problem: `Unknown model ${JSON.stringify(String(model)).slice(0, 200)}. Use one of: ${choices.join(", ") || "(none configured: set subagents.providers and subagents.model)"}.` };
    }
    return { task: task.trim(), modelRef: model };
  }
  const fallback = choices[0];
  if (!fallback) return { problem: "No model is configured. Set subagents.providers and subagents.model in your user settings." };
  return { task: task.trim(), modelRef: fallback };
}

/** The task as shown before it runs: invisible characters escaped, long text cut with a count. */
export function shownTask(task: string): string {
  const visible = showInvisibles(task);
  if (visible.length <= MAX_SHOWN_TASK_CHARS) return visible;
  return `${visible.slice(0, MAX_SHOWN_TASK_CHARS)}… (${visible.length - MAX_SHOWN_TASK_CHARS} more characters)`;
}

/** What the user confirms: what will run, on which model, and that it may edit and run commands. */
export function runConfirmation(task: DelegatedTask): { title: string; message: string } {
  return {
    title: "Run a Subagents task?",
    message:
      `A root agent on ${task.modelRef} will work on this task in the workspace, ` +
      "and may spawn subagents, edit files and ask to run commands (approvals stay in the Subagents tree):\n\n" +
      shownTask(task.task),
  };
}

/**
 * Runs the task as a root agent and returns its report (status, tokens,
 * result truncated like a child's result to its parent), redacted.
 * Aborting the signal interrupts the root and its subtree.
 */
export async function runDelegatedTask(
  controls: UserControls,
  task: DelegatedTask,
  options: { settings: () => Settings; redact: (text: string) => string; signal?: AbortSignal; reason?: string; onStarted?: (agentId: string) => void },
): Promise<{ agentId: string; final: AgentSnapshot; text: string }> {
  const { agentId, done } = controls.runRoot({ task: task.task, modelRef: task.modelRef });
  options.onStarted?.(agentId);
  const interrupt = () => {
    const root = controls.get(agentId);
    if (root && !isFinal(root.status)) controls.interrupt(agentId, options.reason ?? "cancelled by the caller");
  };
  if (options.signal?.aborted) interrupt();
  options.signal?.addEventListener("abort", interrupt);
  try {
    const final = await done;
    const settings = options.settings();
    const report = formatAgentReport(final, { maxChars: settings["results.maxChars"], maxPartialChars: settings["results.maxPartialChars"] });
    return { agentId, final, text: options.redact(reportText(report)) };
  } finally {
    options.signal?.removeEventListener("abort", interrupt);
  }
}

/** The tree as indented text lines: one per agent, with status, time and what it is doing. */
export function statusText(agents: readonly AgentSnapshot[], redact: (text: string) => string): string {
  if (agents.length === 0) return "No agents in the Subagents tree.";
  const byParent = new Map<string | null, AgentSnapshot[]>();
  for (const agent of agents) {
    const list = byParent.get(agent.parentId) ?? [];
    list.push(agent);
    byParent.set(agent.parentId, list);
  }
  const ids = new Set(agents.map((a) => a.id));
  const lines: string[] = [];
  const walk = (agent: AgentSnapshot, depth: number) => {
    const parts = [agent.status.replace("_", " "), formatDuration(agent.elapsedMs), `${agent.providerId}:${agent.model}`];
    if (agent.pendingApproval) parts.push("waiting for approval");
    else if (agent.currentTool) parts.push(`running ${agent.currentTool}`);
    lines.push(`${"  ".repeat(depth)}- ${showInvisibles(agent.name)} [${agent.id}]: ${parts.join(", ")}`);
    for (const child of byParent.get(agent.id) ?? []) walk(child, depth + 1);
  };
  // Roots, and agents whose parent is gone from the snapshot, start a branch.
  for (const agent of agents) if (agent.parentId === null || !ids.has(agent.parentId)) walk(agent, 0);
  const live = agents.filter((a) => !isFinal(a.status)).length;
  return redact(`${agents.length} agents (${live} not finished):\n${lines.join("\n")}`);
}
