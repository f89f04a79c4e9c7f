import type { CompletionResult, ModelClient, ToolCall } from "../llm/modelClient";
import { parseToolArguments, toToolSpec, type AgentTool, type ToolContext } from "../tools/toolDefinition";
import { errorMessage, raceAbort, RunAborted, throwIfAborted } from "./abort";
import type { Conversation } from "./conversation";
import type { PartialOutput } from "./resultFormat";

/** A model that never stops calling tools ends here with a clear reason instead of spending tokens forever. */
export const DEFAULT_MAX_TURNS = 50;
/** A single tool result larger than this would crowd the model's context out. */
export const MAX_TOOL_RESULT_CHARS = 40_000;

export interface LoopInput {
  agentId: string;
  role: "root" | "subagent";
  /** Groups the requests of one agent tree for the provider's prompt cache. */
  cacheKey?: string;
  providerId: string;
  model: string;
  conversation: Conversation;
  tools: readonly AgentTool[];
  client: ModelClient;
  signal: AbortSignal;
  maxTurns: number;
  partial: PartialOutput;
}

/** How the loop tells the supervisor what happens; the supervisor owns status and slots. */
export interface LoopHooks {
  /** Resolves once the agent holds an execution slot; rejects when the run is aborted. */
  ensureSlot(): Promise<void>;
  /** Messages that arrived since the last turn (send_message). */
  drainInbox(): string[];
  onProgress(keyFingerprint: string): void;
  onCompletion(result: CompletionResult): void;
  onToolStart(call: ToolCall): void;
  onToolEnd(call: ToolCall, ok: boolean, content: string): void;
  toolContext(call: ToolCall): ToolContext;
}

export type LoopOutcome = { kind: "completed"; text: string } | { kind: "failed"; error: string };

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
  for (;;) {
    for (const message of hooks.drainInbox()) conversation.user(message);
    if (turns >= setup.maxTurns) {
      return {
        kind: "failed",
        error: `stopped after ${setup.maxTurns} turns without a final answer (turn budget); split the task or send a message to continue`,
      };
    }
    await hooks.ensureSlot();
    throwIfAborted(signal);
    turns++;
    let result: CompletionResult;
    try {
      result = await raceAbort(
        setup.client.complete({
          providerId: setup.providerId,
          model: setup.model,
          messages: conversation.messages,
          ...(specs.length > 0 ? { tools: specs } : {}),
          signal,
          agent: { id: setup.agentId, role: setup.role },
          ...(setup.cacheKey !== undefined ? { cacheKey: setup.cacheKey } : {}),
          onProgress: (progress) => {
            // A retry restarts the stream: text of the failed attempt is not partial output.
            if (progress.restarted) setup.partial.endTurn();
            if (progress.textDelta) setup.partial.appendDelta(progress.textDelta);
            hooks.onProgress(progress.keyFingerprint);
          },
        }),
        signal,
      );
    } catch (error) {
      if (signal.aborted) throw new RunAborted(signal.reason);
      return { kind: "failed", error: `model call failed: ${errorMessage(error)}` };
    }
    throwIfAborted(signal);
    setup.partial.endTurn();
    hooks.onCompletion(result);
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
    return { ok: true, content: capToolResult(content) };
  } catch (error) {
    if (signal.aborted) return { ok: false, content: "Error: the agent was stopped while this tool ran." };
    return { ok: false, content: capToolResult(`Error: ${errorMessage(error)}`) };
  }
}

function capToolResult(content: string): string {
  if (content.length <= MAX_TOOL_RESULT_CHARS) return content;
  const cut = content.length - MAX_TOOL_RESULT_CHARS;
  return `${content.slice(0, MAX_TOOL_RESULT_CHARS)}\n[tool result truncated: ${cut} of ${content.length} characters cut]`;
}
