import { lineRange, STORED_OUTPUT_PREFIX, storedOutputPath, type ToolOutputStore } from "../agents/storedToolOutputs";
import { ToolError, type AgentTool } from "./toolDefinition";

/**
 * Lets `read_file` read the agent's own stored tool results (paths under
 * STORED_OUTPUT_PREFIX), read-only: the store is asked only for the calling
 * agent's folder and a checked name, and `edit_file`/`write_file` refuse
 * such paths instead of creating a workspace file by that name.
 */
export function withStoredOutputs(tools: AgentTool[], store: ToolOutputStore): AgentTool[] {
  return tools.map((tool) => {
    if (tool.name === "read_file") return storedAwareRead(tool, store);
    if (tool.name === "edit_file" || tool.name === "write_file") return refusingStoredWrites(tool);
    return tool;
  });
}

interface ReadArgs {
  path: string;
  start_line?: number;
  end_line?: number;
}

function storedAwareRead(inner: AgentTool, store: ToolOutputStore): AgentTool {
  return {
    name: inner.name,
    description: `${inner.description} Paths starting with ${STORED_OUTPUT_PREFIX} are your own stored tool results (read-only).`,
    parameters: inner.parameters,
    async execute(args, context) {
      const { path, start_line, end_line } = args as ReadArgs;
      const name = storedOutputPath(path);
      if (name === undefined) return inner.execute(args, context);
      if (name === "invalid") throw new ToolError(`${path} is not a stored tool result name; copy the path from the note exactly.`);
      const text = await store.read(context.agentId, name);
      if (text === undefined) throw new ToolError(`there is no stored tool result ${path} for this agent.`);
      const range = lineRange(text, start_line, end_line);
      return `${STORED_OUTPUT_PREFIX}${name} (lines ${range.from}-${range.to} of ${range.totalLines}, stored tool result)\n${range.text}`;
    },
  };
}

function refusingStoredWrites(inner: AgentTool): AgentTool {
  return {
    name: inner.name,
    description: inner.description,
    parameters: inner.parameters,
    async execute(args, context) {
      const path = (args as { path?: unknown }).path;
      if (typeof path === "string" && storedOutputPath(path) !== undefined) {
        throw new ToolError(`${path} is a stored tool result and is read-only; write to a workspace path instead.`);
      }
      return inner.execute(args, context);
    },
  };
}
