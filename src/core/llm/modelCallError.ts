/**
 * Why a model call failed, in words fit for the user and the model. Messages
 * are built from redacted text only (never a key, never a raw SDK error).
 */
export type ModelCallErrorKind =
  /** The providerId is not in `subagents.providers`. */
  | "unknown_provider"
  /** The provider's pool has no key. */
  | "no_keys"
  /** The provider's keys are bound to another endpoint than its baseUrl now. */
  | "keys_unbound"
  /** Every key of the provider was rejected (401/403). */
  | "keys_invalid"
  /** The request's signal was aborted (interrupt, timeout). */
  | "aborted"
  | "context_length"
  | "model_not_found"
  /** Another 4xx: the request or the provider settings need a change. */
  | "bad_request"
  | "empty_reply"
  /** Retryable failures used up the retry budget. */
  | "retries_exhausted";

export class ModelCallError extends Error {
  override readonly name = "ModelCallError";

  constructor(
    readonly kind: ModelCallErrorKind,
    message: string,
    readonly providerId: string,
    readonly status?: number,
  ) {
    super(message);
  }

  /** Worth trying again later without changing anything (the provider may recover). */
  get transient(): boolean {
    return this.kind === "retries_exhausted" || this.kind === "empty_reply";
  }
}

export function isModelCallError(error: unknown): error is ModelCallError {
  return error instanceof ModelCallError;
}
