import * as vscode from "vscode";
import type { UserControls } from "../../core/agents/userControls";
import { isFinal } from "../../core/agents/status";
import { MAX_TIMEOUT_SECONDS } from "../../core/common/timeLimits";
import { agentRowContextSchema } from "../../core/protocol/agentActions";
import type { AgentSnapshot } from "../../core/protocol/agentSnapshot";
import { agentPickItems, describeTimeout, parseTimeoutInput, type AgentPickItem } from "./agentPicks";

export interface AgentCommandDeps {
  supervisor: UserControls;
  openTranscript: (agentId: string) => Promise<void>;
}

const USER_REASON = "interrupted by the user";

/** Runs a supervisor call and shows its refusal (the supervisor words it for users). */
function attempt(action: () => void): boolean {
  try {
    action();
    return true;
  } catch (error) {
    void vscode.window.showErrorMessage(`Subagents: ${(error as Error).message}`);
    return false;
  }
}

/**
 * The agent id a command was given: a plain id (from code or a keybinding's
 * `args`), or the context object of a row in the tree's native context menu.
 */
export function agentIdArgument(arg: unknown): string | undefined {
  if (typeof arg === "string") return arg;
  const parsed = agentRowContextSchema.safeParse(arg);
  return parsed.success ? parsed.data.agentId : undefined;
}

/** The agent a command acts on: the id it was given (see agentIdArgument), or the user's pick. */
async function pickAgent(
  supervisor: UserControls,
  arg: unknown,
  which: "live" | "all",
  placeHolder: string,
): Promise<AgentSnapshot | undefined> {
  const agentId = agentIdArgument(arg);
  if (agentId !== undefined) {
    const agent = supervisor.get(agentId);
    if (!agent) void vscode.window.showWarningMessage("Subagents: that agent no longer exists.");
    return agent;
  }
  const items = agentPickItems(supervisor.snapshot(), which);
  if (items.length === 0) {
    void vscode.window.showInformationMessage(
      which === "live" ? "Subagents: no agent is running." : "Subagents: there are no agents yet. Start one with Subagents: Run Task…",
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick<AgentPickItem>(items, { placeHolder, matchOnDescription: true, matchOnDetail: true });
  return picked ? supervisor.get(picked.agentId) : undefined;
}

export function agentCommandHandlers(deps: AgentCommandDeps) {
  const { supervisor } = deps;
  return {
    async interruptAgent(target?: unknown): Promise<void> {
      const agent = await pickAgent(supervisor, target, "live", "Interrupt which agent? (its subagents stop too)");
      if (agent) attempt(() => supervisor.interrupt(agent.id, USER_REASON));
    },

    interruptAll(): void {
      if (supervisor.snapshot().every((a) => isFinal(a.status))) {
        void vscode.window.showInformationMessage("Subagents: no agent is running.");
        return;
      }
      attempt(() => supervisor.interruptAll(USER_REASON));
    },

    async setAgentTimeout(target?: unknown): Promise<void> {
      const agent = await pickAgent(supervisor, target, "live", "Set the time limit of which agent?");
      if (!agent) return;
      const text = await vscode.window.showInputBox({
        title: `Time limit for ${agent.name} (${describeTimeout(agent, Date.now())})`,
        prompt: agent.timeoutRemovable
          ? "Seconds from now (e.g. 600), +N to extend, 0 for no limit"
          : `Seconds from now (1–${MAX_TIMEOUT_SECONDS}), or +N to extend`,
        validateInput: (value) => {
          const parsed = parseTimeoutInput(value, agent.timeoutRemovable);
          return typeof parsed === "string" ? parsed : undefined;
        },
      });
      if (text === undefined) return;
      const change = parseTimeoutInput(text, agent.timeoutRemovable);
      if (typeof change === "string") return;
      attempt(() => {
        if (change.kind === "remove") supervisor.setTimeout(agent.id, null);
        else if (change.kind === "extend") supervisor.extendTimeout(agent.id, change.seconds);
        else supervisor.setTimeout(agent.id, change.seconds);
      });
    },

    togglePauseSpawning(): void {
      const paused = !supervisor.spawningPaused;
      if (!attempt(() => supervisor.setSpawningPaused(paused))) return;
      void vscode.window.showInformationMessage(
        paused
          ? "Subagents: spawning paused. New spawn_agent calls are refused; running agents continue."
          : "Subagents: spawning resumed.",
      );
    },

    async openTranscript(target?: unknown): Promise<void> {
      const agent = await pickAgent(supervisor, target, "all", "Open the transcript of which agent?");
      if (agent) await deps.openTranscript(agent.id);
    },

    clearFinished(): void {
      let removed = 0;
      if (!attempt(() => (removed = supervisor.clearFinished()))) return;
      void vscode.window.showInformationMessage(
        removed === 0 ? "Subagents: no finished agents to clear." : `Subagents: cleared ${removed} finished agent${removed === 1 ? "" : "s"}.`,
      );
    },
  };
}
