import * as vscode from "vscode";
import type { UserControls } from "../../core/agents/userControls";
import { Disposable } from "../../core/common/disposable";
import type { Logger } from "../../core/common/logger";
import type { AgentSnapshot } from "../../core/protocol/agentSnapshot";
import { showInvisibles } from "../../core/protocol/visibleText";

export interface ApprovalToShow {
  requestId: string;
  agentId: string;
  agentName: string;
  command: string;
  cwd?: string;
  /** The change, for a write to a protected path. */
  diff?: string;
}

export const APPROVE = "Approve";
export const DENY = "Deny";
export const SHOW_COMMAND = "Show Command";
export const SHOW_CHANGE = "Show Change";

/** The longest command (as shown) that a notification shows whole next to Approve. */
export const NOTIFICATION_COMMAND_CHARS = 300;

/** Read-only documents that show a pending request in full. */
export const APPROVAL_SCHEME = "subagents-approval";

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
      ...(pending.diff !== undefined ? { diff: pending.diff } : {}),
    });
  }
  return out;
}

/**
 * The command as a one-line notification can show it: invisible characters
 * escaped, and long runs of blanks named instead of collapsed (a notification
 * collapses blanks, and a wide gap could push the rest out of sight).
 */
export function commandForMessage(command: string): string {
  return showInvisibles(command).replace(/[ \t]{4,}/g, (gap) => ` ⟨${gap.length} blanks⟩ `);
}

/** True when the notification text shows the whole request, so Approve may sit next to it. */
export function fitsInMessage(request: ApprovalToShow): boolean {
  if (request.diff !== undefined) return false;
  const shown = commandForMessage(request.command);
  return shown.length <= NOTIFICATION_COMMAND_CHARS && !/[\r\n]/.test(request.command);
}

export function approvalMessage(request: ApprovalToShow): string {
  const where = request.cwd && request.cwd !== "." ? ` (in ${request.cwd})` : "";
  if (request.diff !== undefined) {
    return `Subagents: "${request.agentName}" wants to change a protected file: ${commandForMessage(request.command)}. Show Change to read the diff before approving.`;
  }
  if (fitsInMessage(request)) return `Subagents: "${request.agentName}" wants to run${where}: ${commandForMessage(request.command)}`;
  const lines = request.command.split(/\r\n|\r|\n/).length;
  const head = commandForMessage(request.command.split(/\r\n|\r|\n/)[0] ?? "").slice(0, 120);
  return (
    `Subagents: "${request.agentName}" wants to run${where} a command of ${request.command.length} characters` +
    `${lines > 1 ? ` on ${lines} lines` : ""}, starting: ${head}… Show Command to read all of it before approving.`
  );
}

/** Approve is offered only where the whole request is visible: in the message, or after the user opened it in full. */
export function approvalActions(request: ApprovalToShow, openedInFull: boolean): string[] {
  const show = request.diff !== undefined ? SHOW_CHANGE : SHOW_COMMAND;
  return fitsInMessage(request) || openedInFull ? [APPROVE, DENY, show] : [show, DENY];
}

/** The full text of a request, as the read-only document shows it. */
export function approvalDocument(request: ApprovalToShow): string {
  const where = request.cwd && request.cwd !== "." ? ` in ${request.cwd}` : "";
  const note = "Invisible and control characters are shown escaped (for example \\u202E).";
  if (request.diff !== undefined) {
    return `Agent "${request.agentName}" asks to change a protected file: ${showInvisibles(request.command)}\n${note}\n\n${showInvisibles(request.diff)}`;
  }
  return `Agent "${request.agentName}" asks to run this command${where}.\n${note}\n\n${showInvisibles(request.command)}\n`;
}

/** Non-modal Approve/Deny notifications for root agents' requests. */
export class ApprovalNotifications extends Disposable {
  private readonly shown = new Set<string>();
  private readonly documents = new Map<string, string>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly supervisor: UserControls,
    private readonly logger: Logger,
  ) {
    super();
    this.register(
      vscode.workspace.registerTextDocumentContentProvider(APPROVAL_SCHEME, {
        provideTextDocumentContent: (uri) => this.documents.get(uri.path.split("/")[1] ?? "") ?? "This request is no longer pending.",
      }),
    );
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
    for (const id of [...this.shown]) {
      if (live.has(id)) continue;
      this.shown.delete(id);
      this.documents.delete(id);
    }
    for (const request of approvalsToNotify(agents, this.shown)) {
      this.shown.add(request.requestId);
      void this.ask(request);
    }
  }

  private async ask(request: ApprovalToShow): Promise<void> {
    let openedInFull = false;
    for (;;) {
      const choice = await vscode.window.showWarningMessage(approvalMessage(request), ...approvalActions(request, openedInFull));
      // The request may have been answered in the tree, or the agent stopped, meanwhile.
      if (!choice || !this.stillPending(request)) return;
      if (choice === SHOW_COMMAND || choice === SHOW_CHANGE) {
        await this.openInFull(request);
        openedInFull = true;
        continue;
      }
      try {
        this.supervisor.resolveApproval(request.requestId, choice === APPROVE ? "approved" : "denied");
      } catch (error) {
        this.logger.warn(`approval ${request.requestId}: ${(error as Error).message}`);
      }
      return;
    }
  }

  private stillPending(request: ApprovalToShow): boolean {
    return this.supervisor.get(request.agentId)?.pendingApproval?.requestId === request.requestId;
  }

  private async openInFull(request: ApprovalToShow): Promise<void> {
    this.documents.set(request.requestId, approvalDocument(request));
    const name = request.diff !== undefined ? "change.diff" : "command.sh";
    const uri = vscode.Uri.from({ scheme: APPROVAL_SCHEME, path: `/${request.requestId}/${name}` });
    try {
      const document = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(document, { preview: true });
    } catch (error) {
      this.logger.warn(`could not open approval ${request.requestId}: ${(error as Error).message}`);
    }
  }
}
