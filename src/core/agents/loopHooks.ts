import type { CompletionResult, ToolCall } from "../llm/modelClient";
import type { StaleMonitor } from "../scheduler/staleMonitor";
import type { ToolContext } from "../tools/toolDefinition";
import { RECENT_TOOLS_KEPT } from "./agentRecord";
import type { AgentRegistry } from "./agentRegistry";
import { budgetSpent, wrapUpNote } from "./taskBudget";
import type { LoopHooks } from "./agentLoop";
import type { ActiveRun } from "./activeRun";
import { headAndTail, shortenedToolResult, storedOutputName, storedOutputPath } from "./storedToolOutputs";
import type { SupervisorContext } from "./supervisorContext";
import { showInvisibles } from "../protocol/visibleText";

export interface LoopHookDeps {
  registry: AgentRegistry;
  ctx: SupervisorContext;
  stale: StaleMonitor;
  ensureSlot(agentId: string): Promise<void>;
  drainInbox(agentId: string): string[];
  waitWithoutSlot<T>(agentId: string, reason: string, wait: () => Promise<T>): Promise<T>;
}

/**
 * Turns what the loop reports (chunks, completions, tool starts and ends)
 * into tree state: tokens, key fingerprint, current tool, recent tools,
 * usage lines in the transcript, and progress for the stale flag.
 */
export function createLoopHooks(run: ActiveRun, deps: LoopHookDeps): LoopHooks {
  const { registry, ctx, stale } = deps;
  const id = run.agentId;
  const touch = () => stale.touch(id, run.runningTools.length > 0);
  return {
    ensureSlot: () => deps.ensureSlot(id),
    drainInbox: () => {
      const messages = deps.drainInbox(id);
      if (run.toldBudgetSpent) return messages;
      const spent = budgetSpent(ctx.settings(), registry, id);
      if (!spent) return messages;
      // Once per agent (until the budget is raised): the next turn is its chance to answer.
      run.toldBudgetSpent = true;
      return [...messages, wrapUpNote(spent)];
    },
    onProgress: (keyFingerprint) => {
      touch();
      const record = registry.get(id);
      if (record && record.keyFingerprint !== keyFingerprint) {
        registry.update(id, (r) => (r.keyFingerprint = keyFingerprint));
      }
    },
    onKeyWait: (waiting) => {
      // A wait cut short by an interrupt ends with the run, which forgets the agent itself.
      if (run.abort.signal.aborted) return;
      // Waiting on the provider's limits is not being stuck: not watched until a key comes.
      if (waiting) stale.forget(id);
      else touch();
      registry.update(id, (r) => (r.lastEvent = waiting ? keyWaitText(waiting.until, ctx.clock.now()) : "calling the model"));
    },
    onCompletion: (result: CompletionResult) => {
      touch();
      registry.update(id, (r) => {
        r.tokensIn += result.usage.promptTokens;
        r.cachedTokensIn += result.usage.cachedInputTokens ?? 0;
        r.tokensOut += result.usage.completionTokens;
        r.keyFingerprint = result.keyFingerprint;
        r.lastEvent = result.toolCalls.length > 0 ? `model asked for ${result.toolCalls.length} tool call(s)` : "model answered";
      });
      ctx.transcripts.append(id, {
        type: "usage",
        at: ctx.clock.now(),
        promptTokens: result.usage.promptTokens,
        completionTokens: result.usage.completionTokens,
        keyFingerprint: result.keyFingerprint,
        ...(result.usage.cachedInputTokens ? { cachedTokens: result.usage.cachedInputTokens } : {}),
      });
    },
    onToolStart: (call: ToolCall) => {
      run.runningTools.push(call.name);
      touch();
      registry.update(id, (r) => {
        r.toolCount++;
        r.currentTool = call.name;
        r.lastEvent = `running ${call.name}`;
        r.recentTools.push({ name: call.name, preview: preview(call.arguments) });
        if (r.recentTools.length > RECENT_TOOLS_KEPT) r.recentTools.splice(0, r.recentTools.length - RECENT_TOOLS_KEPT);
      });
    },
    onToolEnd: (call: ToolCall, ok: boolean) => {
      const at = run.runningTools.indexOf(call.name);
      if (at >= 0) run.runningTools.splice(at, 1);
      touch();
      registry.update(id, (r) => {
        const current = run.runningTools[run.runningTools.length - 1];
        if (current !== undefined) r.currentTool = current;
        else delete r.currentTool;
        r.lastEvent = `${call.name} ${ok ? "done" : "failed"}`;
        const entry = [...r.recentTools].reverse().find((t) => t.name === call.name && t.ok === undefined);
        if (entry) entry.ok = ok;
      });
    },
    fitToolResult: (call: ToolCall, content: string) => fitToolResult(ctx, id, call, content),
    onCompacted: (round) => {
      touch();
      registry.update(id, (r) => {
        r.compactions = round;
        r.lastEvent = `compacted the conversation (×${round})`;
      });
    },
    toolContext: (call: ToolCall): ToolContext => ({
      agentId: id,
      callId: call.id,
      signal: run.abort.signal,
      waitWithoutSlot: (reason, wait) => deps.waitWithoutSlot(id, reason, wait),
    }),
  };
}

/**
 * A result within `results.maxToolChars` passes unchanged. A larger one is
 * stored whole (when a store is configured) and the model gets its head and
 * tail with the stored path to read the rest. A read of a stored result is
 * never stored again: the model is asked for a smaller range instead.
 */
async function fitToolResult(ctx: SupervisorContext, agentId: string, call: ToolCall, content: string): Promise<string> {
  const limit = ctx.settings()["results.maxToolChars"];
  if (content.length <= limit) return content;
  if (call.name === "read_file" && readsStoredOutput(call.arguments)) {
    const head = headAndTail(content, Math.max(200, limit - 200)).head;
    return `${head}\n[… ${content.length - head.length} characters of this range not shown: ask for fewer lines with start_line/end_line.]`;
  }
  let storedAs: string | undefined;
  if (ctx.toolOutputs) {
    const name = storedOutputName(call.id);
    try {
      await ctx.toolOutputs.save(agentId, name, content);
      storedAs = name;
    } catch (error) {
      ctx.logger.warn(`agent ${agentId}: could not store the large result of ${call.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return shortenedToolResult(content, limit, storedAs);
}

function readsStoredOutput(argumentsJson: string): boolean {
  try {
    const args = JSON.parse(argumentsJson) as { path?: unknown };
    return typeof args.path === "string" && storedOutputPath(args.path) !== undefined;
  } catch {
    return false;
  }
}

/** One line of a tool call's arguments for the tree; invisible characters escaped, as everywhere a command is shown. */
function preview(argumentsJson: string): string {
  const flat = showInvisibles(argumentsJson).replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}

/** What an agent waiting for a key shows in the tree. */
function keyWaitText(until: number | undefined, now: number): string {
  const base = "waiting for an API key with room (rate limits)";
  return until !== undefined && until > now ? `${base}, about ${Math.ceil((until - now) / 1000)} s` : base;
}
