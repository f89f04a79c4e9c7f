import * as vscode from "vscode";
import type { ChatMessage, CompletionRequest, CompletionResult, ModelClient, ToolCall, ToolSpec } from "../../core/llm/modelClient";

/** The provider id of models VS Code offers (Copilot, BYOK providers of other extensions): `vscode-lm:<vendor>/<family>`. */
export const VSCODE_LM_PROVIDER_ID = "vscode-lm";

/** What stands where a key fingerprint would: these requests use no key of ours. */
const NO_KEY = "vscode-lm";

type Select = (selector: vscode.LanguageModelChatSelector) => Thenable<vscode.LanguageModelChat[]>;

/** `"copilot/gpt-5-mini"` → vendor and family; a bare name is a family of any vendor. */
export function chatSelector(model: string): vscode.LanguageModelChatSelector {
  const slash = model.indexOf("/");
  return slash > 0 ? { vendor: model.slice(0, slash), family: model.slice(slash + 1) } : { family: model };
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
        return new Error(`VS Code did not allow Subagents to use "${model}" (NoPermissions). Allow it when VS Code asks, or choose another model.`);
      case "Blocked":
        return new Error(`VS Code blocked the request to "${model}" (Blocked), for example for quota or rate limits. Wait, or choose another model.`);
      case "NotFound":
        return new Error(`VS Code has no model "${model}" (NotFound). Check the extension that provides it, or choose another model.`);
      default:
        return new Error(`The request to "${model}" failed (${error.code || "unknown"}): ${error.message}`);
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Models that VS Code offers, as our ModelClient. Requests for any other
 * provider go to `fallback` (the key-pool client).
 */
export class VscodeLmModelClient implements ModelClient {
  constructor(
    private readonly fallback: ModelClient,
    private readonly select: Select = (selector) => vscode.lm.selectChatModels(selector),
  ) {}

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    if (request.providerId !== VSCODE_LM_PROVIDER_ID) return this.fallback.complete(request);
    const [model] = await this.select(chatSelector(request.model));
    if (!model) throw new Error(`VS Code offers no model "${request.model}" now. Install or sign in to the extension that provides it, or choose another model.`);
    const source = new vscode.CancellationTokenSource();
    const cancel = () => source.cancel();
    request.signal.addEventListener("abort", cancel);
    try {
      const messages = toChatMessages(request.messages);
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
      if (request.signal.aborted) throw error;
      throw describeLmError(error, request.model);
    } finally {
      request.signal.removeEventListener("abort", cancel);
      source.dispose();
    }
  }
}
