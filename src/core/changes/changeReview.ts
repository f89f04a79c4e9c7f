import { wholeText } from "../tools/workspaceToolAdapters";
import type { WorkspaceTools } from "../tools/workspaceTools";
import type { AgentChanges } from "./agentChanges";
import { changeKey, type FileChange } from "./fileChange";

/** The agents a review covers: one agent's own changes, or its whole subtree's. */
export type ChangeScope = "agent" | "subtree";

/** One changed file in a review list, with the agent that changed it. */
export interface AgentFileChange {
  agentId: string;
  agentName: string;
  change: FileChange;
}

/** A file a revert would restore: to `restore`, or deleted when `restore` is null. */
export interface RevertStep {
  path: string;
  restore: string | null;
  /** The agents whose change of this file the step undoes. */
  agentIds: string[];
}

export interface RevertPlan {
  steps: RevertStep[];
  /** Files that changed since (user or another agent) or hold redacted text: reverted only when the user confirms. */
  conflicts: Array<{ path: string; message: string }>;
}

/** What the review needs to know about the tree. */
export interface ChangeReviewAgents {
  nameOf(agentId: string): string | undefined;
  /** The agent and its descendants. */
  subtreeOf(agentId: string): string[];
}

/** The text the redactor leaves in place of a key; restoring it would write the marker, not the key. */
const REDACTION_MARKER = "[redacted key";

/**
 * Review and revert of the agents' change sets, for the host's tree and
 * commands. A revert is planned here (what to restore, what changed since)
 * and applied by the host through WorkspaceEdit, which then reports the
 * reverted steps back.
 */
export class ChangeReview {
  constructor(
    private readonly changes: AgentChanges,
    private readonly agents: ChangeReviewAgents,
    private readonly workspace: WorkspaceTools,
  ) {}

  get onDidChange(): AgentChanges["onDidChange"] {
    return this.changes.onDidChange;
  }

  list(agentId: string, scope: ChangeScope): AgentFileChange[] {
    return this.agentIds(agentId, scope).flatMap((id) =>
      this.changes.of(id).map((change) => ({ agentId: id, agentName: this.agents.nameOf(id) ?? id, change })),
    );
  }

  /** One agent's change of one file, for the diff editor. */
  find(agentId: string, path: string): FileChange | undefined {
    const key = changeKey(path);
    return this.changes.of(agentId).find((c) => c.path === key);
  }

  count(agentId: string, scope: ChangeScope): number {
    return scope === "agent" ? this.changes.count(agentId) : this.changes.distinctCount(this.agents.subtreeOf(agentId));
  }

  /**
   * What reverting would do. Per file, the earliest `before` of the covered
   * agents is restored; the file must still hold their latest `after`, and no
   * other agent may have changed it in between, or the revert would undo work
   * that is not theirs — such files are listed as conflicts, naming who.
   */
  async planRevert(agentId: string, scope: ChangeScope, path?: string): Promise<RevertPlan> {
    const covered = new Set(this.agentIds(agentId, scope));
    const paths = new Set<string>();
    for (const id of covered) for (const c of this.changes.of(id)) paths.add(c.path);
    const wanted = path === undefined ? [...paths] : [changeKey(path)].filter((p) => paths.has(p));
    const plan: RevertPlan = { steps: [], conflicts: [] };
    for (const file of wanted) {
      const all = this.changes.changesOfPath(file);
      const mine = all.filter((entry) => covered.has(entry.agentId));
      const first = mine[0];
      if (!first) continue;
      const last = mine.reduce((a, b) => (b.change.lastSeq > a.change.lastSeq ? b : a), first);
      plan.steps.push({ path: file, restore: first.change.before, agentIds: mine.map((m) => m.agentId) });
      const byName = this.agents.nameOf(last.agentId) ?? last.agentId;
      const others = all.filter((entry) => !covered.has(entry.agentId) && entry.change.lastSeq > first.change.firstSeq);
      if (others.length > 0) {
        const names = others.map((o) => this.agents.nameOf(o.agentId) ?? o.agentId).join(", ");
        plan.conflicts.push({ path: file, message: `${file} was changed by ${byName} and later by ${names}; reverting would undo their work too.` });
        continue;
      }
      const current = await this.currentText(file);
      if (current !== last.change.after) {
        plan.conflicts.push({ path: file, message: `${file} was changed by ${byName} and has changed since (by you or outside Subagents); reverting would discard that.` });
        continue;
      }
      if (first.change.before?.includes(REDACTION_MARKER)) {
        plan.conflicts.push({ path: file, message: `${file} held an API key before ${byName} changed it; the saved copy has it redacted, so reverting would write the redaction marker instead of the key.` });
      }
    }
    return plan;
  }

  /** The host applied these steps: they leave their agents' change sets. */
  reverted(steps: readonly RevertStep[]): void {
    for (const step of steps) for (const id of step.agentIds) this.changes.forget(id, [step.path]);
  }

  /** Keep: the changes stay in the workspace and leave the review. */
  keep(agentId: string, scope: ChangeScope, path?: string): void {
    for (const id of this.agentIds(agentId, scope)) this.changes.forget(id, path === undefined ? undefined : [path]);
  }

  private agentIds(agentId: string, scope: ChangeScope): string[] {
    return scope === "agent" ? [agentId] : this.agents.subtreeOf(agentId);
  }

  private async currentText(path: string): Promise<string | null | { unreadable: true }> {
    try {
      return await wholeText(this.workspace, path);
    } catch {
      return { unreadable: true };
    }
  }
}
