import { systemClock } from "../common/clock";
import { Disposable, toDisposable } from "../common/disposable";
import type { Event } from "../common/emitter";
import { silentLogger } from "../common/logger";
import type { AgentSnapshot } from "../protocol/agentSnapshot";
import { isTimeoutSeconds, MAX_TIMEOUT_SECONDS, TIMEOUT_RANGE_TEXT } from "../common/timeLimits";
import { ExecutionSlots, type SlotStats } from "../scheduler/executionSlots";
import { isVscodeLmProvider } from "../llm/vscodeLmRef";
import { configuredProviderCap, SLOTS_PER_KEY, vscodeLmCap } from "../scheduler/providerCaps";
import { ApprovalBroker } from "../tools/approvalBroker";
import { AgentChanges } from "../changes/agentChanges";
import { ChangeReview } from "../changes/changeReview";
import { changeKind } from "../changes/fileChange";
import { AgentWorkspaces, type WorktreeInfo } from "../isolation/agentWorkspaces";

/** Paths listed in one agent's snapshot; the review quick pick lists them all. */
export const MAX_LISTED_CHANGES = 100;
import { toSnapshot, type AgentRecord } from "./agentRecord";
import { AgentRegistry } from "./agentRegistry";
import { AgentRuns } from "./agentRuns";
import type { UserControls } from "./userControls";
import { createCommandGate } from "./commandApprovals";
import { resolveRootModel } from "./modelResolution";
import { priceLookup } from "./pricing";
import type { SupervisorDeps, SupervisorContext } from "./supervisorContext";
import { SubagentControl } from "./subagentControl";
import { TREE_SAVE_DELAY_MS, TreePersistence } from "./treePersistence";
import { budgetSpent } from "./taskBudget";
import { budgetRaisedNote, checkRaise, effectiveLimits, settingsLimits, spendOf, type BudgetKind } from "./taskLimits";

/** Counters for tests, benchmarks and the status bar: a quiet supervisor shows zeros. */
export interface SupervisorStats {
  slots: SlotStats;
  activeRuns: number;
  deadlineTimers: number;
  staleTimerPending: boolean;
  saveTimerPending: boolean;
  pendingApprovals: number;
}

/**
 * The one owner of every agent: the registry (tree), runs (status, slots,
 * deadlines), the agent tools' control, command approvals, the pause flag and
 * persistence, wired together. Host commands and the tree view see it only
 * through UserControls; whoever creates it also gets readiness, counters,
 * settings refresh and disposal.
 */
export class AgentSupervisor extends Disposable implements UserControls {
  /** Settles once the saved tree (if any) has been restored. */
  readonly ready: Promise<void>;
  readonly onDidChange: Event<void>;
  private readonly ctx: SupervisorContext;
  private readonly registry: AgentRegistry;
  private readonly slots: ExecutionSlots;
  private readonly runs: AgentRuns;
  private readonly approvals = new ApprovalBroker();
  private readonly control: SubagentControl;
  private readonly persistence: TreePersistence;
  private paused = false;
  private readonly changes: AgentChanges;
  /** The agents' change sets for review and revert (the host's tree and commands). */
  readonly review: ChangeReview;

