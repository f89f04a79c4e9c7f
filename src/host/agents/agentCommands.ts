import * as vscode from "vscode";
import type { UserControls } from "../../core/agents/userControls";
import { isFinal } from "../../core/agents/status";
import { MAX_TIMEOUT_SECONDS } from "../../core/common/timeLimits";
import type { AgentSnapshot } from "../../core/protocol/agentSnapshot";
import { agentPickItems, describeTimeout, parseTimeoutInput, type AgentPickItem } from "./agentPicks";

export interface AgentCommandDeps {
  service: UserControls;
  openTranscript: (agentId: string) => Promise<void>;
}

const USER_REASON = "interrupted by the user";

/** Runs a service call and shows its refusal (the service words it for users). */
function attempt(action: () => void): boolean {
  try {
    action();
    return true;
  } catch (error) {
    void vscode.window.showErrorMessage(`Subagents: ${(error as Error).message}`);
    return false;
  }
}

/** The agent a command acts on: the id passed by the tree, or the user's pick. */
async function pickAgent(
  service: UserControls,
  agentId: unknown,
  which: "live" | "all",
  placeHolder: string,
): Promise<AgentSnapshot | undefined> {
  if (typeof agentId === "string") {
    const agent = service.get(agentId);
    if (!agent) void vscode.window.showWarningMessage("Subagents: that agent no longer exists.");
    return agent;
  }
  const items = agentPickItems(service.snapshot(), which);
  if (items.length === 0) {
    void vscode.window.showInformationMessage(
      which === "live" ? "Subagents: no agent is running." : "Subagents: there are no agents yet. Start one with Subagents: Run Task…",
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick<AgentPickItem>(items, { placeHolder, matchOnDescription: true, matchOnDetail: true });
  return picked ? service.get(picked.agentId) : undefined;
}

export function agentCommandHandlers(deps: AgentCommandDeps) {
  const { service } = deps;
  return {
    async interruptAgent(agentId?: unknown): Promise<void> {
      const agent = await pickAgent(service, agentId, "live", "Interrupt which agent? (its subagents stop too)");
      if (agent) attempt(() => service.interrupt(agent.id, USER_REASON));
    },

    interruptAll(): void {
      if (service.snapshot().every((a) => isFinal(a.status))) {
        void vscode.window.showInformationMessage("Subagents: no agent is running.");
        return;
      }
      attempt(() => service.interruptAll(USER_REASON));
    },

    async setAgentTimeout(agentId?: unknown): Promise<void> {
      const agent = await pickAgent(service, agentId, "live", "Set the time limit of which agent?");
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
        if (change.kind === "remove") service.setTimeout(agent.id, null);
        else if (change.kind === "extend") service.extendTimeout(agent.id, change.seconds);
        else service.setTimeout(agent.id, change.seconds);
      });
    },

    togglePauseSpawning(): void {
      const paused = !service.spawningPaused;
      if (!attempt(() => service.setSpawningPaused(paused))) return;
      void vscode.window.showInformationMessage(
        paused
          ? "Subagents: spawning paused. New spawn_agent calls are refused; running agents continue."
          : "Subagents: spawning resumed.",
      );
    },

    async openTranscript(agentId?: unknown): Promise<void> {
      const agent = await pickAgent(service, agentId, "all", "Open the transcript of which agent?");
      if (agent) await deps.openTranscript(agent.id);
    },

    clearFinished(): void {
      let removed = 0;
      if (!attempt(() => (removed = service.clearFinished()))) return;
      void vscode.window.showInformationMessage(
        removed === 0 ? "Subagents: no finished agents to clear." : `Subagents: cleared ${removed} finished agent${removed === 1 ? "" : "s"}.`,
      );
    },
  };
}
