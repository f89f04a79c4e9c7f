import { Anthropic, APIError } from "@anthropic-ai/sdk";
import type { ReasoningEffort } from "../common/reasoningEffort";
import type {
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  RawMessageStreamEvent,
  RedactedThinkingBlockParam,
  TextBlockParam,
  ThinkingBlockParam,
  Tool,
} from "@anthropic-ai/sdk/resources/messages/messages";
import type { ClientOptions } from "openai";
import type { ProviderConfig } from "../settings/schema";
import { IncompleteStreamError } from "./failure";
import type { ChatMessage, ToolCall, ToolSpec, Usage } from "./modelClient";
import { argumentsObject, openedStream, SdkClientCache, textOf, withoutAuthHeaders, type ModelTransport, type OpenedStream, type TransportCall, type TransportReply } from "./transport";

/** Output tokens asked for per reply; the Messages API requires a limit. */
export const ANTHROPIC_MAX_TOKENS = 8192;

/**
 * Extended-thinking budgets for the reasoning efforts (the API's minimum is
 * 1,024). Thinking tokens count toward `max_tokens`, so the reply's own limit
 * is added on top, up to the smallest output limit of the thinking models.
 * `none`, or no effort at all, sends no `thinking` parameter.
 */
export const THINKING_BUDGETS: Readonly<Record<ReasoningEffort, number>> = {
  none: 0,
  minimal: 1_024,
  low: 2_048,
  medium: 8_192,
  high: 16_384,
  xhigh: 24_576,
};
const THINKING_MAX_TOKENS = 32_000;

const EPHEMERAL = { type: "ephemeral" } as const;
/** Four breakpoints are allowed: tools, system prompt, the last turn, and one in the conversation. */
const MESSAGE_BREAKPOINTS = 1;

/**
 * Anthropic's Messages API (`/v1/messages`) on `@anthropic-ai/sdk`. The key
 * goes in `x-api-key`. Prompt caching needs explicit breakpoints: one after
 * the tool definitions, one after the system prompt, one where a shared
 * context handed to sibling agents ends, and one on the last block of the
 * conversation so the next turn reads everything before it from the cache
 * (at most four are allowed).
 */
export class AnthropicTransport implements ModelTransport {
  readonly api = "anthropic" as const;
  private readonly clients = new SdkClientCache<Anthropic>();

  constructor(private readonly fetchImpl?: ClientOptions["fetch"]) {}

  async open(call: TransportCall): Promise<OpenedStream> {
    const { system, messages } = toAnthropicMessages(call.messages);
    const effort = call.options?.reasoningEffort;
    const budget = effort && !pendingTurnLacksThinking(messages) ? THINKING_BUDGETS[effort] : 0;
    const params: MessageCreateParamsStreaming = {
      model: call.model,
      max_tokens: budget > 0 ? Math.min(ANTHROPIC_MAX_TOKENS + budget, THINKING_MAX_TOKENS) : ANTHROPIC_MAX_TOKENS,
      messages,
      stream: true,
    };
    if (budget > 0) params.thinking = { type: "enabled", budget_tokens: budget };
    if (system !== "") params.system = [{ type: "text", text: system, cache_control: EPHEMERAL }];
    if (call.tools.length > 0) params.tools = toAnthropicTools(call.tools);
    const sdk = this.client(call.provider, call.key);
    const { data: stream, response } = await sdk.messages.create(params, { signal: call.signal, headers: call.headers }).withResponse();
    return openedStream(response.headers, stream, new AnthropicAssembler());
  }

  clear(): void {
    this.clients.clear();
  }

  private client(provider: ProviderConfig, key: string | undefined): Anthropic {
    const headers = withoutAuthHeaders(provider.headers);
    return this.clients.get(provider, key, headers, () =>
      new Anthropic({
        // The SDK appends `/v1/messages`; our baseUrls end in `/v1` for every API.
        baseURL: provider.baseUrl.replace(/\/v1\/?$/, ""),
        // A credential passed here stops the SDK from reading one from the
        // environment or a profile. The SDK would send it as a Bearer token;
        // Anthropic's documented header (and what proxies expect) is x-api-key,
        // so that is set and Authorization removed. Without a key both go.
        apiKey: key ?? "keyless",
        maxRetries: 0,
        defaultHeaders: { ...headers, "x-api-key": key ?? null, authorization: null },
        logLevel: "off",
        ...(this.fetchImpl ? { fetch: this.fetchImpl as NonNullable<ConstructorParameters<typeof Anthropic>[0]>["fetch"] } : {}),
      }),
    );
  }
}

