import { setMaxListeners } from "node:events";
import type { IDisposable } from "../common/disposable";
import { AgentTimeouts } from "../scheduler/agentTimeouts";
import type { ExecutionSlots, SlotLease } from "../scheduler/executionSlots";
import { StaleMonitor } from "../scheduler/staleMonitor";
import { errorMessage, raceAbort, RunAborted } from "./abort";
import { queuedMsAt, type AgentRecord } from "./agentRecord";
import type { AgentRegistry } from "./agentRegistry";
import { runAgentLoop, type LoopInput } from "./agentLoop";
import type { ActiveRun } from "./activeRun";
import { formatDuration, MAX_STORED_RESULT_CHARS, PartialOutput } from "./resultFormat";
import { createLoopHooks } from "./loopHooks";
import type { SupervisorContext } from "./supervisorContext";
import type { AgentStatus } from "./status";

type FinalStatus = Extract<AgentStatus, "completed" | "failed" | "timed_out" | "interrupted">;

/** Thrown by a startup step; the agent fails with "startup failed: …" and its parent is told. */
export class StartupError extends Error {
  override readonly name = "StartupError";
}

export interface RunEvents {
  /** After the final status is recorded (and descendants were stopped). */
  onFinished(record: AgentRecord): void;
  /** A startup failure of a live agent; never after it was stopped, when its parent no longer expects news of it. */
  onStartupFailed(record: AgentRecord, reason: string): void;
}

/**
 * Owns every run: its status transitions, execution slot, deadline, stale
 * flag, inbox and end. `finish()` is the only way into a final status and it
 * is first-wins, so a late completion never overwrites `timed_out` or
 * `interrupted`.
 */
export class AgentRuns implements IDisposable {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly inboxes = new Map<string, string[]>();
  readonly timeouts: AgentTimeouts;
  readonly stale: StaleMonitor;

  constructor(
    private readonly ctx: SupervisorContext,
    private readonly registry: AgentRegistry,
    private readonly slots: ExecutionSlots,
    private readonly events: RunEvents,
    staleCheckMs?: number,
  ) {
    this.timeouts = new AgentTimeouts(ctx.clock);
    this.stale = new StaleMonitor(
      ctx.clock,
      () => ({
        idleMs: ctx.settings()["staleSeconds.idle"] * 1000,
        inToolMs: ctx.settings()["staleSeconds.inTool"] * 1000,
      }),
      (agentId, stale) => this.registry.update(agentId, (r) => (r.stale = stale)),
      staleCheckMs,
    );
  }

  isActive(agentId: string): boolean {
    return this.runs.has(agentId);
  }

  get activeCount(): number {
    return this.runs.size;
  }

  /** Starts a run synchronously: the status is set and the deadline armed before anything awaits. */
  begin(agentId: string, status: "pending_init" | "queued", options: { workMs?: number | undefined } = {}): ActiveRun {
    if (this.runs.has(agentId)) throw new Error(`agent ${agentId} is already running`);
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const abort = new AbortController();
    // Every parallel tool call and slot wait of the run listens to this signal; 50 at once is normal.
    setMaxListeners(0, abort.signal);
    const run: ActiveRun = {
      agentId,
      abort,
      done,
      partial: new PartialOutput(),
      runningTools: [],
      resolveDone,
      lease: undefined,
      slotWait: undefined,
      waits: 0,
      workBudgetMs: undefined,
      ended: false,
      toldBudgetSpent: false,
    };
    this.runs.set(agentId, run);
    const now = this.ctx.clock.now();
    const record = this.registry.require(agentId);
    // A run continued after a reload keeps the work time it had left ("workMs" present, undefined = no limit).
    const budgetMs = "workMs" in options ? options.workMs : record.timeoutSeconds !== undefined ? record.timeoutSeconds * 1000 : undefined;
    this.registry.update(agentId, (r) => {
      r.status = status;
      r.runStartedAt = now;
      r.startedAt ??= now;
      r.queuedSince = now;
      r.stale = false;
      delete r.statusReason;
      delete r.endedAt;
      delete r.result;
      delete r.error;
      delete r.currentTool;
      delete r.resumedAfterReload;
    });
    this.recordStatus(agentId, status);
    this.armDeadline(agentId, budgetMs);
    return run;
  }