  constructor(deps: SupervisorDeps) {
    super();
    const clock = deps.clock ?? systemClock;
    this.changes = new AgentChanges(deps.changeStore, clock, deps.logger ?? silentLogger);
    this.ctx = {
      changes: this.changes,
      workspaces: new AgentWorkspaces(deps.workspace, deps.worktrees),
      settings: deps.settings,
      modelClient: deps.modelClient,
      workspace: deps.workspace,
      transcripts: deps.transcripts,
      toolOutputs: deps.toolOutputs,
      extensionTools: deps.extensionTools,
      clock: deps.clock ?? systemClock,
      logger: deps.logger ?? silentLogger,
      agentTypes: deps.agentTypes,
    };
    this.registry = new AgentRegistry(
      this.ctx.clock,
      () => priceLookup(this.ctx.settings().providers),
      () => settingsLimits(this.ctx.settings()),
    );
    this.onDidChange = this.registry.onDidChange;
    const slotsPerKey = deps.slotsPerKey ?? SLOTS_PER_KEY;
    this.slots = new ExecutionSlots({
      global: () => this.ctx.settings().maxConcurrentAgents,
      provider: (providerId) => {
        const settings = this.ctx.settings();
        if (isVscodeLmProvider(providerId)) return vscodeLmCap(settings.maxConcurrentAgents, settings["vscodeLm.maxConcurrent"]);
        const provider = settings.providers.find((p) => p.id === providerId);
        return configuredProviderCap(settings.maxConcurrentAgents, provider, deps.usableKeyCount(providerId), slotsPerKey);
      },
    });
    this.persistence = new TreePersistence(
      deps.treeStore,
      () => this.registry.snapshotAll(),
      this.ctx.clock,
      deps.treeSaveDelayMs ?? TREE_SAVE_DELAY_MS,
      this.ctx.logger,
    );
    this.runs = new AgentRuns(
      this.ctx,
      this.registry,
      this.slots,
      {
        onFinished: (record) => this.onFinished(record),
        onStartupFailed: (record, reason) => this.onStartupFailed(record, reason),
      },
      deps.staleCheckMs,
    );
    this.control = new SubagentControl(
      this.ctx,
      this.registry,
      this.runs,
      this.slots,
      () => this.paused,
      deps.resolveAgentType,
      createCommandGate(this.ctx, this.registry, this.approvals),
    );
    const listener = this.registry.onDidChange(() => this.persistence.saveSoon());
    this.review = new ChangeReview(
      this.changes,
      {
        nameOf: (id) => this.registry.snapshot(id)?.name,
        subtreeOf: (id) => (this.registry.has(id) ? [id, ...this.registry.descendants(id).map((d) => d.id)] : []),
      },
      this.ctx.workspace,
    );
    this.register(this.changes.onDidChange(() => this.registry.notifyChanged()));
    this.register(toDisposable(() => this.shutdown()));
    this.register(listener);
    this.ready = this.restore();
  }

  snapshot(): AgentSnapshot[] {
    return this.registry.snapshotAll().map((agent) => this.withChangeCounts(agent));
  }

  get(agentId: string): AgentSnapshot | undefined {
    const agent = this.registry.snapshot(agentId);
    return agent && this.withChangeCounts(agent);
  }

  runRoot(options: { task: string; modelRef?: string }): { agentId: string; done: Promise<AgentSnapshot> } {
    if (this.isDisposed) throw new Error("Subagents is shutting down; try again in a moment.");
    if (options.task.trim() === "") throw new Error("The task is empty; describe what the agent should do.");
    if (this.paused) {
      throw new Error("Spawning is paused (Subagents: Pause/Resume Spawning). Resume spawning to start a task; running agents are not affected.");
    }
    const record = this.control.startRoot(options.task, resolveRootModel(options.modelRef, this.ctx.settings()));
    const id = record.id;
    const done = this.runs.whenRunEnds(id).then(
      () => this.registry.snapshot(id) ?? toSnapshot(record, this.ctx.clock.now(), { in: record.tokensIn, out: record.tokensOut }),
    );
    return { agentId: id, done };
  }

  interrupt(agentId: string, reason = "interrupted by the user"): void {
    this.registry.require(agentId);
    this.runs.finish(agentId, "interrupted", reason);
    // A finished agent may still have running descendants (resumed by a message): stop those too.
    for (const d of this.registry.descendants(agentId)) this.runs.finish(d.id, "interrupted", reason);
  }

  interruptAll(reason = "interrupted by the user (all agents)"): void {
    this.runs.interruptAll(reason);
  }

