import { appendFileSync } from "node:fs";
import * as nodePath from "node:path";
import * as vscode from "vscode";
import { COMPLETE_COMMAND, COMPLETION_AT, FAKE_DEFINITION_FILE, FAKE_FAMILY, FAKE_LM_LOG, FAKE_TOOL, FAKE_VENDOR, fakeTurn, toolAnswer } from "./script";

/**
 * Test-only: a language model provider (vendor "subagents-fake") whose one
 * model answers from script.ts with text and tool calls and counts tokens,
 * and a language model tool. Each request and tool call is appended to
 * `<workspace>/.fake-lm-log.jsonl` for the e2e test to read.
 */
function record(entry: Record<string, unknown>): void {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (folder) appendFileSync(nodePath.join(folder, FAKE_LM_LOG), `${JSON.stringify(entry)}\n`);
}

function partsOf(message: vscode.LanguageModelChatRequestMessage): { texts: string[]; toolResults: string[] } {
  const texts: string[] = [];
  const toolResults: string[] = [];
  for (const part of message.content) {
    if (part instanceof vscode.LanguageModelTextPart) texts.push(part.value);
    else if (part instanceof vscode.LanguageModelToolResultPart) {
      toolResults.push(part.content.map((c) => (c instanceof vscode.LanguageModelTextPart ? c.value : "")).join(""));
    }
  }
  return { texts, toolResults };
}

const info: vscode.LanguageModelChatInformation = {
  id: FAKE_FAMILY,
  name: "Fake agent model",
  family: FAKE_FAMILY,
  version: "1",
  maxInputTokens: 100_000,
  maxOutputTokens: 4_000,
  capabilities: { toolCalling: true },
};

const provider: vscode.LanguageModelChatProvider = {
  provideLanguageModelChatInformation: () => [info],
  async provideLanguageModelChatResponse(_model, messages, options, progress) {
    const texts: string[] = [];
    const toolResults: string[] = [];
    for (const message of messages) {
      const parts = partsOf(message);
      texts.push(...parts.texts);
      toolResults.push(...parts.toolResults);
    }
    const tools = (options.tools ?? []).map((t) => t.name);
    const turn = fakeTurn({ texts, toolResults, tools });
    record({ kind: "request", firstUserText: texts[1]?.slice(0, 300) ?? "", tools, toolResults, turn });
    if ("text" in turn) progress.report(new vscode.LanguageModelTextPart(turn.text));
    else for (const call of turn.toolCalls) progress.report(new vscode.LanguageModelToolCallPart(call.id, call.name, call.input));
    return Promise.resolve();
  },
  provideTokenCount: (_model, text) => {
    const value = typeof text === "string" ? text : partsOf(text).texts.join("") + partsOf(text).toolResults.join("");
    return Promise.resolve(Math.max(1, Math.ceil(value.length / 4)));
  },
};

async function labelsAt(uri: vscode.Uri, at: { line: number; character: number }): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList | undefined>("vscode.executeCompletionItemProvider", uri, new vscode.Position(at.line, at.character));
  return (list?.items ?? []).map((item) => (typeof item.label === "string" ? item.label : item.label.label));
}

/**
 * Completes `model:` and `tools:` in the definition file the test wrote, as
 * the editor would, until Subagents' language server (started when the file
 * opens) offers VS Code's models; then logs what each offered.
 */
async function completeDefinition(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) return;
  const uri = vscode.Uri.joinPath(folder, FAKE_DEFINITION_FILE);
  await vscode.workspace.openTextDocument(uri);
  let models: string[] = [];
  let tools: string[] = [];
  for (let attempt = 0; attempt < 60; attempt++) {
    models = await labelsAt(uri, COMPLETION_AT.model);
    tools = await labelsAt(uri, COMPLETION_AT.tools);
    if (models.some((label) => label.startsWith("vscode-lm:"))) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  record({ kind: "completion", models, tools });
}

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.lm.registerLanguageModelChatProvider(FAKE_VENDOR, provider),
    vscode.lm.registerTool<{ word?: unknown }>(FAKE_TOOL, {
      invoke(options) {
        const word = typeof options.input.word === "string" ? options.input.word : "?";
        record({ kind: "tool", word });
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(toolAnswer(word))]);
      },
    }),
  );
  context.subscriptions.push(vscode.commands.registerCommand(COMPLETE_COMMAND, completeDefinition));
  record({ kind: "activated" });
}
