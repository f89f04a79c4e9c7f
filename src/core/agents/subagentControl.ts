import type { ReasoningEffort } from "../common/reasoningEffort";
import { randomUUID } from "node:crypto";
import type { IDisposable } from "../common/disposable";
import type { ExecutionSlots } from "../scheduler/executionSlots";
import { resolveSpawnTimeout } from "../scheduler/agentTimeouts";
import {
  canSpawn,
  childRoleProblem,
  QUEUE_FULL_ADVICE_FOR_AGENTS,
  QUEUE_FULL_ADVICE_FOR_USERS,
  queueOverflow,
  SPAWNING_PAUSED_MESSAGE,
} from "../scheduler/spawnRules";
import type { AgentToolHost, SpawnRequest } from "../tools/agentTools";
import { ToolError, type ToolContext } from "../tools/toolDefinition";
import type { CommandGate } from "../tools/workspaceToolAdapters";
import { errorMessage } from "./abort";
import { newAgentRecord, type AgentRecord } from "./agentRecord";
import { budgetSpent } from "./taskBudget";
import type { AgentRegistry } from "./agentRegistry";
import type { ActiveRun } from "./activeRun";
import { StartupError, type AgentRuns } from "./agentRuns";
import type { LoopInput } from "./agentLoop";
import { resolveChildModel, resolveResumeModel, type ModelChoice } from "./modelResolution";
import { formatAgentReport, reportText } from "./resultFormat";
import { RunBuilder } from "./runBuilder";
import { RESUMED_AFTER_RELOAD } from "./reloadResume";
import type { ReloadResume } from "./treePersistence";
import type {
  AgentStartupHook,
  AgentStartupOverrides,
  AgentTypeRequest,
  ResolvedAgentType,
  SupervisorContext,
} from "./supervisorContext";

/**
 * Where agents start and what the agent tools call: spawning, waiting,
 * messaging and interrupting on behalf of one agent, which may address only
 * its own subtree, plus starting a root and delivering a user's message for
 * the supervisor. Every start registers the agent synchronously (visible at
 * once, its deadline already armed) and leaves the slow startup to the background.
 */
export class SubagentControl implements AgentToolHost {
  /** Builds tool sets and conversations; its agent tools call back into this object. */
  private readonly runBuilder: RunBuilder;

  constructor(
    private readonly ctx: SupervisorContext,
    private readonly registry: AgentRegistry,
    private readonly runs: AgentRuns,
    private readonly slots: ExecutionSlots,
    private readonly isPaused: () => boolean,
    private readonly startupHook: AgentStartupHook | undefined,
    gate: CommandGate,
  ) {
    this.runBuilder = new RunBuilder(ctx, this, gate);
  }