  setTimeout(agentId: string, seconds: number | null): void {
    const record = this.requireRunning(agentId);
    if (seconds === null || seconds === 0) {
      if (record.background) {
        throw new Error(`${record.name} runs in the background, so it must keep a timeout (1–${MAX_TIMEOUT_SECONDS} s).`);
      }
      this.registry.update(agentId, (r) => (r.timeoutSeconds = undefined));
      this.runs.setDeadline(agentId, undefined);
      return;
    }
    this.checkSeconds(seconds);
    this.registry.update(agentId, (r) => (r.timeoutSeconds = seconds));
    this.runs.setDeadline(agentId, seconds * 1000);
  }

  extendTimeout(agentId: string, seconds: number): void {
    const record = this.requireRunning(agentId);
    this.checkSeconds(seconds);
    if (record.timeoutAt === undefined) this.runs.setDeadline(agentId, seconds * 1000);
    else this.runs.extendDeadline(agentId, seconds * 1000);
  }

  sendMessage(agentId: string, message: string, options: { modelRef?: string } = {}): void {
    this.control.deliverFromUser(agentId, message, options.modelRef);
  }

  resolveApproval(requestId: string, decision: "approved" | "denied"): void {
    if (!this.approvals.resolve(requestId, decision)) {
      throw new Error("That command approval is no longer pending (it was answered, or its agent stopped).");
    }
  }

  raiseBudget(agentId: string, kind: BudgetKind, value: number): void {
    const record = this.registry.require(agentId);
    if (record.parentId !== null) throw new Error(`${record.name} is a subagent; a budget belongs to a whole task, so raise it on the task's root agent.`);
    const root = this.registry.snapshot(agentId);
    if (!root) return;
    const settings = this.ctx.settings();
    const base = settingsLimits(settings);
    checkRaise(kind, value, effectiveLimits(base, record.budgetRaise), spendOf(root));
    this.registry.update(agentId, (r) => (r.budgetRaise = { ...r.budgetRaise, [kind]: value }));
    this.ctx.logger.info(`budget of task ${agentId} (${record.name}) raised: ${kind} ${value}`);
    // Still over by the other kind of limit: the agents' wrap-up stands, and telling them to go on would be wrong.
    if (budgetSpent(settings, this.registry, agentId) === undefined) {
      const subtree = [agentId, ...this.registry.descendants(agentId).map((d) => d.id)];
      const told = this.runs.budgetRaised(subtree, budgetRaisedNote(effectiveLimits(base, record.budgetRaise)));
      if (told > 0) this.ctx.logger.info(`told ${told} agent(s) of task ${agentId} that they may go on`);
    }
    this.persistence.saveNow();
  }

  get spawningPaused(): boolean {
    return this.paused;
  }

  setSpawningPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    this.ctx.logger.info(paused ? "spawning paused" : "spawning resumed");
    this.registry.notifyChanged();
  }

  clearFinished(): number {
    const before = new Set(this.registry.all());
    const removed = this.registry.removeFinishedRoots();
    for (const record of before) {
      if (this.registry.has(record.id)) continue;
      this.runs.forgetAgent(record.id);
      // Its row is gone, so its changes can no longer be reviewed: they stay in the workspace, as with Keep.
      if (this.changes.count(record.id) > 0) this.changes.forget(record.id);
    }
    if (removed > 0) this.persistence.saveNow();
    return removed;
  }

  /** The worktree of an isolated agent, while it exists. */
  worktreeOf(agentId: string): WorktreeInfo | undefined {
    const worktree = this.registry.get(agentId)?.worktree;
    return worktree && { ...worktree };
  }

  /**
   * Merge or Discard is about to remove the agent's worktree: refused while
   * the agent runs (it would lose its checkout mid-edit).
   */
  requireWorktreeIdle(agentId: string): WorktreeInfo {
    const record = this.registry.require(agentId);
    if (!record.worktree) throw new Error(`${record.name} has no worktree (it was merged or discarded, or never isolated).`);
    if (this.runs.isActive(agentId)) throw new Error(`${record.name} is still running in its worktree; wait for it to finish or interrupt it first.`);
    return { ...record.worktree };
  }

  /** The worktree was merged or discarded: the agent keeps its result, a new run would need a new worktree. */
  worktreeEnded(agentId: string): void {
    this.ctx.workspaces?.forget(agentId);
    this.registry.update(agentId, (r) => {
      delete r.worktree;
      delete r.isolation;
    });
    this.persistence.saveNow();
  }

  /** Re-reads caps after a settings or key-pool change (they are also re-read on every slot request). */
  refreshCaps(): void {
    this.slots.refreshCaps();
  }

  /** Settings changed: caps are re-read and snapshots (costs) recomputed for listeners. */
  applySettings(): void {
    this.slots.refreshCaps();
    this.registry.settingsChanged();
  }

  stats(): SupervisorStats {
    return {
      slots: this.slots.stats(),
      activeRuns: this.runs.activeCount,
      deadlineTimers: this.runs.timeouts.pendingCount,
      staleTimerPending: this.runs.stale.timerPending,
      saveTimerPending: this.persistence.timerPending,
      pendingApprovals: this.approvals.pendingCount,
    };
  }

  /** Counts only: the contents stay in the change sets. */
  private withChangeCounts(agent: AgentSnapshot): AgentSnapshot {
    if (this.changes.isEmpty) return agent;
    const own = this.review.count(agent.id, "agent");
    const subtree = this.review.count(agent.id, "subtree");
    if (own === 0 && subtree === 0) return agent;
    const changes = this.review
      .list(agent.id, "agent")
      .slice(0, MAX_LISTED_CHANGES)
      .map(({ change }) => ({ path: change.path, kind: changeKind(change) }));
    return { ...agent, changedFiles: own, subtreeChangedFiles: subtree, ...(changes.length > 0 ? { changes } : {}) };
  }

  private async restore(): Promise<void> {
    await this.changes.load();
    const settings = this.ctx.settings();
    const { records, resume } = await this.persistence.load(
      {
        backgroundSeconds: settings["timeouts.backgroundSeconds"],
        foregroundSeconds: settings["timeouts.foregroundSeconds"],
      },
      settings.resumeAfterReload,
    );
    if (this.isDisposed) return;
    let added = 0;
    for (const record of records) {
      if (this.registry.has(record.id)) continue;
      if (record.parentId !== null && !this.registry.has(record.parentId)) continue;
      this.registry.add(record);
      added++;
    }
    // Parents first (the load order), so a resumed parent's wait finds its children already resuming.
    let resumed = 0;
    for (const entry of resume) {
      const record = this.registry.get(entry.agentId);
      if (!record || this.runs.isActive(entry.agentId)) continue;
      this.control.resumeAfterReload(record, entry);
      resumed++;
    }
    if (added > 0) {
      this.ctx.logger.info(`restored ${added} agents from the last window${resumed > 0 ? `; ${resumed} continue where they were` : ""}`);
      this.persistence.saveNow();
    }
  }

  private onFinished(record: AgentRecord): void {
    this.ctx.logger.info(`agent ${record.id} (${record.name}) ${record.status}: ${record.statusReason ?? ""}`);
    this.persistence.saveNow();
  }

  /** A background child's startup failure reaches its parent at the parent's next turn. */
  private onStartupFailed(record: AgentRecord, reason: string): void {
    if (!record.background || record.parentId === null || !this.runs.isActive(record.parentId)) return;
    this.runs.enqueueMessage(
      record.parentId,
      `[system] Your background agent ${record.id} ("${record.name}") failed: ${reason}`,
    );
  }

  private requireRunning(agentId: string): AgentRecord {
    const record = this.registry.require(agentId);
    if (!this.runs.isActive(agentId)) {
      throw new Error(`${record.name} has already finished (${record.status}); its timeout can no longer change.`);
    }
    return record;
  }

  private checkSeconds(seconds: number): void {
    if (!isTimeoutSeconds(seconds)) throw new Error(`A timeout is ${TIMEOUT_RANGE_TEXT}; got ${seconds}.`);
  }

  private shutdown(): void {
    this.persistence.flush();
    this.approvals.cancelAll();
    this.runs.dispose();
    this.slots.dispose();
    this.persistence.dispose();
    this.registry.dispose();
    this.changes.dispose();
  }
}