  /**
   * Runs startup (`prepare`) and then the loop, and always ends in a final
   * status: whatever throws, the agent does not stay `running`.
   */
  async execute(agentId: string, prepare: (run: ActiveRun) => Promise<LoopInput | undefined>): Promise<void> {
    const run = this.runs.get(agentId);
    if (!run) return;
    let setup: LoopInput | undefined;
    try {
      setup = await prepare(run);
    } catch (error) {
      if (run.ended) return; // Stopped during startup: the parent already heard the final status; a late failure would contradict it.
      const reason = `startup failed: ${errorMessage(error)}`;
      this.finish(agentId, "failed", reason);
      const record = this.registry.get(agentId);
      if (record) this.events.onStartupFailed(record, reason);
      return;
    }
    if (!setup || run.ended) return;
    try {
      const outcome = await runAgentLoop(
        setup,
        createLoopHooks(run, {
          registry: this.registry,
          ctx: this.ctx,
          stale: this.stale,
          ensureSlot: (id) => this.ensureSlot(id),
          drainInbox: (id) => this.drainInbox(id),
          waitWithoutSlot: (id, reason, wait) => this.waitWithoutSlot(id, reason, wait),
        }),
      );
      if (outcome.kind === "completed") this.finish(agentId, "completed", outcome.note ?? "finished", { result: outcome.text });
      else this.finish(agentId, "failed", outcome.error);
    } catch (error) {
      if (run.ended) return;
      const message = error instanceof RunAborted ? "stopped" : errorMessage(error);
      this.ctx.logger.error(`agent ${agentId} crashed: ${message}`);
      this.finish(agentId, "failed", `internal error: ${message}`);
    }
  }

  /**
   * Moves the agent to a final status (first call wins), aborts its in-flight
   * request and tools, frees its slot and timers, stops its descendants and
   * keeps its partial output.
   */
  finish(agentId: string, status: FinalStatus, reason: string, extra: { result?: string } = {}): boolean {
    const run = this.runs.get(agentId);
    if (!run || run.ended) return false;
    run.ended = true;
    this.runs.delete(agentId);
    this.timeouts.clear(agentId);
    this.stale.forget(agentId);
    run.lease?.release();
    run.lease = undefined;
    const now = this.ctx.clock.now();
    const partial = run.partial.value();
    this.registry.update(agentId, (r) => {
      endQueueing(r, now);
      delete r.timeoutPausedLeftMs;
      r.status = status;
      r.statusReason = reason;
      r.endedAt = now;
      r.elapsedBeforeRunMs += Math.max(0, now - (r.runStartedAt ?? now));
      delete r.runStartedAt;
      delete r.currentTool;
      delete r.pendingApproval;
      delete r.timeoutAt;
      r.stale = false;
      r.lastEvent = status === "completed" ? "finished" : reason;
      const text = status === "completed" ? (extra.result ?? "") : partial;
      if (text !== "") r.result = text.length > MAX_STORED_RESULT_CHARS ? text.slice(0, MAX_STORED_RESULT_CHARS) : text;
      if (status !== "completed") r.error = reason;
    });
    run.abort.abort(new RunAborted(reason));
    this.recordStatus(agentId, status, reason);
    const record = this.registry.get(agentId);
    const cascade = cascadeReason(status);
    for (const descendant of this.registry.descendants(agentId)) {
      this.finish(descendant.id, "interrupted", cascade);
    }
    run.resolveDone();
    if (record) this.events.onFinished(record);
    return true;
  }

