import * as vscode from "vscode";
import type { UserControls } from "../../core/agents/userControls";
import { Disposable } from "../../core/common/disposable";
import type { Logger } from "../../core/common/logger";
import type { AgentSnapshot } from "../../core/protocol/agentSnapshot";

export interface ApprovalToShow {
  requestId: string;
  agentId: string;
  agentName: string;
  command: string;
  cwd?: string;
}

/**
 * Which pending approvals get a notification: only root agents' (a root runs
 * on the user's behalf in the foreground; subagents' requests wait in the
 * tree so a fan-out cannot flood the screen), each request once.
 */
export function approvalsToNotify(agents: readonly AgentSnapshot[], alreadyShown: ReadonlySet<string>): ApprovalToShow[] {
  const out: ApprovalToShow[] = [];
  for (const agent of agents) {
    const pending = agent.pendingApproval;
    if (agent.role !== "root" || !pending || alreadyShown.has(pending.requestId)) continue;
    out.push({
      requestId: pending.requestId,
      agentId: agent.id,
      agentName: agent.name,
      command: pending.command,
      ...(pending.cwd !== undefined ? { cwd: pending.cwd } : {}),
    });
  }
  return out;
}

export function approvalMessage(request: ApprovalToShow): string {
  const command = request.command.length > 300 ? `${request.command.slice(0, 300)}…` : request.command;
  const where = request.cwd && request.cwd !== "." ? ` (in ${request.cwd})` : "";
  return `Subagents: "${request.agentName}" wants to run${where}: ${command}`;
}

/** Non-modal Approve/Deny notifications for root agents' `run_command` requests. */
export class ApprovalNotifications extends Disposable {
  private readonly shown = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly supervisor: UserControls,
    private readonly logger: Logger,
  ) {
    super();
    this.register(
      supervisor.onDidChange(() => {
        this.timer ??= setTimeout(() => this.check(), 100);
      }),
    );
    this.register({ dispose: () => clearTimeout(this.timer) });
    this.check();
  }

  private check(): void {
    this.timer = undefined;
    if (this.isDisposed) return;
    const agents = this.supervisor.snapshot();
    const live = new Set(agents.flatMap((a) => (a.pendingApproval ? [a.pendingApproval.requestId] : [])));
    for (const id of [...this.shown]) if (!live.has(id)) this.shown.delete(id);
    for (const request of approvalsToNotify(agents, this.shown)) {
      this.shown.add(request.requestId);
      void this.ask(request);
    }
  }

  private async ask(request: ApprovalToShow): Promise<void> {
    const choice = await vscode.window.showWarningMessage(approvalMessage(request), "Approve", "Deny");
    if (!choice) return;
    // The request may have been answered in the tree, or the agent stopped, meanwhile.
    const still = this.supervisor.get(request.agentId)?.pendingApproval?.requestId === request.requestId;
    if (!still) return;
    try {
      this.supervisor.resolveApproval(request.requestId, choice === "Approve" ? "approved" : "denied");
    } catch (error) {
      this.logger.warn(`approval ${request.requestId}: ${(error as Error).message}`);
    }
  }
}