/**
 * System messages become the system prompt; tool results become
 * `tool_result` blocks of a user turn; consecutive turns of one role are
 * merged, because the API wants user and assistant turns to alternate.
 */
export function toAnthropicMessages(list: readonly ChatMessage[]): { system: string; messages: MessageParam[] } {
  const system: string[] = [];
  const messages: Array<{ role: "user" | "assistant"; content: ContentBlockParam[] }> = [];
  let breakpoints = 0;
  const push = (role: "user" | "assistant", blocks: ContentBlockParam[]) => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const message of list) {
    switch (message.role) {
      case "system":
      case "developer":
        system.push(textOf(message.content));
        break;
      case "user": {
        const text = textOf(message.content) || " ";
        const shared = message.sharedChars ?? 0;
        if (shared > 0 && shared < text.length && breakpoints < MESSAGE_BREAKPOINTS) {
          // A breakpoint where the siblings' shared context ends: their requests read it from the cache.
          breakpoints++;
          push("user", [
            { type: "text", text: text.slice(0, shared), cache_control: EPHEMERAL },
            { type: "text", text: text.slice(shared) },
          ]);
        } else {
          push("user", [{ type: "text", text }]);
        }
        break;
      }
      case "assistant": {
        // Thinking blocks go back first and unchanged: their signature covers them.
        const blocks: ContentBlockParam[] = message.replay?.api === "anthropic" ? [...(message.replay.items as ContentBlockParam[])] : [];
        const text = textOf(message.content);
        if (text !== "") blocks.push({ type: "text", text });
        for (const call of message.tool_calls ?? []) {
          if (call.type !== "function") continue;
          blocks.push({ type: "tool_use", id: call.id, name: call.function.name, input: argumentsObject(call.function.arguments) });
        }
        // An empty assistant turn is refused; a placeholder keeps the turns alternating.
        push("assistant", blocks.length > 0 ? blocks : [{ type: "text", text: "(no reply)" }]);
        break;
      }
      case "tool":
        push("user", [{ type: "tool_result", tool_use_id: message.tool_call_id, content: textOf(message.content) }]);
        break;
      default:
        break;
    }
  }
  const lastBlock = messages[messages.length - 1]?.content.at(-1);
  if (lastBlock && lastBlock.type !== "thinking" && lastBlock.type !== "redacted_thinking") {
    (lastBlock as TextBlockParam).cache_control = EPHEMERAL;
  }
  return { system: system.join("\n\n"), messages };
}

/**
 * With thinking on, the API wants the assistant turn whose tool calls are
 * being answered to start with its thinking. A turn made while thinking was
 * off has none, so that one request goes without thinking instead of failing.
 */
function pendingTurnLacksThinking(messages: readonly MessageParam[]): boolean {
  const [previous, last] = messages.slice(-2);
  if (previous?.role !== "assistant" || last?.role !== "user" || !Array.isArray(last.content)) return false;
  if (!last.content.some((block) => block.type === "tool_result")) return false;
  const first = Array.isArray(previous.content) ? previous.content[0] : undefined;
  return first?.type !== "thinking" && first?.type !== "redacted_thinking";
}

function toAnthropicTools(tools: readonly ToolSpec[]): Tool[] {
  const out = tools.map((tool): Tool => {
    if (tool.type !== "function") throw new Error(`internal error: the Anthropic transport takes function tools only, not "${tool.type}"`);
    return {
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      input_schema: (tool.function.parameters ?? { type: "object", properties: {} }) as Tool["input_schema"],
    };
  });
  const last = out[out.length - 1];
  if (last) last.cache_control = EPHEMERAL;
  return out;
}

