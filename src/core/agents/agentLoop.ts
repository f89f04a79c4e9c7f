import type { ReasoningEffort } from "../common/reasoningEffort";
import type { ChatMessage, CompletionResult, ModelClient, ToolCall, ToolSpec } from "../llm/modelClient";
import { ModelCallError } from "../llm/modelCallError";
import type { ContextMeter } from "../context/contextMeter";
import { planCompaction } from "../context/compactor";
import { cutOffResult, type CutOffCall } from "./reloadResume";
import { parseToolArguments, toToolSpec, type AgentTool, type ToolContext } from "../tools/toolDefinition";
import { errorMessage, raceAbort, RunAborted, throwIfAborted } from "./abort";
import type { Conversation } from "./conversation";
import type { PartialOutput } from "./resultFormat";


export interface LoopInput {
  agentId: string;
  role: "root" | "subagent";
  /** Groups the requests of one agent tree for the provider's prompt cache. */
  cacheKey?: string;
  providerId: string;
  model: string;
  /** The agent type's reasoning effort; undefined = the model entry's or the provider's. */
  reasoningEffort?: ReasoningEffort;
  conversation: Conversation;
  tools: readonly AgentTool[];
  client: ModelClient;
  signal: AbortSignal;
  maxTurns: number;
  partial: PartialOutput;
  /** Measures the conversation against the model's context window. */
  meter: ContextMeter;
  /** Tool calls a window reload cut off, finished before the first model call. */
  cutOff?: CutOffCall[];
}

/** How the loop tells the supervisor what happens; the supervisor owns status and slots. */
export interface LoopHooks {
  /** Resolves once the agent holds an execution slot; rejects when the run is aborted. */
  ensureSlot(): Promise<void>;
  /** Messages that arrived since the last turn (send_message). */
  drainInbox(): string[];
  onProgress(keyFingerprint: string): void;
  /** The model call waits for a key with room (see CompletionRequest.onKeyWait). */
  onKeyWait?(waiting: { until?: number } | undefined): void;
  onCompletion(result: CompletionResult): void;
  onToolStart(call: ToolCall): void;
  onToolEnd(call: ToolCall, ok: boolean, content: string): void;
  /** What the model gets of a tool result: the result itself, or its head and tail when it is too large. */
  fitToolResult(call: ToolCall, content: string): Promise<string>;
  /** The conversation was compacted (round = how often so far). */
  onCompacted(round: number): void;
  toolContext(call: ToolCall): ToolContext;
}

/** `note` (when set) is the status reason of a completion that was not an ordinary one. */
export type LoopOutcome = { kind: "completed"; text: string; note?: string } | { kind: "failed"; error: string };

/** What the model is told when its turn budget is spent; its next answer is its last. */
export function turnBudgetMessage(maxTurns: number): string {
  return (
    `You have used your budget of ${maxTurns} turns, so tools are no longer available. ` +
    "Give your final answer now: what you did, what you found or changed, and what is still open."
  );
}

/**
 * One run of an agent: turns of "stream a completion, run its tool calls in
 * parallel" until the model answers without tool calls. Aborting the run's
 * signal makes this throw RunAborted promptly (mid-stream or mid-tool); the
 * supervisor already set the final status, so nothing here may set one.
 */
export async function runAgentLoop(setup: LoopInput, hooks: LoopHooks): Promise<LoopOutcome> {
  const { conversation, signal } = setup;
  const byName = new Map(setup.tools.map((t) => [t.name, t]));
  const specs = setup.tools.map(toToolSpec);
  let turns = 0;
  if (setup.cutOff && setup.cutOff.length > 0) await finishCutOffCalls(setup, setup.cutOff, byName, hooks);
  for (;;) {
    for (const message of hooks.drainInbox()) conversation.user(message);
    if (turns >= setup.maxTurns) return lastTurnWithoutTools(setup, hooks);
    await hooks.ensureSlot();
    throwIfAborted(signal);
    turns++;
    const called = await callModel(setup, hooks, specs);
    if (called.kind === "failed") return called;
    const result = called.result;
    conversation.assistant(result.content, result.toolCalls, result.replay);
    setup.partial.appendMessage(result.content);
    if (result.toolCalls.length === 0) {
      const pending = hooks.drainInbox();
      if (pending.length === 0) return { kind: "completed", text: result.content };
      for (const message of pending) conversation.user(message);
      continue;
    }
    const outcomes = await Promise.all(result.toolCalls.map((call) => runTool(call, byName, hooks, signal)));
    throwIfAborted(signal);
    result.toolCalls.forEach((call, i) => {
      const outcome = outcomes[i] ?? { ok: false, content: "Error: no result" };
      conversation.toolResult(call.id, call.name, outcome.ok, outcome.content);
    });
  }
}

