import { APIError, OpenAI, type ClientOptions } from "openai";
import type {
  FunctionTool,
  ResponseCreateParamsStreaming,
  ResponseInputItem,
  ResponseOutputItem,
  ResponseStreamEvent,
  ResponseUsage,
} from "openai/resources/responses/responses";
import type { ReasoningEffort } from "openai/resources/shared";
import { IncompleteStreamError } from "./failure";
import type { ChatMessage, ToolCall, ToolSpec, Usage } from "./modelClient";
import { openAiClient } from "./chatTransport";
import { openedStream, SdkClientCache, textOf, type ModelTransport, type OpenedStream, type TransportCall, type TransportReply } from "./transport";

/**
 * OpenAI's Responses API (`/responses`), statelessly: nothing is stored at
 * the provider (`store: false`), so each request carries the whole
 * conversation, including the encrypted reasoning items of earlier turns
 * (kept as the turn's `replay` state) that let the model continue its reasoning.
 */
export class ResponsesTransport implements ModelTransport {
  readonly api = "responses" as const;
  private readonly clients = new SdkClientCache<OpenAI>();

  constructor(private readonly fetchImpl?: ClientOptions["fetch"]) {}

  async open(call: TransportCall): Promise<OpenedStream> {
    const { instructions, input } = toResponsesInput(call.messages);
    const params: ResponseCreateParamsStreaming = {
      model: call.model,
      input,
      stream: true,
      store: false,
      include: ["reasoning.encrypted_content"],
    };
    if (instructions) params.instructions = instructions;
    if (call.tools.length > 0) params.tools = call.tools.map(toFunctionTool);
    if (call.options?.reasoningEffort) params.reasoning = { effort: call.options.reasoningEffort as ReasoningEffort };
    if (call.cacheKey !== undefined) params.prompt_cache_key = call.cacheKey;
    const sdk = openAiClient(this.clients, call.provider, call.key, this.fetchImpl);
    const { data: stream, response } = await sdk.responses.create(params, { signal: call.signal, headers: call.headers }).withResponse();
    return openedStream(response.headers, stream, new ResponsesAssembler());
  }

  clear(): void {
    this.clients.clear();
  }
}

/** System messages become `instructions`; the rest become input items in order. */
export function toResponsesInput(messages: readonly ChatMessage[]): { instructions: string; input: ResponseInputItem[] } {
  const instructions: string[] = [];
  const input: ResponseInputItem[] = [];
  for (const message of messages) {
    switch (message.role) {
      case "system":
      case "developer":
        instructions.push(textOf(message.content));
        break;
      case "user":
        input.push({ role: "user", content: textOf(message.content) });
        break;
      case "assistant": {
        if (message.replay?.api === "responses") input.push(...(message.replay.items as ResponseInputItem[]));
        const text = textOf(message.content);
        if (text !== "") input.push({ role: "assistant", content: text });
        for (const call of message.tool_calls ?? []) {
          if (call.type !== "function") continue;
          input.push({ type: "function_call", call_id: call.id, name: call.function.name, arguments: call.function.arguments });
        }
        break;
      }
      case "tool":
        input.push({ type: "function_call_output", call_id: message.tool_call_id, output: textOf(message.content) });
        break;
      default:
        break;
    }
  }
  return { instructions: instructions.join("\n\n"), input };
}

function toFunctionTool(tool: ToolSpec): FunctionTool {
  if (tool.type !== "function") throw new Error(`internal error: the Responses transport takes function tools only, not "${tool.type}"`);
  return {
    type: "function",
    name: tool.function.name,
    ...(tool.function.description ? { description: tool.function.description } : {}),
    parameters: (tool.function.parameters ?? { type: "object", properties: {} }) as Record<string, unknown>,
    // Our schemas have optional properties, which strict mode forbids.
    strict: false,
  };
}

/**
 * Builds one reply from Responses stream events. The final
 * `response.completed` event carries every output item; items finished
 * earlier (`response.output_item.done`) are the fallback for servers whose
 * final event lists none.
 */
export class ResponsesAssembler {
  private readonly items = new Map<number, ResponseOutputItem>();
  private final: ResponseOutputItem[] | undefined;
  private usage: Usage | undefined;
  private status: "completed" | "incomplete" | undefined;

  /** Returns the text delta of this event ("" when none). */
  add(event: ResponseStreamEvent): string {
    switch (event.type) {
      case "response.output_text.delta":
        return event.delta;
      case "response.output_item.done":
        this.items.set(event.output_index, event.item);
        return "";
      case "response.completed":
      case "response.incomplete":
        this.status = event.type === "response.completed" ? "completed" : "incomplete";
        this.final = event.response.output;
        if (event.response.usage) this.usage = usageOf(event.response.usage);
        return "";
      case "response.failed": {
        const error = event.response.error;
        throw new APIError(undefined, { message: error?.message ?? "the response failed", code: error?.code ?? null }, error?.message ?? "the response failed", undefined);
      }
      case "error":
        throw new APIError(undefined, { message: event.message, code: event.code ?? null }, event.message, undefined);
      default:
        return "";
    }
  }

  result(): TransportReply {
    if (!this.status) throw new IncompleteStreamError();
    const output = this.final && this.final.length > 0 ? this.final : [...this.items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
    let content = "";
    const toolCalls: ToolCall[] = [];
    const reasoning: unknown[] = [];
    for (const item of output) {
      if (item.type === "message") {
        for (const part of item.content) if (part.type === "output_text") content += part.text;
      } else if (item.type === "function_call") {
        toolCalls.push({ id: item.call_id, name: item.name, arguments: item.arguments });
      } else if (item.type === "reasoning") {
        // Sent back whole: with `store: false` the encrypted content is what the provider reads.
        reasoning.push(item);
      }
    }
    const finishReason = this.status === "incomplete" ? "length" : toolCalls.length > 0 ? "tool_calls" : "stop";
    return {
      content,
      toolCalls,
      finishReason,
      usage: this.usage ?? { promptTokens: 0, completionTokens: 0 },
      ...(reasoning.length > 0 ? { replay: { api: "responses" as const, items: reasoning } } : {}),
    };
  }
}

function usageOf(usage: ResponseUsage): Usage {
  const out: Usage = { promptTokens: usage.input_tokens ?? 0, completionTokens: usage.output_tokens ?? 0 };
  const cached = usage.input_tokens_details?.cached_tokens;
  const reasoning = usage.output_tokens_details?.reasoning_tokens;
  if (typeof cached === "number" && cached > 0) out.cachedInputTokens = cached;
  if (typeof reasoning === "number" && reasoning > 0) out.reasoningTokens = reasoning;
  return out;
}
