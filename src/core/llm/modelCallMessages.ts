import type { ProviderApi } from "../settings/schema";
import type { AttemptFailure } from "./failure";
import { ModelCallError } from "./modelCallError";
import { API_NAMES } from "./transport";

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

export function keylessRejected(providerId: string, status: number, detail: string): string {
  return (
    `Provider "${providerId}" is set to "auth": "none", but its server refused the request without a key (HTTP ${status}: ${detail}). ` +
    `If the server needs a key, remove "auth": "none" from its entry in subagents.providers and run ${ADD_KEY}.`
  );
}

/** Where a model or API mismatch is fixed, and the nudge for an error that names another API. */
function apiAdvice(api: ProviderApi, detail: string): string {
  const where = `the provider's entry in subagents.providers ("api": "${api}", the ${API_NAMES[api]})`;
  if (api !== "responses" && /\/v1\/responses|responses api/i.test(detail)) {
    return ` This model needs the Responses API: set "api": "responses" in the provider's entry in subagents.providers.`;
  }
  if (api !== "anthropic" && /anthropic-version|x-api-key header/i.test(detail)) {
    return ` This looks like Anthropic's API: set "api": "anthropic" in the provider's entry in subagents.providers.`;
  }
  return ` Check ${where} and the model.`;
}

export function emptyReply(providerId: string, model: string, times: number): string {
  return `Model "${model}" of provider "${providerId}" returned an empty reply ${times} time${times === 1 ? "" : "s"}. Try again, or choose another model.`;
}

export function describe(failure: Failure, redact: Redact): string {
  const status = "status" in failure && failure.status !== undefined ? ` (HTTP ${failure.status})` : "";
  const what = failure.kind === "key_fault" ? failure.errorClass.replace("_", " ") : failure.kind === "auth" ? "key rejected" : failure.reason.replace("_", " ");
  return `${what}${status}: ${redact(failure.detail)}`;
}

export function fatal(
  failure: Extract<AttemptFailure, { kind: "fatal" }>,
  providerId: string,
  model: string,
  redact: Redact,
  api: ProviderApi = "chat",
): ModelCallError {
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
        `Provider "${providerId}" refused the ${API_NAMES[api]} request for model "${model}" (${detail}).${apiAdvice(api, failure.detail)}`,
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
  api: ProviderApi = "chat",
): ModelCallError {
  const lastText = last ? ` The last error was ${describe(last.failure, redact)} on key ${last.fingerprint}.` : "";
  const status = last && "status" in last.failure ? last.failure.status : undefined;
  return new ModelCallError(
    "retries_exhausted",
    `The model call to "${providerId}:${model}" (${API_NAMES[api]}) failed after ${attempts} attempts.${lastText} The provider may be overloaded or rate-limiting: try again later, or add keys ("Subagents: Show Key Pool" shows their health).`,
    providerId,
    status,
  );
}
