import type { ChatMessage, CompletionRequest, CompletionResult, ModelClient, ToolSpec } from "../../src/core/llm/modelClient";

export interface ScriptedTurn {
  text?: string;
  toolCalls?: Array<{ name: string; arguments: string | Record<string, unknown> }>;
  /** Time the "stream" takes; progress heartbeats arrive every `chunkMs`. */
  delayMs?: number;
  chunkMs?: number;
  /** Fails the call (after the delay) with this message. */
  error?: string;
  usage?: { promptTokens: number; completionTokens: number };
}

export interface ScriptedCall {
  agentId: string;
  role: "root" | "subagent";
  providerId: string;
  model: string;
  messages: readonly ChatMessage[];
  tools: readonly ToolSpec[];
  /** Completed assistant turns in the conversation so far. */
  turn: number;
  /** The agent's task (first user message). */
  task: string;
  /** 0-based count of calls to this client. */
  index: number;
  /** The caller's "waiting for a key" callback, for a script that plays a key pool at its limit. */
  onKeyWait?: CompletionRequest["onKeyWait"];
}

export type ModelScript = (call: ScriptedCall) => ScriptedTurn | Promise<ScriptedTurn>;

/**
 * A ModelClient for unit tests: answers from a script, takes its time with
 * real (tracked) timers, honours the abort signal at once, and counts calls
 * in flight overall and per provider.
 */
export class ScriptedModelClient implements ModelClient {
  inFlight = 0;
  maxInFlight = 0;
  readonly inFlightByProvider = new Map<string, number>();
  readonly maxInFlightByProvider = new Map<string, number>();
  readonly calls: ScriptedCall[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private ids = 0;

  constructor(public script: ModelScript, private readonly keyFingerprint = "…test") {}

  get pendingTimers(): number {
    return this.timers.size;
  }

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const firstUser = request.messages.find((m) => m.role === "user");
    const call: ScriptedCall = {
      agentId: request.agent.id,
      role: request.agent.role,
      providerId: request.providerId,
      model: request.model,
      messages: [...request.messages],
      tools: request.tools ?? [],
      turn: request.messages.filter((m) => m.role === "assistant").length,
      task: typeof firstUser?.content === "string" ? firstUser.content : "",
      index: this.calls.length,
      ...(request.onKeyWait ? { onKeyWait: request.onKeyWait } : {}),
    };
    this.calls.push(call);
    this.enter(request.providerId);
    try {
      const turn = await this.script(call);
      const delay = turn.delayMs ?? 0;
      const chunk = Math.max(1, turn.chunkMs ?? Math.max(1, delay));
      let waited = 0;
      while (waited < delay) {
        const step = Math.min(chunk, delay - waited);
        await this.sleep(step, request.signal);
        waited += step;
        request.onProgress?.({ keyFingerprint: this.keyFingerprint, ...(turn.text ? { textDelta: "." } : {}) });
      }
      if (request.signal.aborted) throw abortError();
      if (turn.error !== undefined) throw new Error(turn.error);
      return {
        content: turn.text ?? "",
        toolCalls: (turn.toolCalls ?? []).map((c) => ({
          id: `call_${++this.ids}`,
          name: c.name,
          arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments),
        })),
        finishReason: turn.toolCalls?.length ? "tool_calls" : "stop",
        usage: turn.usage ?? { promptTokens: 10, completionTokens: 5 },
        keyFingerprint: this.keyFingerprint,
      };
    } finally {
      this.leave(request.providerId);
    }
  }

  private enter(providerId: string): void {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const n = (this.inFlightByProvider.get(providerId) ?? 0) + 1;
    this.inFlightByProvider.set(providerId, n);
    this.maxInFlightByProvider.set(providerId, Math.max(n, this.maxInFlightByProvider.get(providerId) ?? 0));
  }

  private leave(providerId: string): void {
    this.inFlight--;
    this.inFlightByProvider.set(providerId, (this.inFlightByProvider.get(providerId) ?? 1) - 1);
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(abortError());
        return;
      }
      const onAbort = () => {
        clearTimeout(handle);
        this.timers.delete(handle);
        reject(abortError());
      };
      const handle = setTimeout(() => {
        this.timers.delete(handle);
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      this.timers.add(handle);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}

function abortError(): Error {
  const error = new Error("aborted");
  error.name = "AbortError";
  return error;
}

/** The text of the last tool result in a conversation (what a scripted agent "sees"). */
export function lastToolResult(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role === "tool") return typeof m.content === "string" ? m.content : "";
  }
  return "";
}