  /** Resolves when the agent's current run ends (at once when none is active). */
  whenRunEnds(agentId: string): Promise<void> {
    return this.runs.get(agentId)?.done ?? Promise.resolve();
  }

  enqueueMessage(agentId: string, message: string): void {
    let inbox = this.inboxes.get(agentId);
    if (!inbox) {
      inbox = [];
      this.inboxes.set(agentId, inbox);
    }
    inbox.push(message);
  }

  /**
   * The task's budget was raised and it is within it again: each live agent
   * that was told to wrap up hears that it may go on (at its next turn), and
   * will be told again if the new limit is reached too. Returns how many heard it.
   */
  budgetRaised(agentIds: readonly string[], note: string): number {
    let told = 0;
    for (const id of agentIds) {
      const run = this.runs.get(id);
      if (!run || run.ended || !run.toldBudgetSpent) continue;
      run.toldBudgetSpent = false;
      this.enqueueMessage(id, note);
      told++;
    }
    return told;
  }

  drainInbox(agentId: string): string[] {
    const inbox = this.inboxes.get(agentId);
    if (!inbox) return [];
    this.inboxes.delete(agentId);
    return inbox;
  }

  forgetAgent(agentId: string): void {
    this.inboxes.delete(agentId);
  }

  /** Gives the current run `workMs` of work from now (`undefined` removes the limit); the record keeps the limit for later runs. */
  setDeadline(agentId: string, workMs: number | undefined): void {
    if (!this.runs.has(agentId)) return;
    this.armDeadline(agentId, workMs);
  }

  /** Adds work time to the current run's deadline (none = nothing to extend). */
  extendDeadline(agentId: string, ms: number): void {
    if (!this.runs.has(agentId)) return;
    const run = this.runs.get(agentId);
    if (run?.workBudgetMs !== undefined) run.workBudgetMs += ms;
    this.timeouts.extend(agentId, ms);
    this.showDeadline(agentId);
  }

  /** Takes an execution slot for the agent (status `queued` until it has one, then `running`). */
  ensureSlot(agentId: string): Promise<void> {
    const run = this.runs.get(agentId);
    if (!run || run.ended) return Promise.reject(new RunAborted("the run ended"));
    if (run.lease) return Promise.resolve();
    if (run.slotWait) return run.slotWait;
    const record = this.registry.require(agentId);
    const request = this.slots.request(record.providerId, run.abort.signal);
    if (request.granted) {
      this.onSlot(run, request.granted);
      return Promise.resolve();
    }
    this.setStatus(agentId, "queued", `waiting for an execution slot (${record.providerId})`);
    run.slotWait = request.lease.then(
      (lease) => {
        run.slotWait = undefined;
        if (run.ended) {
          lease.release();
          throw new RunAborted("the run ended");
        }
        this.onSlot(run, lease);
      },
      (reason: unknown) => {
        run.slotWait = undefined;
        throw new RunAborted(reason);
      },
    );
    return run.slotWait;
  }

  /** Gives the slot up while `wait` runs (status `waiting`), and takes one again before returning. */
  async waitWithoutSlot<T>(agentId: string, reason: string, wait: () => Promise<T>): Promise<T> {
    const run = this.runs.get(agentId);
    if (!run || run.ended) throw new RunAborted("the run ended");
    run.waits++;
    run.lease?.release();
    run.lease = undefined;
    this.stale.forget(agentId);
    this.setStatus(agentId, "waiting", reason);
    try {
      return await raceAbort(wait(), run.abort.signal);
    } finally {
      run.waits--;
      if (run.waits === 0 && !run.ended) await this.ensureSlot(agentId);
    }
  }

  interruptAll(reason: string): number {
    let n = 0;
    for (const agentId of [...this.runs.keys()]) if (this.finish(agentId, "interrupted", reason)) n++;
    return n;
  }

