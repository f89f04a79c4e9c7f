import type { ModelOptions, ProviderApi, ProviderConfig } from "../settings/schema";
import type { ChatMessage, ReplayState, ToolCall, ToolSpec, Usage } from "./modelClient";

/**
 * The wire format of one API. ChatClient owns everything else (keys,
 * rotation, retries, stall detection, redaction, usage accounting); a
 * transport only turns our conversation into one streamed request and the
 * stream back into one reply.
 */
export interface ModelTransport {
  readonly api: ProviderApi;
  /** Sends the request; resolves when the response headers arrived. Errors are the SDK's own. */
  open(call: TransportCall): Promise<OpenedStream>;
  /** Drops cached SDK clients (settings changed, or the client is disposed). */
  clear(): void;
}

export interface TransportCall {
  provider: ProviderConfig;
  /** Undefined for a keyless provider: no credential of any kind is sent. */
  key: string | undefined;
  model: string;
  /** The model's options from settings (reasoning effort, context window). */
  options: ModelOptions | undefined;
  /** Already redacted. */
  messages: readonly ChatMessage[];
  tools: readonly ToolSpec[];
  /** Groups requests for the provider's prompt cache (one agent tree). */
  cacheKey: string | undefined;
  /** Attribution headers (agent id and role). */
  headers: Record<string, string>;
  signal: AbortSignal;
}

export interface TransportReply {
  content: string;
  toolCalls: ToolCall[];
  finishReason: string | null;
  usage: Usage;
  replay?: ReplayState;
}

export interface OpenedStream {
  /** Response headers, for rate limits. */
  headers: Headers;
  /** Text deltas as they arrive; every yield (even "") proves the stream is alive. */
  deltas: AsyncIterable<string>;
  /** After `deltas` ended: the reply, or throws IncompleteStreamError when the stream was cut short. */
  reply(): TransportReply;
}

/** Turns an SDK's event stream into deltas, every event going through the transport's assembler. */
export function openedStream<E>(headers: Headers, stream: AsyncIterable<E>, assembler: { add(event: E): string; result(): TransportReply }): OpenedStream {
  return {
    headers,
    deltas: (async function* () {
      for await (const event of stream) yield assembler.add(event);
    })(),
    reply: () => assembler.result(),
  };
}

/** Names of the APIs for messages users read. */
export const API_NAMES: Record<ProviderApi, string> = {
  chat: "Chat Completions API",
  responses: "Responses API",
  anthropic: "Anthropic Messages API",
};

/** Caches SDK clients per provider settings and key, so connections are reused. */
export class SdkClientCache<T> {
  private readonly clients = new Map<string, T>();

  get(provider: ProviderConfig, key: string | undefined, headers: Record<string, string>, create: () => T): T {
    const cacheKey = `${provider.id}\n${provider.baseUrl}\n${JSON.stringify(headers)}\n${key ?? ""}`;
    let client = this.clients.get(cacheKey);
    if (!client) {
      if (this.clients.size >= 256) this.clients.clear();
      client = create();
      this.clients.set(cacheKey, client);
    }
    return client;
  }

  clear(): void {
    this.clients.clear();
  }
}

/**
 * `prompt_cache_key` is OpenAI's; other Chat Completions servers may refuse
 * fields they do not know, so it goes only to OpenAI's own endpoint there.
 */
export function sendsPromptCacheKey(provider: Pick<ProviderConfig, "baseUrl" | "api">): boolean {
  if (provider.api === "responses") return true;
  try {
    return new URL(provider.baseUrl).hostname === "api.openai.com";
  } catch {
    return false;
  }
}

/** Keys belong in the pool, not in `headers` settings: drop auth headers so ours always win. */
export function withoutAuthHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!/^(authorization|api-key|x-api-key)$/i.test(name)) out[name] = value;
  }
  return out;
}

/** Tool-call arguments as an object, for APIs that take objects (unparseable text becomes `{}`). */
export function argumentsObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The text of a message's content, whether a string or an array of parts. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: unknown) => {
      const p = part as { type?: unknown; text?: unknown };
      return p.type === "text" && typeof p.text === "string" ? p.text : "";
    })
    .join("");
}
