import type { ToolCall } from "../llm/modelClient";

/** What the tree says of an agent whose run continued by itself after a window reload. */
export const RESUMED_AFTER_RELOAD = "resumed after reload";

/**
 * Tools that change nothing: a call of one that the reload cut off is simply
 * made again. Any other cut-off call is reported to the model instead, since
 * it may have taken effect before the window closed.
 */
const READ_ONLY_TOOLS: ReadonlySet<string> = new Set(["read_file", "list_files", "search_text", "get_diagnostics", "list_agents", "wait_agents"]);

/** A tool call whose result the transcript never recorded, and whether to run it again. */
export interface CutOffCall {
  call: ToolCall;
  rerun: boolean;
}

/**
 * Decides for each open call of the last assistant turn: read-only ones run
 * again, and so does the `run_command` that was waiting for approval (it had
 * not run, so asking again is what the user expects); the rest are reported.
 */
export function cutOffCalls(open: readonly ToolCall[], approvalCommand: string | undefined): CutOffCall[] {
  let approvalMatched = false;
  return open.map((call) => {
    if (READ_ONLY_TOOLS.has(call.name)) return { call, rerun: true };
    if (call.name === "run_command" && approvalCommand !== undefined && !approvalMatched && commandOf(call) === approvalCommand) {
      approvalMatched = true;
      return { call, rerun: true };
    }
    return { call, rerun: false };
  });
}

/** The result the model gets for a call the reload cut off and that was not run again. */
export function cutOffResult(call: ToolCall): string {
  const spawned =
    call.name === "spawn_agent"
      ? " Agents it started continue after the reload: use list_agents, then wait_agents, to get their results."
      : "";
  return (
    `This ${call.name} call was cut off when the VS Code window reloaded, and it was not made again because it may have ` +
    `taken effect before the reload. Check its effect (read the file, list the agents) before repeating it.${spawned}`
  );
}

function commandOf(call: ToolCall): string | undefined {
  try {
    const args = JSON.parse(call.arguments) as { command?: unknown };
    return typeof args.command === "string" ? args.command : undefined;
  } catch {
    return undefined;
  }
}
