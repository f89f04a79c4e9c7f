import type { Event } from "../core/common/emitter";
import type { Logger } from "../core/common/logger";
import type { UserControls } from "../core/agents/userControls";
import { isFinal } from "../core/agents/status";
import { isBudgetRoot } from "../core/protocol/agentActions";
import type { AgentSnapshot, KeyPoolSummary } from "../core/protocol/agentSnapshot";
import type { NoticeMessage, ToolbarCommand, WebviewMessageOf, WebviewMessageType } from "../core/protocol/messages";
import type { ChangeActions } from "./changes/agentChangeActions";
import type { WorktreeActionsApi } from "./worktrees/worktreeActions";
import { COMMAND_IDS, type CommandId } from "./commandIds";

/** What the agent tree needs from the rest of the extension; tests pass fakes. */
export interface AgentTreeDeps {
  readonly supervisor: UserControls;
  /** Healthy/cooling/invalid counts per provider; never a key. */
  readonly keySummary: () => readonly KeyPoolSummary[];
  readonly onDidChangeKeys: Event<void>;
  /** Runs a contributed command (`vscode.commands.executeCommand`). */
  readonly runCommand: (commandId: CommandId, ...args: unknown[]) => PromiseLike<unknown> | void;
  readonly copyToClipboard: (text: string) => PromiseLike<void>;
  readonly logger: Logger;
  /** Review, diff and revert of the agents' file changes. */
  readonly changes: ChangeActions;
  /** Merge and Discard of isolated agents' worktrees. */
  readonly worktrees: WorktreeActionsApi;
}

/** What a handler may do besides calling its dependencies. */
export interface HandlerContext {
  readonly deps: AgentTreeDeps;
  /** The webview (re)loaded: start the update stream with a full snapshot. */
  readonly onReady: () => void;
  readonly notify: (level: NoticeMessage["level"], message: string) => void;
}

type Handler<K extends WebviewMessageType> = (message: WebviewMessageOf<K>, ctx: HandlerContext) => void;
export type AgentTreeHandlers = { readonly [K in WebviewMessageType]: Handler<K> };

const TOOLBAR_COMMAND_IDS: Readonly<Record<ToolbarCommand, CommandId>> = {
  runTask: COMMAND_IDS.runTask,
  interruptAll: COMMAND_IDS.interruptAll,
  clearFinished: COMMAND_IDS.clearFinished,
  showKeyPool: COMMAND_IDS.showKeyPool,
  addApiKey: COMMAND_IDS.addApiKey,
};

/**
 * The agent a control targets, if the action still makes sense for it. The
 * view may lag behind the host by one interval, so an unknown or finished
 * agent is an ordinary, harmless refusal: logged and told to the user.
 */
function liveAgent(ctx: HandlerContext, agentId: string, action: string, allowFinal: boolean): AgentSnapshot | undefined {
  const agent = ctx.deps.supervisor.get(agentId);
  if (!agent) {
    ctx.deps.logger.info(`agent tree: ${action} ignored, no agent with id ${JSON.stringify(agentId)}`);
    ctx.notify("warning", "That agent no longer exists.");
    return undefined;
  }
  if (!allowFinal && isFinal(agent.status)) {
    ctx.deps.logger.info(`agent tree: ${action} ignored, ${agent.name} (${agent.id}) is ${agent.status}`);
    ctx.notify("info", `${agent.name} has already finished (${agent.status.replace("_", " ")}).`);
    return undefined;
  }
  return agent;
}

/** Runs a supervisor call; a refusal (documented to throw a user-fit Error) becomes a notice. */
function attempt(ctx: HandlerContext, action: string, call: () => void): void {
  try {
    call();
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.deps.logger.warn(`agent tree: ${action} refused: ${message}`);
    ctx.notify("error", message);
  }
}

function settle(ctx: HandlerContext, action: string, result: PromiseLike<unknown> | void): void {
  if (!result) return;
  result.then(undefined, (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    ctx.deps.logger.error(`agent tree: ${action} failed: ${message}`);
    ctx.notify("error", message);
  });
}

