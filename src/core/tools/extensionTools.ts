import picomatch from "picomatch";
import * as z from "zod";
import type { CommandGate } from "./workspaceToolAdapters";
import { ToolError, type AgentTool } from "./toolDefinition";

/** A tool another extension (or an MCP server) registered in VS Code, as the host describes it. */
export interface ExtensionToolInfo {
  name: string;
  description: string;
  /** The tool's JSON schema of its input, if it declared one. */
  inputSchema?: Readonly<Record<string, unknown>>;
}

/**
 * The host's side: VS Code's `vscode.lm.tools` and `vscode.lm.invokeTool`.
 * The host redacts what a tool returns (keys never reach a transcript).
 */
export interface ExtensionToolHost {
  available(): readonly ExtensionToolInfo[];
  invoke(name: string, input: Record<string, unknown>, signal: AbortSignal): Promise<string>;
}

/** What the model may call a function (OpenAI's rule); other names are rewritten. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_INPUT_SHOWN = 4_000;

/** Which tools the user's `subagents.extensionTools` patterns match (globs on the tool's name). */
export function matchingExtensionTools(tools: readonly ExtensionToolInfo[], patterns: readonly string[]): ExtensionToolInfo[] {
  if (patterns.length === 0) return [];
  const matches = picomatch([...patterns], { nocase: true });
  return tools.filter((tool) => matches(tool.name));
}

function functionName(name: string): string {
  return FUNCTION_NAME.test(name) ? name : name.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
}

/** The tool's own JSON schema describes the input; this only checks that it is an object. */
const ANY_OBJECT = z.record(z.string(), z.unknown());
const NO_PARAMETERS: Readonly<Record<string, unknown>> = { type: "object", properties: {} };

/**
 * The matching extension tools as agent tools. Every call is approved
 * through the command gate first (asked in the tree unless the agent's
 * policy is "deny"); a name that would shadow one of ours is left out.
 */
export function createExtensionTools(host: ExtensionToolHost, patterns: readonly string[], gate: CommandGate, taken: ReadonlySet<string>): AgentTool[] {
  const used = new Set(taken);
  const tools: AgentTool[] = [];
  for (const info of matchingExtensionTools(host.available(), patterns)) {
    const name = functionName(info.name);
    if (used.has(name)) continue;
    used.add(name);
    tools.push({
      name,
      description: `${info.description} (a VS Code tool, "${info.name}"; each call is approved by the user first)`,
      parameters: ANY_OBJECT,
      inputJsonSchema: info.inputSchema ?? NO_PARAMETERS,
      async execute(args, context) {
        const input = args as Record<string, unknown>;
        const shown = JSON.stringify(input);
        const verdict = await gate({ kind: "tool", tool: info.name, input: shown.length > MAX_INPUT_SHOWN ? `${shown.slice(0, MAX_INPUT_SHOWN)}… (${shown.length} characters)` : shown }, context);
        if (!verdict.run) throw new ToolError(verdict.message);
        try {
          return await host.invoke(info.name, input, context.signal);
        } catch (error) {
          if (context.signal.aborted) throw error;
          throw new ToolError(`the tool ${info.name} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      },
    });
  }
  return tools;
}