  /** Throws a ToolError (for the model) when the spawn is not allowed. */
  private registerChild(callerId: string, request: SpawnRequest): AgentRecord {
    const caller = this.registry.require(callerId);
    const settings = this.ctx.settings();
    if (this.isPaused()) throw new ToolError(SPAWNING_PAUSED_MESSAGE);
    const spent = budgetSpent(settings, this.registry, callerId);
    if (spent) throw new ToolError(`no new subagent: ${spent}. Finish with what you have and reply with your result.`);
    if (!canSpawn(caller, settings.maxSpawnDepth)) {
      throw new ToolError(`you cannot spawn agents (subagents.maxSpawnDepth is ${settings.maxSpawnDepth}); do the work yourself`);
    }
    const plan = this.planSpawn(caller, request);
    const roleProblem = childRoleProblem(plan.role, caller.depth + 1, settings.maxSpawnDepth);
    if (roleProblem) throw new ToolError(roleProblem);
    const timeout = resolveSpawnTimeout(plan.timeoutSeconds, plan.background, {
      foregroundSeconds: settings["timeouts.foregroundSeconds"],
      backgroundSeconds: settings["timeouts.backgroundSeconds"],
    });
    if (!timeout.ok) throw new ToolError(timeout.error);
    this.admitForAgent();

    const now = this.ctx.clock.now();
    const record = newAgentRecord({
      id: this.newId(),
      name: request.name?.trim() || nameFromTask(request.task),
      parentId: caller.id,
      rootId: caller.rootId,
      depth: caller.depth + 1,
      role: plan.role,
      task: request.task,
      providerId: caller.providerId,
      model: caller.model,
      background: plan.background,
      createdAt: now,
      timeoutSeconds: timeout.seconds,
    });
    if (request.context !== undefined) record.context = request.context;
    if (plan.agentType !== undefined) record.agentType = plan.agentType;
    if (plan.allowedTools !== undefined) record.allowedTools = plan.allowedTools;
    if (plan.maxTurns !== undefined) record.maxTurns = plan.maxTurns;
    if (plan.reasoningEffort !== undefined) record.reasoningEffort = plan.reasoningEffort;
    if ((plan.isolation ?? settings.isolation) === "worktree") record.isolation = "worktree";
    this.start(record, (run) => this.childStartup(record, plan, run));
    if (plan.notGranted.length > 0) {
      this.ctx.logger.info(
        `agent ${record.id} (type ${plan.agentType}) does not get ${plan.notGranted.join(", ")}: its parent ${caller.id} lacks them`,
      );
    }
    return record;
  }

  /**
   * Starts a root agent for the user with an already resolved model. Its
   * startup only builds the conversation: the startup hook and agent types
   * apply to subagents.
   */
  startRoot(task: string, choice: ModelChoice): AgentRecord {
    const id = this.newId();
    const record = newAgentRecord({
      id,
      name: nameFromTask(task),
      parentId: null,
      rootId: id,
      depth: 0,
      role: "root",
      task,
      providerId: choice.providerId,
      model: choice.model,
      background: false,
      createdAt: this.ctx.clock.now(),
      timeoutSeconds: undefined,
    });
    this.start(record, async (run) => this.runBuilder.fresh(record, run));
    return record;
  }

  /**
   * The one way a new agent comes to life, root or child: it is in the tree
   * and its transcript says "spawned" before anything awaits, its run (and
   * deadline) begins as `pending_init`, and the slow startup continues in the background.
   */
  private start(record: AgentRecord, startup: (run: ActiveRun) => Promise<LoopInput | undefined>): void {
    this.registry.add(record);
    this.ctx.transcripts.append(record.id, {
      type: "spawned",
      at: record.createdAt,
      name: record.name,
      task: record.task,
      parentId: record.parentId,
      model: `${record.providerId}:${record.model}`,
      role: record.role,
    });
    this.runs.begin(record.id, "pending_init");
    void this.runs.execute(record.id, startup);
  }