const STOP_REASONS: Record<string, string> = { tool_use: "tool_calls", end_turn: "stop", stop_sequence: "stop", max_tokens: "length" };

/** Builds one reply from Messages stream events; a reply is complete at `message_stop`. */
export class AnthropicAssembler {
  private content = "";
  private readonly calls = new Map<number, ToolCall>();
  private readonly thinking = new Map<number, ThinkingBlockParam | RedactedThinkingBlockParam>();
  private stopReason: string | null = null;
  private stopped = false;
  private input = 0;
  private cacheRead = 0;
  private cacheWrite = 0;
  private output = 0;

  /** Returns the text delta of this event ("" when none). */
  add(event: RawMessageStreamEvent | { type: "error"; error: { type: string; message: string } }): string {
    switch (event.type) {
      case "message_start":
        this.readUsage(event.message.usage);
        return "";
      case "content_block_start":
        if (event.content_block.type === "tool_use") {
          this.calls.set(event.index, { id: event.content_block.id, name: event.content_block.name, arguments: "" });
        } else if (event.content_block.type === "thinking") {
          this.thinking.set(event.index, { type: "thinking", thinking: event.content_block.thinking, signature: event.content_block.signature });
        } else if (event.content_block.type === "redacted_thinking") {
          this.thinking.set(event.index, { type: "redacted_thinking", data: event.content_block.data });
        } else if (event.content_block.type === "text" && event.content_block.text) {
          this.content += event.content_block.text;
          return event.content_block.text;
        }
        return "";
      case "content_block_delta":
        if (event.delta.type === "text_delta") {
          this.content += event.delta.text;
          return event.delta.text;
        }
        if (event.delta.type === "input_json_delta") {
          const call = this.calls.get(event.index);
          if (call) call.arguments += event.delta.partial_json;
        }
        if (event.delta.type === "thinking_delta" || event.delta.type === "signature_delta") {
          const block = this.thinking.get(event.index);
          if (block?.type === "thinking" && event.delta.type === "thinking_delta") block.thinking += event.delta.thinking;
          if (block?.type === "thinking" && event.delta.type === "signature_delta") block.signature += event.delta.signature;
        }
        return "";
      case "message_delta":
        if (event.delta.stop_reason) this.stopReason = event.delta.stop_reason;
        this.readUsage(event.usage);
        return "";
      case "message_stop":
        this.stopped = true;
        return "";
      case "error":
        throw new APIError(undefined, { type: "error", error: event.error }, event.error.message, undefined, event.error.type as ConstructorParameters<typeof APIError>[4]);
      default:
        return "";
    }
  }

  result(): TransportReply {
    if (!this.stopped) throw new IncompleteStreamError();
    const toolCalls = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    const usage: Usage = { promptTokens: this.input + this.cacheRead + this.cacheWrite, completionTokens: this.output };
    if (this.cacheRead > 0) usage.cachedInputTokens = this.cacheRead;
    if (this.cacheWrite > 0) usage.cacheWriteTokens = this.cacheWrite;
    const finishReason = this.stopReason === null ? null : (STOP_REASONS[this.stopReason] ?? this.stopReason);
    const thinking = [...this.thinking.entries()].sort(([a], [b]) => a - b).map(([, block]) => block);
    return { content: this.content, toolCalls, finishReason, usage, ...(thinking.length > 0 ? { replay: { api: "anthropic" as const, items: thinking } } : {}) };
  }

  /** Counts are cumulative; `message_delta` repeats or updates those of `message_start`. */
  private readUsage(usage: { input_tokens?: number | null; output_tokens?: number | null; cache_read_input_tokens?: number | null; cache_creation_input_tokens?: number | null }): void {
    if (typeof usage.input_tokens === "number") this.input = usage.input_tokens;
    if (typeof usage.output_tokens === "number") this.output = usage.output_tokens;
    if (typeof usage.cache_read_input_tokens === "number") this.cacheRead = usage.cache_read_input_tokens;
    if (typeof usage.cache_creation_input_tokens === "number") this.cacheWrite = usage.cache_creation_input_tokens;
  }
}
