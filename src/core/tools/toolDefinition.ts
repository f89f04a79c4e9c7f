import * as z from "zod";
import type { ToolSpec } from "../llm/modelClient";

/** What a tool may know about the call it serves. */
export interface ToolContext {
  readonly agentId: string;
  readonly callId: string;
  /** Aborts when the agent is interrupted, times out or the window closes. */
  readonly signal: AbortSignal;
  /**
   * Runs `wait` without holding an execution slot: the agent shows `waiting`
   * with `reason` and gets a slot again before the tool returns. A parent that
   * kept its slot while waiting for children could deadlock a full tree.
   */
  waitWithoutSlot<T>(reason: string, wait: () => Promise<T>): Promise<T>;
}

/**
 * One tool the model can call. The zod schema is the only description of the
 * parameters: the JSON schema the model sees is generated from it, and the
 * same schema parses what the model sends.
 */
export interface AgentTool<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly parameters: S;
  /**
   * The JSON schema the model sees, when it is not generated from
   * `parameters`: a tool from another extension brings its own.
   */
  readonly inputJsonSchema?: Readonly<Record<string, unknown>>;
  execute(args: z.output<S>, context: ToolContext): Promise<string>;
}

/** An error whose message is written for the model: what went wrong and what to do. */
export class ToolError extends Error {
  override readonly name = "ToolError";
}

export function defineTool<S extends z.ZodType>(tool: AgentTool<S>): AgentTool<S> {
  return tool;
}

/**
 * The JSON schema of each parameter schema, and the specs built on it by
 * name and description. Each agent gets tool objects of its own, but their
 * schemas are shared module constants: converting one with zod takes
 * milliseconds, which every agent start of a fan-out would pay again. Specs
 * are frozen because one object goes into every request of every agent.
 */
const converted = new WeakMap<object, { schema: Record<string, unknown>; specs: Map<string, ToolSpec> }>();

export function toToolSpec(tool: AgentTool): ToolSpec {
  const source: object = tool.inputJsonSchema ?? tool.parameters;
  let entry = converted.get(source);
  if (!entry) {
    // A copy of another extension's schema: the object stays theirs, unfrozen.
    const schema = tool.inputJsonSchema ? structuredClone(tool.inputJsonSchema) : (z.toJSONSchema(tool.parameters, { io: "input" }) as Record<string, unknown>);
    // Some OpenAI-compatible servers reject the `$schema` keyword in tool parameters.
    delete schema.$schema;
    entry = { schema: deepFreeze(schema), specs: new Map() };
    converted.set(source, entry);
  }
  const label = `${tool.name}\n${tool.description}`;
  let spec = entry.specs.get(label);
  if (!spec) {
    spec = deepFreeze({ type: "function", function: { name: tool.name, description: tool.description, parameters: entry.schema } });
    entry.specs.set(label, spec);
  }
  return spec;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export type ParsedArguments<T> = { ok: true; args: T } | { ok: false; error: string };

/**
 * Parses the raw JSON a model produced. Models often send `null` for an
 * optional parameter they mean to leave out, so top-level nulls are dropped
 * before validation instead of costing the model a turn.
 */
export function parseToolArguments<S extends z.ZodType>(tool: AgentTool<S>, raw: string): ParsedArguments<z.output<S>> {
  let value: unknown;
  try {
    value = raw.trim() === "" ? {} : JSON.parse(raw);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `the arguments of ${tool.name} are not valid JSON (${detail}); send one JSON object` };
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    value = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
  }
  const parsed = tool.parameters.safeParse(value);
  if (parsed.success) return { ok: true, args: parsed.data };
  const problems = parsed.error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message));
  return { ok: false, error: `invalid arguments for ${tool.name}: ${problems.join("; ")}` };
}
