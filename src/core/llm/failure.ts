import * as AnthropicSdk from "@anthropic-ai/sdk";
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type { KeyFailureClass, RateLimitInfo } from "../keys/keyLease";
import { parseRateLimitHeaders, parseRetryAfterMs } from "./rateLimitHeaders";

/**
 * One failed attempt, classified for the retry loop. `detail` is the
 * provider's text and is NOT redacted yet: redact before it goes anywhere.
 */
export type AttemptFailure =
  | { kind: "aborted" }
  /**
   * Retry on another key. `rate_limit` paces the key (a 429 asking to slow
   * down; `concurrency` when too many requests were in flight); every other
   * class puts it on the cooldown ladder.
   */
  | {
      kind: "key_fault";
      errorClass: KeyFailureClass;
      status?: number;
      retryAfterMs?: number;
      rateLimit?: RateLimitInfo;
      concurrency?: boolean;
      detail: string;
    }
  /** 401/403: mark the key invalid, retry on another key. */
  | { kind: "auth"; status: number; detail: string }
  /** Fails at once: retrying cannot help. */
  | { kind: "fatal"; reason: "context_length" | "model_not_found" | "bad_request"; status: number; detail: string };

/** Thrown by an attempt whose stream sent nothing for too long. */
export class StallError extends Error {
  override readonly name = "StallError";
  constructor(readonly afterMs: number) {
    super(`no data from the provider for ${afterMs < 1000 ? `${afterMs} ms` : `${Math.round(afterMs / 1000)} s`}`);
  }
}

/** Thrown when a stream ended without a finish reason (cut short without a transport error). */
export class IncompleteStreamError extends Error {
  override readonly name = "IncompleteStreamError";
  constructor() {
    super("the stream ended before the reply was complete");
  }
}

const CONTEXT_LENGTH = /context[_ ]length|maximum context|context window|too many tokens|prompt is too long/i;

/** 429 bodies that mean "too many requests in flight" rather than "too many per minute". */
const CONCURRENCY = /concurren|in[- ]flight|parallel requests/i;
/** Error codes and types of a spent balance or quota: waiting a second does not help. */
const QUOTA = /insufficient_quota|billing|quota_exceeded|credit/i;

/** `now` is the pool's clock, for reset times stated as timestamps. */
export function classifyFailure(error: unknown, aborted: boolean, now: number = Date.now()): AttemptFailure {
  if (aborted) return { kind: "aborted" };
  if (error instanceof StallError) return { kind: "key_fault", errorClass: "stall", detail: error.message };
  if (error instanceof IncompleteStreamError) return { kind: "key_fault", errorClass: "connection", detail: error.message };
  if (error instanceof APIUserAbortError || error instanceof AnthropicSdk.APIUserAbortError) {
    return { kind: "key_fault", errorClass: "connection", detail: "request aborted" };
  }
  if (error instanceof APIConnectionTimeoutError || error instanceof AnthropicSdk.APIConnectionTimeoutError) {
    return { kind: "key_fault", errorClass: "timeout", detail: "request timed out" };
  }
  if (error instanceof APIConnectionError || error instanceof AnthropicSdk.APIConnectionError) {
    return { kind: "key_fault", errorClass: "connection", detail: describeCause(error) };
  }
  if (error instanceof APIError) return classifyStatus(openAiError(error), now);
  if (error instanceof AnthropicSdk.APIError) return classifyStatus(anthropicError(error), now);
  // Anything else was raised while reading the stream (socket closed, bad chunk): retryable.
  return { kind: "key_fault", errorClass: "connection", detail: describeCause(error) };
}

/** An HTTP error of either SDK, in the terms the classification needs. */
interface ProviderError {
  status: number | undefined;
  headers: Headers | undefined;
  code: string | undefined;
  type: string | undefined;
  detail: string;
}

function openAiError(error: APIError): ProviderError {
  return { status: error.status, headers: error.headers, code: errorCode(error), type: errorType(error), detail: providerMessage(error) };
}

/** Anthropic's bodies are `{ type: "error", error: { type, message } }`. */
function anthropicError(error: AnthropicSdk.APIError): ProviderError {
  const inner = (error.error as { error?: { type?: unknown; message?: unknown } } | undefined)?.error;
  const message = typeof inner?.message === "string" ? inner.message : error.message;
  const type = typeof error.type === "string" ? error.type : typeof inner?.type === "string" ? inner.type : undefined;
  return { status: error.status, headers: error.headers, code: error.errorCode ?? undefined, type, detail: shorten(message) };
}

function classifyStatus(error: ProviderError, now: number): AttemptFailure {
  const { status, detail, code, type } = error;
  if (status === undefined) {
    // An error event inside a 200 stream: the provider's side.
    return { kind: "key_fault", errorClass: type === "overloaded_error" ? "overloaded" : "server", detail };
  }
  const headers = error.headers;
  const withLimits = (errorClass: KeyFailureClass): AttemptFailure => {
    const failure: AttemptFailure = { kind: "key_fault", errorClass, status, detail };
    const retryAfterMs = parseRetryAfterMs(headers, now);
    const rateLimit = parseRateLimitHeaders(headers, now);
    if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
    if (rateLimit) failure.rateLimit = rateLimit;
    return failure;
  };
  if (status === 401 || status === 403) return { kind: "auth", status, detail };
  if (status === 408) return withLimits("timeout");
  if (status === 409) return withLimits("conflict");
  if (status === 402 || (status === 429 && QUOTA.test(`${code ?? ""} ${type ?? ""}`))) return withLimits("quota");
  if (status === 429) {
    const failure = withLimits("rate_limit");
    if (failure.kind === "key_fault" && CONCURRENCY.test(detail)) failure.concurrency = true;
    return failure;
  }
  // 529 and Anthropic's `overloaded_error`: the provider as a whole is busy.
  if (status === 529 || type === "overloaded_error") return withLimits("overloaded");
  if (status >= 500) return withLimits("server");
  if (code === "context_length_exceeded" || CONTEXT_LENGTH.test(detail)) return { kind: "fatal", reason: "context_length", status, detail };
  if (status === 404) return { kind: "fatal", reason: "model_not_found", status, detail };
  return { kind: "fatal", reason: "bad_request", status, detail };
}

function providerMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  return shorten(typeof body?.message === "string" ? body.message : error.message);
}

function shorten(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function errorCode(error: APIError): string | undefined {
  if (typeof error.code === "string") return error.code;
  const body = error.error as { code?: unknown } | undefined;
  return typeof body?.code === "string" ? body.code : undefined;
}

function errorType(error: APIError): string | undefined {
  if (typeof error.type === "string") return error.type;
  const body = error.error as { type?: unknown } | undefined;
  return typeof body?.type === "string" ? body.type : undefined;
}

function describeCause(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    const message = current.message.replace(/\.$/, "");
    parts.push(typeof code === "string" ? `${message} (${code})` : message);
    current = current.cause;
  }
  return parts.length > 0 ? parts.join(": ") : String(error);
}