/** One handler per message type. Every message has already passed its zod schema. */
export const agentTreeHandlers: AgentTreeHandlers = {
  ready: (_message, ctx) => ctx.onReady(),

  interrupt: ({ agentId }, ctx) => {
    const agent = liveAgent(ctx, agentId, "interrupt", false);
    if (agent) attempt(ctx, "interrupt", () => ctx.deps.supervisor.interrupt(agent.id, "Interrupted from the agent tree"));
  },

  extendTimeout: ({ agentId, seconds }, ctx) => {
    const agent = liveAgent(ctx, agentId, "extendTimeout", false);
    if (agent) attempt(ctx, "extendTimeout", () => ctx.deps.supervisor.extendTimeout(agent.id, seconds));
  },

  setTimeout: ({ agentId, seconds }, ctx) => {
    const agent = liveAgent(ctx, agentId, "setTimeout", false);
    if (!agent) return;
    if (seconds === null && !agent.timeoutRemovable) {
      ctx.notify("info", `The timeout of ${agent.name} cannot be removed (background agents always have a limit).`);
      return;
    }
    attempt(ctx, "setTimeout", () => ctx.deps.supervisor.setTimeout(agent.id, seconds));
  },

  // The page is not trusted to say which agent is a root with a budget: the host's own copy decides.
  raiseBudget: ({ agentId }, ctx) => {
    const agent = liveAgent(ctx, agentId, "raiseBudget", true);
    if (!agent) return;
    if (!isBudgetRoot(agent)) {
      ctx.deps.logger.warn(`agent tree: raiseBudget ignored, ${agent.id} is ${agent.parentId !== null ? "not a root" : "a task without a budget"}`);
      ctx.notify("info", agent.parentId !== null ? `${agent.name} is a subagent; raise the budget on its task's root.` : `The task of ${agent.name} has no budget to raise.`);
      return;
    }
    settle(ctx, "raiseBudget", ctx.deps.runCommand(COMMAND_IDS.raiseBudget, agent.id));
  },

  sendMessage: ({ agentId, message }, ctx) => {
    const agent = liveAgent(ctx, agentId, "sendMessage", true);
    if (agent) attempt(ctx, "sendMessage", () => ctx.deps.supervisor.sendMessage(agent.id, message));
  },

  resolveApproval: ({ agentId, requestId, decision }, ctx) => {
    const agent = liveAgent(ctx, agentId, "resolveApproval", false);
    if (!agent) return;
    if (agent.pendingApproval?.requestId !== requestId) {
      ctx.deps.logger.info(`agent tree: approval ${requestId} of ${agent.id} is no longer pending`);
      ctx.notify("info", `That command approval of ${agent.name} was already answered.`);
      return;
    }
    attempt(ctx, "resolveApproval", () => ctx.deps.supervisor.resolveApproval(requestId, decision));
  },

  openTranscript: ({ agentId }, ctx) => {
    const agent = liveAgent(ctx, agentId, "openTranscript", true);
    if (agent) settle(ctx, "openTranscript", ctx.deps.runCommand(COMMAND_IDS.openTranscript, agent.id));
  },

  copyResult: ({ agentId }, ctx) => {
    const agent = liveAgent(ctx, agentId, "copyResult", true);
    if (!agent) return;
    const text = agent.result ?? agent.error;
    if (text === undefined) {
      ctx.notify("info", `${agent.name} has no result yet.`);
      return;
    }
    const copied = ctx.deps.copyToClipboard(text).then(() =>
      ctx.notify("info", `Copied the ${agent.result === undefined ? "error" : "result"} of ${agent.name}.`),
    );
    settle(ctx, "copyResult", copied);
  },

  setSpawningPaused: ({ paused }, ctx) => {
    if (ctx.deps.supervisor.spawningPaused === paused) return;
    attempt(ctx, "setSpawningPaused", () => ctx.deps.supervisor.setSpawningPaused(paused));
  },

  runCommand: ({ command }, ctx) => {
    settle(ctx, command, ctx.deps.runCommand(TOOLBAR_COMMAND_IDS[command]));
  },

  // Change review works on finished agents too: that is when most changes are looked at.
  openChange: ({ agentId, path }, ctx) => {
    const agent = liveAgent(ctx, agentId, "openChange", true);
    if (agent) settle(ctx, "openChange", ctx.deps.changes.openDiff(agent.id, path));
  },

  reviewChanges: ({ agentId }, ctx) => {
    const agent = liveAgent(ctx, agentId, "reviewChanges", true);
    if (agent) settle(ctx, "reviewChanges", ctx.deps.changes.review(agent.id));
  },

  revertChanges: ({ agentId, scope, path }, ctx) => {
    const agent = liveAgent(ctx, agentId, "revertChanges", true);
    if (agent) settle(ctx, "revertChanges", ctx.deps.changes.revert(agent.id, scope, path));
  },

  keepChanges: ({ agentId, scope, path }, ctx) => {
    const agent = liveAgent(ctx, agentId, "keepChanges", true);
    if (agent) attempt(ctx, "keepChanges", () => ctx.deps.changes.keep(agent.id, scope, path));
  },

  mergeWorktree: ({ agentId }, ctx) => {
    const agent = liveAgent(ctx, agentId, "mergeWorktree", true);
    if (agent) settle(ctx, "mergeWorktree", ctx.deps.worktrees.merge(agent.id));
  },

  discardWorktree: ({ agentId }, ctx) => {
    const agent = liveAgent(ctx, agentId, "discardWorktree", true);
    if (agent) settle(ctx, "discardWorktree", ctx.deps.worktrees.discard(agent.id));
  },
};
