import type {
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";

export type ChatMessage = ChatCompletionMessageParam;
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
}

export interface CompletionRequest {
  /** Provider id from settings; picks the key pool and base URL. */
  providerId: string;
  model: string;
  messages: readonly ChatMessage[];
  tools?: readonly ToolSpec[];
  signal: AbortSignal;
  /** Sent as headers so traffic is attributable; never contains secrets. */
  agent: { id: string; role: "root" | "subagent" };
  /**
   * Streaming progress: text deltas and "a chunk arrived" heartbeats.
   * `restarted` says a retry began: text streamed so far belonged to a failed attempt.
   */
  onProgress?: (progress: { textDelta?: string; keyFingerprint: string; restarted?: boolean }) => void;
}

export interface CompletionResult {
  content: string;
  toolCalls: ToolCall[];
  finishReason: string | null;
  usage: Usage;
  keyFingerprint: string;
  /** Attempts this call took (1 = no retry). */
  attempts?: number;
}

/** One streamed completion with retries and key rotation (implemented by ChatClient). */
export interface ModelClient {
  complete(request: CompletionRequest): Promise<CompletionResult>;
}
