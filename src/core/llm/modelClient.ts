import type { ReasoningEffort } from "../common/reasoningEffort";
import type {
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";

/**
 * What an assistant turn must hand back to the provider on the next request
 * and that only one API understands: the Responses API's encrypted reasoning
 * items, or Anthropic's signed thinking blocks. Opaque to the agent loop; a
 * transport of another API ignores it. Kept in the transcript, so a resumed
 * agent sends it too.
 */
export interface ReplayState {
  api: "responses" | "anthropic";
  items: readonly unknown[];
}

/**
 * One message of a conversation, in our format (Chat Completions' shape);
 * each transport converts it to its API's wire format.
 */
export type ChatMessage = ChatCompletionMessageParam & {
  replay?: ReplayState;
  /**
   * The first this many characters of the content are shared with sibling
   * agents (a parent's context), so a prompt cache may end a cached prefix there.
   */
  sharedChars?: number;
};
export type ToolSpec = ChatCompletionTool;

export interface ToolCall {
  id: string;
  name: string;
  /** Raw JSON text as the model produced it; parsing is the caller's job. */
  arguments: string;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  reasoningTokens?: number;
  /** Input tokens served from the provider's prompt cache (included in promptTokens). */
  cachedInputTokens?: number;
  /** Input tokens written to the provider's prompt cache (Anthropic; included in promptTokens). */
  cacheWriteTokens?: number;
}

export interface CompletionRequest {
  /** Provider id from settings; picks the key pool and base URL. */
  providerId: string;
  model: string;
  messages: readonly ChatMessage[];
  tools?: readonly ToolSpec[];
  /** The agent type's reasoning effort; it wins over the model entry's and the provider's. */
  reasoningEffort?: ReasoningEffort;
  signal: AbortSignal;
  /** Sent as headers so traffic is attributable; never contains secrets. */
  agent: { id: string; role: "root" | "subagent" };
  /**
   * Requests that share a long prefix (one agent tree) carry the same key, so
   * OpenAI routes them to the same prompt cache (`prompt_cache_key`). Not secret.
   */
  cacheKey?: string;
  /**
   * Streaming progress: text deltas and "a chunk arrived" heartbeats.
   * `restarted` says a retry began: text streamed so far belonged to a failed attempt.
   */
  onProgress?: (progress: { textDelta?: string; keyFingerprint: string; restarted?: boolean }) => void;
  /**
   * The call has waited a while for a key with room (every key of the
   * provider is at its limit, or cooling down): `until` is when one is
   * expected, if anyone can tell. Undefined once it has one.
   */
  onKeyWait?: (waiting: { until?: number } | undefined) => void;
}

export interface CompletionResult {
  content: string;
  toolCalls: ToolCall[];
  finishReason: string | null;
  usage: Usage;
  keyFingerprint: string;
  /** State to keep with this assistant turn and send back with the next request. */
  replay?: ReplayState;
  /** Attempts this call took (1 = no retry). */
  attempts?: number;
}

/** One streamed completion with retries and key rotation (implemented by ChatClient over any API). */
export interface ModelClient {
  complete(request: CompletionRequest): Promise<CompletionResult>;
}
