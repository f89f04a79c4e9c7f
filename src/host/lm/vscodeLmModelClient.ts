import * as vscode from "vscode";
import type { Clock } from "../../core/common/clock";
import { systemClock } from "../../core/common/clock";
import type { Logger } from "../../core/common/logger";
import { ModelBackoff } from "../../core/llm/modelBackoff";
import type { ChatMessage, CompletionRequest, CompletionResult, ModelClient, ToolCall, ToolSpec } from "../../core/llm/modelClient";
import { parseVscodeLmModel, VSCODE_LM_PROVIDER_ID } from "../../core/llm/vscodeLmRef";

/** What stands where a key fingerprint would: these requests use no key of ours. */
const NO_KEY = "vscode-lm";

type Select = (selector: vscode.LanguageModelChatSelector) => Thenable<vscode.LanguageModelChat[]>;

/** `"copilot/gpt-5-mini"` → vendor and family (and `/<id>` pins one model); a bare name is a family of any vendor. */
export function chatSelector(model: string): vscode.LanguageModelChatSelector {
  const parsed = parseVscodeLmModel(model);
  if (!parsed) return { family: model };
  return { ...(parsed.vendor ? { vendor: parsed.vendor } : {}), family: parsed.family, ...(parsed.id ? { id: parsed.id } : {}) };
}

/** Words of quota and rate-limit answers; providers report them with no code of their own. */
const QUOTA_ANSWER = /\b(429|rate[ -]?limit(ed)?|quota|too many requests|throttl\w*)\b/i;
const FINAL_CODES = new Set(["NoPermissions", "Blocked", "NotFound"]);

/** A refusal already turned into its final message: never retried, whatever words it contains. */
class LmRefusal extends Error {}

/** A quota or rate-limit answer worth waiting for, as opposed to a refusal that waiting will not change. */
export function isQuotaAnswer(error: unknown): boolean {
  if (error instanceof LmRefusal) return false;
  if (error instanceof vscode.LanguageModelError && FINAL_CODES.has(error.code)) return false;
  if (!(error instanceof Error)) return false;
  // An "Unknown" LanguageModelError carries the provider's own error as its cause.
  const cause = error.cause instanceof Error ? error.cause.message : "";
  return QUOTA_ANSWER.test(`${error.message} ${"code" in error ? String((error as { code: unknown }).code) : ""} ${cause}`);
}

function text(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part === "object" && part && "text" in part ? String((part as { text: unknown }).text) : "")).join("");
  return "";
}

function parsedInput(raw: string): object {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === "object" && value !== null ? value : {};
  } catch {
    return {};
  }
}

/**
 * Our conversation in VS Code's terms. The stable API has no system role, so
 * a system prompt is sent as a user message in its place.
 */
export function toChatMessages(messages: readonly ChatMessage[]): vscode.LanguageModelChatMessage[] {
  return messages.map((message) => {
    switch (message.role) {
      case "assistant": {
        const parts: Array<vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart> = [];
        const said = text(message.content);
        if (said) parts.push(new vscode.LanguageModelTextPart(said));
        for (const call of message.tool_calls ?? []) {
          if (call.type === "function") parts.push(new vscode.LanguageModelToolCallPart(call.id, call.function.name, parsedInput(call.function.arguments)));
        }
        return vscode.LanguageModelChatMessage.Assistant(parts);
      }
      case "tool":
        return vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(message.tool_call_id, [new vscode.LanguageModelTextPart(text(message.content))])]);
      default:
        return vscode.LanguageModelChatMessage.User(text(message.content));
    }
  });
}

function toTools(tools: readonly ToolSpec[] | undefined): vscode.LanguageModelChatTool[] {
  return (tools ?? []).flatMap((tool) =>
    tool.type === "function" ? [{ name: tool.function.name, description: tool.function.description ?? "", ...(tool.function.parameters ? { inputSchema: tool.function.parameters } : {}) }] : [],
  );
}