/**
 * The turn after the budget is spent: the model is told so and called
 * without tools. An answer completes the run with a note; none (or only
 * tool calls, which cannot run) fails it, keeping the partial output.
 */
async function lastTurnWithoutTools(setup: LoopInput, hooks: LoopHooks): Promise<LoopOutcome> {
  const budget = `turn budget of ${setup.maxTurns} turns reached`;
  setup.conversation.user(turnBudgetMessage(setup.maxTurns));
  await hooks.ensureSlot();
  throwIfAborted(setup.signal);
  const called = await callModel(setup, hooks, []);
  if (called.kind === "failed") return called;
  const text = called.result.content;
  setup.conversation.assistant(text, []);
  setup.partial.appendMessage(text);
  if (text.trim() === "") {
    return { kind: "failed", error: `stopped: ${budget} and the last turn gave no answer; split the task or send a message to continue` };
  }
  return { kind: "completed", text, note: `finished at the ${budget}; the last answer was given without tools` };
}

type ModelCall = { kind: "ok"; result: CompletionResult } | { kind: "failed"; error: string; tooLong?: boolean };

/**
 * One model call of a turn. The conversation is compacted first when the
 * request would pass the budget; when the provider still refuses it as too
 * long, it is compacted harder and the call is made once more.
 */
async function callModel(setup: LoopInput, hooks: LoopHooks, specs: readonly ToolSpec[]): Promise<ModelCall> {
  await fitContext(setup, hooks, specs, false);
  const first = await attemptModelCall(setup, hooks, specs);
  if (first.kind === "ok" || !first.tooLong) return first;
  if (!(await fitContext(setup, hooks, specs, true))) return first;
  return attemptModelCall(setup, hooks, specs);
}

async function attemptModelCall(setup: LoopInput, hooks: LoopHooks, specs: readonly ToolSpec[]): Promise<ModelCall> {
  const { signal } = setup;
  let result: CompletionResult;
  try {
    result = await raceAbort(
      setup.client.complete({
        providerId: setup.providerId,
        model: setup.model,
        messages: setup.conversation.messages,
        ...(specs.length > 0 ? { tools: specs } : {}),
        ...(setup.reasoningEffort !== undefined ? { reasoningEffort: setup.reasoningEffort } : {}),
        signal,
        agent: { id: setup.agentId, role: setup.role },
        ...(setup.cacheKey !== undefined ? { cacheKey: setup.cacheKey } : {}),
        onProgress: (progress) => {
          // A retry restarts the stream: text of the failed attempt is not partial output.
          if (progress.restarted) setup.partial.endTurn();
          if (progress.textDelta) setup.partial.appendDelta(progress.textDelta);
          hooks.onProgress(progress.keyFingerprint);
        },
        onKeyWait: (waiting) => hooks.onKeyWait?.(waiting),
      }),
      signal,
    );
  } catch (error) {
    if (signal.aborted) throw new RunAborted(signal.reason);
    const tooLong = error instanceof ModelCallError && error.kind === "context_length";
    return { kind: "failed", error: `model call failed: ${errorMessage(error)}`, tooLong };
  }
  throwIfAborted(signal);
  setup.partial.endTurn();
  hooks.onCompletion(result);
  return { kind: "ok", result };
}