  /**
   * What the child will be: the call's explicit values over its agent type's
   * defaults over the built-in defaults. Tools only narrow: a child never gets
   * a tool its parent lacks (a typed child gets the type's allow-list within
   * the parent's tools; an untyped child of a narrowed parent inherits its list).
   */
  private planSpawn(caller: AgentRecord, request: SpawnRequest): SpawnPlan {
    const explicit: AgentTypeRequest = {};
    if (request.role !== undefined) explicit.role = request.role;
    if (request.model !== undefined) explicit.model = request.model;
    if (request.timeoutSeconds !== undefined) explicit.timeoutSeconds = request.timeoutSeconds;
    if (request.background !== undefined) explicit.background = request.background;
    if (request.isolation !== undefined) explicit.isolation = request.isolation;
    let resolved: ResolvedAgentType | undefined;
    let typeError: string | undefined;
    if (request.agentType !== undefined) {
      const resolution = this.ctx.agentTypes
        ? this.ctx.agentTypes.resolve(request.agentType, explicit, this.runBuilder.toolNames(caller))
        : { error: `Unknown agent_type "${request.agentType}". No agent types are available. Omit agent_type to spawn a general agent.` };
      if ("error" in resolution) typeError = resolution.error;
      else resolved = resolution;
    }
    const chosen: AgentTypeRequest = resolved ?? explicit;
    let role = chosen.role ?? "leaf";
    // A type's orchestrator default yields to the depth limit (only an explicit role is refused).
    if (explicit.role === undefined && role === "orchestrator" && caller.depth + 1 >= this.ctx.settings().maxSpawnDepth) role = "leaf";
    const plan: SpawnPlan = {
      role,
      background: chosen.background ?? false,
      timeoutSeconds: chosen.timeoutSeconds,
      model: chosen.model,
      agentType: resolved?.agentType ?? request.agentType,
      allowedTools: resolved ? resolved.tools : caller.allowedTools !== undefined ? this.runBuilder.toolNames(caller) : undefined,
      notGranted: resolved?.notGranted ?? [],
      isolation: chosen.isolation,
    };
    if (resolved && resolved.systemPrompt.trim() !== "") plan.systemPrompt = resolved.systemPrompt;
    if (resolved?.maxTurns !== undefined) plan.maxTurns = resolved.maxTurns;
    if (resolved?.reasoningEffort !== undefined) plan.reasoningEffort = resolved.reasoningEffort;
    if (typeError !== undefined) plan.typeError = typeError;
    return plan;
  }

  /** Why one more waiting agent would exceed `maxQueuedAgents`, or undefined when it fits. */
  private queueOverflow(): string | undefined {
    const settings = this.ctx.settings();
    return queueOverflow({
      waiting: this.registry.countWhere((r) => r.status === "queued" || r.status === "pending_init"),
      held: this.slots.held,
      globalCap: settings.maxConcurrentAgents,
      maxQueued: settings.maxQueuedAgents,
    });
  }

  /** A spawn or message from an agent's tool: the model reads the refusal and can act on it. */
  private admitForAgent(): void {
    const overflow = this.queueOverflow();
    if (overflow) throw new ToolError(`${overflow} ${QUEUE_FULL_ADVICE_FOR_AGENTS}`);
  }

  /** A message from the user: the refusal is shown in VS Code. */
  private admitForUser(): void {
    const overflow = this.queueOverflow();
    if (overflow) throw new Error(`${overflow} ${QUEUE_FULL_ADVICE_FOR_USERS}`);
  }

  async spawnAgent(callerId: string, request: SpawnRequest, context: ToolContext): Promise<string> {
    const child = this.registerChild(callerId, request);
    if (child.background) {
      return reportText({ agent_id: child.id, name: child.name, status: child.status });
    }
    await context.waitWithoutSlot(`waiting for ${child.name}`, () => this.runs.whenRunEnds(child.id));
    return this.report(child.id);
  }

  async waitAgents(callerId: string, agentIds: string[], timeoutSeconds: number | undefined, context: ToolContext): Promise<string> {
    const ids = [...new Set(agentIds)];
    this.requireSubtree(callerId, ids);
    const active = ids.filter((id) => this.runs.isActive(id));
    if (active.length > 0) {
      const label = active.length === 1 ? (this.registry.get(active[0] ?? "")?.name ?? "1 agent") : `${active.length} agents`;
      await context.waitWithoutSlot(`waiting for ${label}`, () =>
        this.waitAll(active.map((id) => this.runs.whenRunEnds(id)), timeoutSeconds),
      );
    }
    return reportText(ids.map((id) => this.reportObject(id)));
  }

  sendMessage(callerId: string, agentId: string, message: string): string {
    this.requireSubtree(callerId, [agentId]);
    this.deliverFromAgent(agentId, message);
    const record = this.registry.require(agentId);
    return `Message delivered to ${record.name} (${agentId}); its status is ${record.status}.`;
  }

  interruptAgent(callerId: string, agentId: string): string {
    this.requireSubtree(callerId, [agentId]);
    this.runs.finish(agentId, "interrupted", "interrupted by its parent");
    return this.report(agentId);
  }

