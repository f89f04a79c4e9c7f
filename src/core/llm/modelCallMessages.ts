import type { AttemptFailure } from "./failure";
import { ModelCallError } from "./modelCallError";

/**
 * The words of every ModelCallError: what happened and what to do next.
 * Provider text passes through `redact` before it is used.
 */

type Redact = (text: string) => string;
type Failure = Exclude<AttemptFailure, { kind: "aborted" }>;

const ADD_KEY = '"Subagents: Add API Key…"';

export function unknownProvider(providerId: string): string {
  return `Unknown provider "${providerId}". Add it to the setting subagents.providers or pick a model of a configured provider.`;
}

export function noKeys(providerId: string): string {
  return `No API key for provider "${providerId}". Run ${ADD_KEY} (or "Subagents: Import API Keys from Environment") to add one.`;
}

export function keysUnbound(providerId: string, count: number, boundTo: readonly string[], target: string | undefined): string {
  const keys = count === 1 ? "Its 1 API key is" : `Its ${count} API keys are`;
  return (
    `Provider "${providerId}" now points to ${target ?? "a baseUrl that is not an http(s) URL"}. ${keys} bound to ${boundTo.join(", ")}, and keys are sent only to the endpoint they were added for, so nothing was sent. ` +
    `If you changed the baseUrl yourself, run "Subagents: Show Key Pool" and re-bind the keys, or run ${ADD_KEY} to add a key for the new endpoint.`
  );
}

export function keysInvalid(providerId: string, reasons: string[]): string {
  return `Every API key of provider "${providerId}" was rejected (${reasons.join("; ")}). Run ${ADD_KEY} to add a valid key.`;
}

export function emptyReply(providerId: string, model: string, times: number): string {
  return `Model "${model}" of provider "${providerId}" returned an empty reply ${times} time${times === 1 ? "" : "s"}. Try again, or choose another model.`;
}

export function describe(failure: Failure, redact: Redact): string {
  const status = "status" in failure && failure.status !== undefined ? ` (HTTP ${failure.status})` : "";
  const what = failure.kind === "key_fault" ? failure.errorClass.replace("_", " ") : failure.kind === "auth" ? "key rejected" : failure.reason.replace("_", " ");
  return `${what}${status}: ${redact(failure.detail)}`;
}

export function fatal(failure: Extract<AttemptFailure, { kind: "fatal" }>, providerId: string, model: string, redact: Redact): ModelCallError {
  const detail = `HTTP ${failure.status}: ${redact(failure.detail)}`;
  switch (failure.reason) {
    case "context_length":
      return new ModelCallError(
        "context_length",
        `The conversation is too long for model "${model}" of provider "${providerId}" (${detail}). Shorten the task or its context, or use a model with a larger context window.`,
        providerId,
        failure.status,
      );
    case "model_not_found":
      return new ModelCallError(
        "model_not_found",
        `Model "${model}" was not found at provider "${providerId}" (${detail}). Check the model name (subagents.model, subagents.subagentModel) and the provider's baseUrl and models in subagents.providers.`,
        providerId,
        failure.status,
      );
    case "bad_request":
      return new ModelCallError(
        "bad_request",
        `Provider "${providerId}" refused the request for model "${model}" (${detail}). Check the provider's entry in subagents.providers and the model.`,
        providerId,
        failure.status,
      );
  }
}

export function exhausted(
  providerId: string,
  model: string,
  attempts: number,
  last: { failure: Failure; fingerprint: string } | undefined,
  redact: Redact,
): ModelCallError {
  const lastText = last ? ` The last error was ${describe(last.failure, redact)} on key ${last.fingerprint}.` : "";
  const status = last && "status" in last.failure ? last.failure.status : undefined;
  return new ModelCallError(
    "retries_exhausted",
    `The model call to "${providerId}:${model}" failed after ${attempts} attempts.${lastText} The provider may be overloaded or rate-limiting: try again later, or add keys ("Subagents: Show Key Pool" shows their health).`,
    providerId,
    status,
  );
}
