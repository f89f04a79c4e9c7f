import { OpenAI, type ClientOptions } from "openai";
import type { ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { ReasoningEffort } from "openai/resources/shared";
import type { ProviderConfig } from "../settings/schema";
import { IncompleteStreamError } from "./failure";
import type { ChatMessage } from "./modelClient";
import { StreamAssembler } from "./streamAssembler";
import { SdkClientCache, sendsPromptCacheKey, withoutAuthHeaders, type ModelTransport, type OpenedStream, type TransportCall } from "./transport";

/** Chat Completions (`/chat/completions`), the API most compatible servers speak. */
export class ChatCompletionsTransport implements ModelTransport {
  readonly api = "chat" as const;
  private readonly clients = new SdkClientCache<OpenAI>();

  constructor(private readonly fetchImpl?: ClientOptions["fetch"]) {}

  async open(call: TransportCall): Promise<OpenedStream> {
    const params: ChatCompletionCreateParamsStreaming = {
      model: call.model,
      messages: call.messages.map(toWire),
      stream: true,
      stream_options: { include_usage: true },
    };
    if (call.tools.length > 0) params.tools = [...call.tools];
    if (call.options?.reasoningEffort) params.reasoning_effort = call.options.reasoningEffort as ReasoningEffort;
    if (call.cacheKey !== undefined && sendsPromptCacheKey(call.provider)) params.prompt_cache_key = call.cacheKey;
    const sdk = openAiClient(this.clients, call.provider, call.key, this.fetchImpl);
    const { data: stream, response } = await sdk.chat.completions
      .create(params, { signal: call.signal, headers: call.headers })
      .withResponse();
    const assembler = new StreamAssembler();
    return {
      headers: response.headers,
      deltas: (async function* () {
        for await (const chunk of stream) yield assembler.add(chunk);
      })(),
      reply: () => {
        if (!assembler.finished) throw new IncompleteStreamError();
        return assembler.result();
      },
    };
  }

  clear(): void {
    this.clients.clear();
  }
}

/** Our messages are Chat Completions messages, minus what only other APIs read. */
function toWire(message: ChatMessage): ChatCompletionMessageParam {
  if (message.replay === undefined && message.sharedChars === undefined) return message;
  const { replay: _replay, sharedChars: _shared, ...rest } = message;
  return rest as ChatCompletionMessageParam;
}

/**
 * An `openai` SDK client for one provider and key. Its own retries are off
 * (ChatClient retries on another key); without a key, the Authorization
 * header is removed outright, so a keyless server never sees one.
 */
export function openAiClient(cache: SdkClientCache<OpenAI>, provider: ProviderConfig, key: string | undefined, fetchImpl: ClientOptions["fetch"]): OpenAI {
  const headers = withoutAuthHeaders(provider.headers);
  return cache.get(provider, key, headers, () =>
    new OpenAI({
      baseURL: provider.baseUrl,
      // The SDK insists on a credential; a null header removes it from every request.
      apiKey: key ?? "keyless",
      maxRetries: 0,
      defaultHeaders: key === undefined ? { ...headers, Authorization: null } : headers,
      // The SDK would log to the console; our own log lines are redacted instead.
      logLevel: "off",
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
    }),
  );
}