  listAgents(callerId: string): string {
    const list = this.registry.descendants(callerId).map((r) => ({
      agent_id: r.id,
      name: r.name,
      parent_id: r.parentId,
      depth: r.depth,
      role: r.role,
      status: r.status,
      ...(r.statusReason !== undefined ? { reason: r.statusReason } : {}),
      background: r.background,
    }));
    return list.length === 0 ? "You have no subagents." : reportText(list);
  }

  /** `send_message` from an agent to one of its subagents. */
  deliverFromAgent(agentId: string, message: string): void {
    this.deliver(agentId, message, undefined, () => this.admitForAgent());
  }

  /** A follow-up typed by the user; `modelRef` may re-target a finished agent's new run. */
  deliverFromUser(agentId: string, message: string, modelRef: string | undefined): void {
    this.deliver(agentId, message, modelRef, () => this.admitForUser());
  }

  /**
   * Queues a message; a finished agent starts a new run (rebuilt from its
   * transcript). `modelRef` re-targets the resumed run; it is validated and
   * saved only once the resume is accepted, so a refused resume (queue full,
   * unknown provider) leaves the agent's recorded model as it was, and the
   * run is classified (provider, cap) by the model it will actually use.
   */
  private deliver(agentId: string, message: string, modelRef: string | undefined, admit: () => void): void {
    const record = this.registry.require(agentId);
    if (message.trim() === "") throw new Error("The message is empty.");
    if (this.runs.isActive(agentId)) {
      if (modelRef !== undefined) throw new Error(`${record.name} is running; its model can change only when it is resumed.`);
      this.runs.enqueueMessage(agentId, message);
      this.registry.update(agentId, (r) => (r.lastEvent = "message received"));
      return;
    }
    const choice = resolveResumeModel(modelRef, record, this.ctx.settings());
    admit();
    this.registry.update(agentId, (r) => {
      r.providerId = choice.providerId;
      r.model = choice.model;
      r.lastEvent = "message received";
    });
    this.runs.enqueueMessage(agentId, message);
    const run = this.runs.begin(agentId, "queued");
    void this.runs.execute(agentId, () => this.runBuilder.resumed(record, run));
  }

  /**
   * Continues an agent that was queued, running or waiting when the window
   * closed: a new run from its transcript, with the work time its timeout
   * had left. The run builder finishes the tool calls the transcript left
   * open (see RunBuilder.resumed).
   */
  resumeAfterReload(record: AgentRecord, entry: ReloadResume): void {
    const run = this.runs.begin(record.id, "queued", { workMs: entry.workLeftMs });
    this.registry.update(record.id, (r) => {
      r.resumedAfterReload = true;
      r.lastEvent = RESUMED_AFTER_RELOAD;
    });
    void this.runs.execute(record.id, () => this.runBuilder.resumed(record, run, { afterReload: true, approvalCommand: entry.approvalCommand }));
  }

