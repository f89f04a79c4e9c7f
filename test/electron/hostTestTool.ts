/**
 * A language model tool of the test-only extension, standing in for another
 * extension's (or an MCP server's) tool: it echoes its input and records
 * each call, so a case can check that the product's agents called it.
 */
import * as vscode from "vscode";

export const ECHO_TOOL_NAME = "subagents_host_test_echo";

export const echoCalls: Array<{ text: string }> = [];

export function registerEchoTool(): vscode.Disposable {
  return vscode.lm.registerTool<{ text?: unknown }>(ECHO_TOOL_NAME, {
    invoke(options) {
      const text = String(options.input.text ?? "");
      echoCalls.push({ text });
      return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(`echo: ${text}`)]);
    },
  });
}
