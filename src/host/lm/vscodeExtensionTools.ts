import * as vscode from "vscode";
import type { ExtensionToolHost, ExtensionToolInfo } from "../../core/tools/extensionTools";
import { RUN_TOOL_NAME, STATUS_TOOL_NAME } from "./delegation";

/** Our own tools are not offered back to our agents: an agent starting root agents would escape its tree. */
const OWN_TOOLS: ReadonlySet<string> = new Set([RUN_TOOL_NAME, STATUS_TOOL_NAME]);

function partText(part: unknown): string {
  if (part instanceof vscode.LanguageModelTextPart) return part.value;
  if (part instanceof vscode.LanguageModelPromptTsxPart) return JSON.stringify(part.value);
  return "[a non-text part was left out]";
}

/**
 * Other extensions' and MCP servers' tools through `vscode.lm`. A call is
 * made outside any chat, so VS Code may ask its own confirmation too; what
 * comes back is redacted before an agent (or a transcript) sees it.
 */
export class VscodeExtensionTools implements ExtensionToolHost {
  constructor(private readonly redact: (text: string) => string) {}

  available(): ExtensionToolInfo[] {
    return vscode.lm.tools
      .filter((tool) => !OWN_TOOLS.has(tool.name))
      .map((tool) => ({
        name: tool.name,
        description: tool.description,
        ...(tool.inputSchema ? { inputSchema: tool.inputSchema as Record<string, unknown> } : {}),
      }));
  }

  async invoke(name: string, input: Record<string, unknown>, signal: AbortSignal): Promise<string> {
    const source = new vscode.CancellationTokenSource();
    const cancel = () => source.cancel();
    if (signal.aborted) cancel();
    signal.addEventListener("abort", cancel);
    try {
      const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined }, source.token);
      return this.redact(result.content.map(partText).join("\n"));
    } catch (error) {
      throw new Error(this.redact(error instanceof Error ? error.message : String(error)));
    } finally {
      signal.removeEventListener("abort", cancel);
      source.dispose();
    }
  }
}