  private async childStartup(record: AgentRecord, plan: SpawnPlan, run: ActiveRun): Promise<LoopInput | undefined> {
    if (plan.typeError !== undefined) throw new StartupError(plan.typeError);
    let overrides: AgentStartupOverrides | undefined;
    try {
      const agent = this.registry.snapshot(record.id);
      if (agent && this.startupHook) {
        overrides = await this.startupHook({
          agent,
          ...(plan.agentType !== undefined ? { agentType: plan.agentType } : {}),
          signal: run.abort.signal,
        });
      }
    } catch (error) {
      throw new StartupError(errorMessage(error));
    }
    if (run.ended) return undefined;
    const parent = record.parentId !== null ? this.registry.get(record.parentId) : undefined;
    let choice;
    try {
      choice = resolveChildModel(overrides?.modelRef ?? plan.model, parent ?? record, this.ctx.settings());
    } catch (error) {
      throw new StartupError(errorMessage(error));
    }
    this.registry.update(record.id, (r) => {
      r.providerId = choice.providerId;
      r.model = choice.model;
      if (overrides?.agentType !== undefined) r.agentType = overrides.agentType;
    });
    if (record.isolation === "worktree" && record.worktree === undefined) {
      // Part of the startup, so a failure (no git repository) fails the child with its reason, never a silent fallback.
      let worktree;
      try {
        if (!this.ctx.workspaces) throw new Error("Worktree isolation is not available in this window; spawn the agent without isolation.");
        worktree = await this.ctx.workspaces.createWorktree(record);
      } catch (error) {
        throw new StartupError(errorMessage(error));
      }
      this.registry.update(record.id, (r) => (r.worktree = worktree));
      if (run.ended) return undefined;
    }
    const systemPrompt = overrides?.systemPrompt ?? plan.systemPrompt;
    return this.runBuilder.fresh(record, run, {
      ...overrides,
      ...(systemPrompt !== undefined ? { systemPrompt } : {}),
    });
  }

  private requireSubtree(callerId: string, ids: readonly string[]): void {
    const foreign = ids.filter((id) => !this.registry.isDescendant(callerId, id));
    if (foreign.length === 0) return;
    const own = this.registry.descendants(callerId).map((r) => r.id);
    throw new ToolError(
      `not one of your subagents: ${foreign.join(", ")}. ` +
        (own.length > 0 ? `Your subagents are: ${own.join(", ")}.` : "You have no subagents."),
    );
  }

  private waitAll(ends: Promise<void>[], timeoutSeconds: number | undefined): Promise<void> {
    const all = Promise.all(ends).then(() => undefined);
    if (timeoutSeconds === undefined) return all;
    let timer: IDisposable | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = this.ctx.clock.setTimeout(resolve, timeoutSeconds * 1000);
    });
    return Promise.race([all, timeout]).finally(() => timer?.dispose());
  }

  private reportObject(agentId: string): Record<string, unknown> {
    const snapshot = this.registry.snapshot(agentId);
    if (!snapshot) return { agent_id: agentId, status: "unknown", note: "this agent was cleared from the tree" };
    const settings = this.ctx.settings();
    return formatAgentReport(snapshot, {
      maxChars: settings["results.maxChars"],
      maxPartialChars: settings["results.maxPartialChars"],
    });
  }

  private report(agentId: string): string {
    return reportText(this.reportObject(agentId));
  }

  private newId(): string {
    return newAgentId(this.registry);
  }
}

/** A spawn after its agent type (if any) was applied. */
interface SpawnPlan {
  role: "leaf" | "orchestrator";
  background: boolean;
  timeoutSeconds: number | undefined;
  model: string | undefined;
  agentType: string | undefined;
  allowedTools: readonly string[] | undefined;
  notGranted: string[];
  /** Undefined = the user's default (`subagents.isolation`). */
  isolation: "none" | "worktree" | undefined;
  systemPrompt?: string;
  /** The agent type's turn budget; undefined = the setting. */
  maxTurns?: number;
  /** The agent type's reasoning effort; undefined = the model entry's or the provider's. */
  reasoningEffort?: ReasoningEffort;
  /** Set for an unknown agent type: the child's startup fails with it. */
  typeError?: string;
}

/** Eight hex characters: short for the model to repeat, unique within the tree. */
export function newAgentId(registry: { has(id: string): boolean }): string {
  for (;;) {
    const id = randomUUID().slice(0, 8);
    if (!registry.has(id)) return id;
  }
}

/** A short tree label from the task: its first line, cut at a word boundary. */
export function nameFromTask(task: string): string {
  const line = (task.split("\n").find((l) => l.trim() !== "") ?? "agent").trim();
  if (line.length <= 40) return line;
  const cut = line.slice(0, 40);
  const space = cut.lastIndexOf(" ");
  return `${space > 20 ? cut.slice(0, space) : cut}…`;
}