/** Compacts the conversation when it needs it (or, with `force`, whenever it can); true when it did. */
async function fitContext(setup: LoopInput, hooks: LoopHooks, specs: readonly ToolSpec[], force: boolean): Promise<boolean> {
  const { conversation } = setup;
  await setup.meter.ready();
  const marker = await planCompaction({
    messages: conversation.messages,
    specs,
    meter: setup.meter,
    round: conversation.compactions + 1,
    force,
    summarize: (messages) => summarize(setup, hooks, messages),
  });
  throwIfAborted(setup.signal);
  if (!marker) return false;
  conversation.compact(marker);
  hooks.onCompacted(marker.round);
  return true;
}

/** The model's summary of its older turns (no tools); undefined when the call failed, so a plain list stands in. */
async function summarize(setup: LoopInput, hooks: LoopHooks, messages: ChatMessage[]): Promise<string | undefined> {
  try {
    const result = await raceAbort(
      setup.client.complete({
        providerId: setup.providerId,
        model: setup.model,
        messages,
        ...(setup.reasoningEffort !== undefined ? { reasoningEffort: setup.reasoningEffort } : {}),
        signal: setup.signal,
        agent: { id: setup.agentId, role: setup.role },
        onProgress: (progress) => hooks.onProgress(progress.keyFingerprint),
        onKeyWait: (waiting) => hooks.onKeyWait?.(waiting),
      }),
      setup.signal,
    );
    hooks.onCompletion(result);
    return result.content;
  } catch {
    if (setup.signal.aborted) throw new RunAborted(setup.signal.reason);
    return undefined;
  }
}

/** Runs again the cut-off calls that change nothing; tells the model about the others. */
async function finishCutOffCalls(setup: LoopInput, cutOff: readonly CutOffCall[], byName: ReadonlyMap<string, AgentTool>, hooks: LoopHooks): Promise<void> {
  await hooks.ensureSlot();
  throwIfAborted(setup.signal);
  // The attempts the reload cut off end as failed in the tree; a re-run shows as a call of its own.
  for (const { call } of cutOff) hooks.onToolEnd(call, false, cutOffResult(call));
  const outcomes = await Promise.all(
    cutOff.map((c) => (c.rerun ? runTool(c.call, byName, hooks, setup.signal) : Promise.resolve({ ok: false, content: cutOffResult(c.call) }))),
  );
  throwIfAborted(setup.signal);
  cutOff.forEach(({ call }, i) => {
    const outcome = outcomes[i] ?? { ok: false, content: cutOffResult(call) };
    setup.conversation.toolResult(call.id, call.name, outcome.ok, outcome.content);
  });
}

async function runTool(
  call: ToolCall,
  byName: ReadonlyMap<string, AgentTool>,
  hooks: LoopHooks,
  signal: AbortSignal,
): Promise<{ ok: boolean; content: string }> {
  hooks.onToolStart(call);
  const outcome = await executeTool(call, byName, hooks, signal);
  if (!signal.aborted) hooks.onToolEnd(call, outcome.ok, outcome.content);
  return outcome;
}

async function executeTool(
  call: ToolCall,
  byName: ReadonlyMap<string, AgentTool>,
  hooks: LoopHooks,
  signal: AbortSignal,
): Promise<{ ok: boolean; content: string }> {
  const tool = byName.get(call.name);
  if (!tool) {
    const names = [...byName.keys()].join(", ");
    return { ok: false, content: `Error: there is no tool named "${call.name}". Available tools: ${names || "none"}.` };
  }
  const parsed = parseToolArguments(tool, call.arguments);
  if (!parsed.ok) return { ok: false, content: `Error: ${parsed.error}` };
  try {
    const content = await raceAbort(tool.execute(parsed.args, hooks.toolContext(call)), signal);
    return { ok: true, content: await raceAbort(hooks.fitToolResult(call, content), signal) };
  } catch (error) {
    if (signal.aborted) return { ok: false, content: "Error: the agent was stopped while this tool ran." };
    return { ok: false, content: await hooks.fitToolResult(call, `Error: ${errorMessage(error)}`) };
  }
}