/** A LanguageModelError as a final, actionable message (quota answers included). */
export function describeLmError(error: unknown, model: string): Error {
  if (error instanceof vscode.LanguageModelError) {
    switch (error.code) {
      case "NoPermissions":
        return new LmRefusal(`VS Code did not allow Subagents to use "${model}" (NoPermissions). Allow it when VS Code asks, or choose another model.`);
      case "Blocked":
        return new LmRefusal(`VS Code blocked the request to "${model}" (Blocked): this extension may not use it now, e.g. its quota is spent. Check the model provider's account or choose another model.`);
      case "NotFound":
        return new LmRefusal(`VS Code has no model "${model}" (NotFound). Check the extension that provides it, or choose another model.`);
      default:
        return new LmRefusal(`The request to "${model}" failed (${error.code || "unknown"}): ${error.message}`);
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}

export interface VscodeLmClientOptions {
  select?: Select;
  clock?: Clock;
  /** Waits after consecutive quota answers; see ModelBackoff. */
  backoffMs?: readonly number[];
  logger?: Logger;
  /**
   * Takes every pool key out of what leaves for the model, as the key-pool
   * client does for its providers: a conversation may hold a key that was
   * read before it joined a pool, and another extension's model is no place for it.
   */
  redactMessages?: (messages: readonly ChatMessage[]) => ChatMessage[];
}

/**
 * Models that VS Code offers, as our ModelClient. Requests for any other
 * provider go to `fallback` (the key-pool client). Quota answers make every
 * request to that model wait (ModelBackoff); VS Code's refusals end the run
 * with a message that says what to do.
 */
export class VscodeLmModelClient implements ModelClient {
  private readonly select: Select;
  private readonly backoff: ModelBackoff;

  constructor(
    private readonly fallback: ModelClient,
    private readonly options: VscodeLmClientOptions = {},
  ) {
    this.select = options.select ?? ((selector) => vscode.lm.selectChatModels(selector));
    this.backoff = new ModelBackoff(options.clock ?? systemClock, options.backoffMs);
  }

  complete(request: CompletionRequest): Promise<CompletionResult> {
    if (request.providerId !== VSCODE_LM_PROVIDER_ID) return this.fallback.complete(request);
    let attempts = 0;
    const ref = `${VSCODE_LM_PROVIDER_ID}:${request.model}`;
    return this.backoff
      .run(
        ref,
        request.signal,
        () => {
          if (attempts++ > 0) request.onProgress?.({ keyFingerprint: NO_KEY, restarted: true });
          return this.once(request);
        },
        isQuotaAnswer,
        (ms) => this.options.logger?.warn(`${ref} answered with a quota limit; waiting ${Math.ceil(ms / 1000)} s`),
      )
      .then((result) => ({ ...result, attempts }));
  }

  private async once(request: CompletionRequest): Promise<CompletionResult> {
    const [model] = await this.select(chatSelector(request.model));
    if (!model) throw new LmRefusal(`VS Code offers no model "${VSCODE_LM_PROVIDER_ID}:${request.model}" now. Install or sign in to the extension that provides it, or choose another model.`);
    const source = new vscode.CancellationTokenSource();
    const cancel = () => source.cancel();
    request.signal.addEventListener("abort", cancel);
    try {
      const messages = toChatMessages(this.options.redactMessages?.(request.messages) ?? request.messages);
      const response = await model.sendRequest(messages, { tools: toTools(request.tools), justification: "Subagents runs agents on this model." }, source.token);
      let content = "";
      const toolCalls: ToolCall[] = [];
      for await (const part of response.stream) {
        if (part instanceof vscode.LanguageModelTextPart) {
          content += part.value;
          request.onProgress?.({ textDelta: part.value, keyFingerprint: NO_KEY });
        } else if (part instanceof vscode.LanguageModelToolCallPart) {
          toolCalls.push({ id: part.callId, name: part.name, arguments: JSON.stringify(part.input) });
          request.onProgress?.({ keyFingerprint: NO_KEY });
        }
      }
      if (request.signal.aborted) throw new Error("aborted");
      const count = async (input: string | vscode.LanguageModelChatMessage) => model.countTokens(input, source.token).then(
        (n) => n,
        () => 0,
      );
      const promptTokens = (await Promise.all(messages.map(count))).reduce((a, b) => a + b, 0);
      const completionTokens = await count(content + toolCalls.map((c) => c.name + c.arguments).join(""));
      return { content, toolCalls, finishReason: toolCalls.length > 0 ? "tool_calls" : "stop", usage: { promptTokens, completionTokens }, keyFingerprint: NO_KEY };
    } catch (error) {
      if (request.signal.aborted || isQuotaAnswer(error)) throw error;
      throw describeLmError(error, `${VSCODE_LM_PROVIDER_ID}:${request.model}`);
    } finally {
      request.signal.removeEventListener("abort", cancel);
      source.dispose();
    }
  }
}
