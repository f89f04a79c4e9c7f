import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { ToolCall, Usage } from "./modelClient";

/**
 * Builds one reply from `ChatCompletionChunk`s. Tool calls arrive as
 * fragments keyed by `index`: id and name in the first, arguments spread
 * over the rest; some compatible servers repeat the id, so it is only taken once.
 */
export class StreamAssembler {
  private content = "";
  private readonly calls = new Map<number, ToolCall>();
  private finish: string | null = null;
  private usage: Usage | undefined;

  /** Returns the text delta of this chunk ("" when none). */
  add(chunk: ChatCompletionChunk): string {
    if (chunk.usage) {
      const usage: Usage = { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 };
      const reasoning = chunk.usage.completion_tokens_details?.reasoning_tokens;
      if (typeof reasoning === "number" && reasoning > 0) usage.reasoningTokens = reasoning;
      const cached = chunk.usage.prompt_tokens_details?.cached_tokens;
      if (typeof cached === "number" && cached > 0) usage.cachedInputTokens = cached;
      this.usage = usage;
    }
    let text = "";
    for (const choice of chunk.choices ?? []) {
      if (choice.index !== 0) continue;
      const delta = choice.delta;
      if (typeof delta?.content === "string" && delta.content.length > 0) {
        this.content += delta.content;
        text += delta.content;
      }
      for (const fragment of delta?.tool_calls ?? []) {
        let call = this.calls.get(fragment.index);
        if (!call) {
          call = { id: "", name: "", arguments: "" };
          this.calls.set(fragment.index, call);
        }
        if (fragment.id && !call.id) call.id = fragment.id;
        if (fragment.function?.name && !call.name) call.name = fragment.function.name;
        if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
      }
      if (choice.finish_reason) this.finish = choice.finish_reason;
    }
    return text;
  }

  get finished(): boolean {
    return this.finish !== null;
  }

  result(): { content: string; toolCalls: ToolCall[]; finishReason: string | null; usage: Usage } {
    const toolCalls = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({ ...call, id: call.id || `call_${index}` }));
    return {
      content: this.content,
      toolCalls,
      finishReason: this.finish,
      usage: this.usage ?? { promptTokens: 0, completionTokens: 0 },
    };
  }
}

/** Tool calls whose arguments are not a JSON object ("" counts as `{}`, for tools without parameters). */
export function malformedToolCalls(calls: readonly ToolCall[]): ToolCall[] {
  return calls.filter((call) => {
    if (call.arguments.trim() === "") return false;
    try {
      const parsed: unknown = JSON.parse(call.arguments);
      return typeof parsed !== "object" || parsed === null || Array.isArray(parsed);
    } catch {
      return true;
    }
  });
}