  /** Aborts every run without recording final statuses (the window is closing; a reload restores them). */
  dispose(): void {
    for (const run of this.runs.values()) {
      run.ended = true;
      run.lease?.release();
      run.abort.abort(new RunAborted("the window is closing"));
      run.resolveDone();
    }
    this.runs.clear();
    this.timeouts.dispose();
    this.stale.dispose();
  }

  private onSlot(run: ActiveRun, lease: SlotLease): void {
    run.lease = lease;
    this.setStatus(run.agentId, "running");
    this.stale.touch(run.agentId, run.runningTools.length > 0);
  }

  private setStatus(agentId: string, status: "queued" | "running" | "waiting", reason?: string): void {
    const record = this.registry.get(agentId);
    if (!record || !this.runs.has(agentId)) return;
    if (record.status === status && record.statusReason === reason) return;
    const now = this.ctx.clock.now();
    const works = countsAsWork(status);
    if (works) this.timeouts.resume(agentId);
    else this.timeouts.pause(agentId);
    this.registry.update(agentId, (r) => {
      if (works) endQueueing(r, now);
      else r.queuedSince ??= now;
      r.status = status;
      if (reason !== undefined) r.statusReason = reason;
      else delete r.statusReason;
      this.writeDeadline(r);
    });
    this.recordStatus(agentId, status, reason);
  }

  private recordStatus(agentId: string, status: AgentStatus, reason?: string): void {
    this.ctx.transcripts.append(agentId, {
      type: "status",
      at: this.ctx.clock.now(),
      status,
      ...(reason !== undefined ? { reason } : {}),
    });
    this.ctx.logger.debug(`agent ${agentId}: ${status}${reason !== undefined ? ` (${reason})` : ""}`);
  }

  /** Arms a budget of `workMs` that counts only while the agent works (see AgentTimeouts). */
  private armDeadline(agentId: string, workMs: number | undefined): void {
    const status = this.registry.get(agentId)?.status;
    const run = this.runs.get(agentId);
    if (run) run.workBudgetMs = workMs;
    this.timeouts.set(
      agentId,
      workMs,
      () => {
        const record = this.registry.get(agentId);
        const queued = record ? queuedMsAt(record, this.ctx.clock.now()) : 0;
        const worked = run?.workBudgetMs ?? 0;
        const wait = queued > 0 ? ` (plus ${formatDuration(queued)} queued, which does not count)` : "";
        this.finish(agentId, "timed_out", `timed out after ${formatDuration(worked)} of work${wait}`);
      },
      status !== undefined && countsAsWork(status),
    );
    this.showDeadline(agentId);
  }

  private showDeadline(agentId: string): void {
    this.registry.update(agentId, (r) => this.writeDeadline(r));
  }

  /** The record's view of the deadline: when it fires if work continues, and what is left while it is paused. */
  private writeDeadline(r: AgentRecord): void {
    const at = this.timeouts.deadline(r.id);
    if (at === undefined) {
      delete r.timeoutAt;
      delete r.timeoutPausedLeftMs;
      return;
    }
    r.timeoutAt = at;
    if (this.timeouts.isCounting(r.id)) delete r.timeoutPausedLeftMs;
    else r.timeoutPausedLeftMs = this.timeouts.remaining(r.id) ?? 0;
  }
}

/** The deadline counts while the agent works; startup and queueing for a slot do not count. */
function countsAsWork(status: AgentStatus): boolean {
  return status === "running" || status === "waiting";
}

function endQueueing(r: AgentRecord, now: number): void {
  if (r.queuedSince === undefined) return;
  r.queuedMs += Math.max(0, now - r.queuedSince);
  delete r.queuedSince;
}

function cascadeReason(status: FinalStatus): string {
  switch (status) {
    case "completed":
      return "its parent finished";
    case "failed":
      return "its parent failed";
    case "timed_out":
      return "its parent timed out";
    case "interrupted":
      return "its parent was interrupted";
  }
}
