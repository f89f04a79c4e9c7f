import picomatch from "picomatch";
import type { ReasoningEffort } from "../common/reasoningEffort";
import type { AgentDefinition, AgentRole } from "./definitionSchema";
import { extensionToolEntry, isToolName } from "./toolNames";
import { parseDefinitionFile, type DefinitionContext, type DefinitionDiagnostic, type ParsedDefinitionFile } from "./parseDefinition";

/**
 * The set of agent types of a workspace, built from the contents of its
 * definition files. Immutable: a file change builds a new set. A type is
 * offered only when its file is valid and its name is not claimed by another
 * file of the same folder; `.subagents/agents` shadows `.claude/agents`.
 */
export class AgentDefinitions {
  static readonly empty = new AgentDefinitions([]);

  private readonly byName: ReadonlyMap<string, AgentDefinition>;
  private readonly byPath: ReadonlyMap<string, ParsedDefinitionFile>;

  /** Every file, with its own diagnostics plus those that need the other files (duplicates). */
  readonly files: readonly ParsedDefinitionFile[];

  /** Parses `[path, text]` pairs (a `Map<path, text>` works) and checks them together. */
  static parse(files: Iterable<readonly [path: string, text: string]>, context: DefinitionContext): AgentDefinitions {
    return AgentDefinitions.fromParsed([...files].map(([path, text]) => parseDefinitionFile(path, text, context)));
  }

  /** Builds the set from files parsed one by one (callers may cache those per file version). */
  static fromParsed(parsed: readonly ParsedDefinitionFile[]): AgentDefinitions {
    return new AgentDefinitions(parsed);
  }

  private constructor(parsed: readonly ParsedDefinitionFile[]) {
    const claims = new Map<string, ParsedDefinitionFile[]>();
    for (const file of parsed) {
      if (file.name === undefined) continue;
      const key = nameKey(file.name);
      claims.set(key, [...(claims.get(key) ?? []), file]);
    }

    const extra = new Map<ParsedDefinitionFile, DefinitionDiagnostic[]>();
    const withheld = new Set<ParsedDefinitionFile>();
    const add = (file: ParsedDefinitionFile, diagnostic: Omit<DefinitionDiagnostic, "range">) => {
      const range = file.nameRange ?? file.range;
      extra.set(file, [...(extra.get(file) ?? []), { ...diagnostic, range }]);
    };
    for (const group of claims.values()) {
      if (group.length < 2) continue;
      const own = group.filter((f) => f.dialect === "subagents");
      const winners = own.length > 0 ? own : group;
      for (const file of group) {
        if (!winners.includes(file)) {
          withheld.add(file);
          add(file, {
            severity: "information",
            code: "shadowed-name",
            message: `Agent "${file.name}" is also defined in ${list(winners)}, which takes precedence over this file.`,
          });
        } else if (winners.length > 1) {
          withheld.add(file);
          add(file, {
            severity: "error",
            code: "duplicate-name",
            message: `Agent name "${file.name}" is also used in ${list(winners.filter((w) => w !== file))}; names must be unique, so neither is offered.`,
          });
        }
      }
    }

    this.files = parsed.map((file) => {
      const more = extra.get(file);
      return more ? { ...file, diagnostics: [...file.diagnostics, ...more] } : file;
    });
    this.byPath = new Map(this.files.map((f) => [f.path, f]));
    const offered = new Map<string, AgentDefinition>();
    for (const file of parsed) {
      if (file.definition && !withheld.has(file)) offered.set(nameKey(file.definition.name), file.definition);
    }
    this.byName = new Map([...offered].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** The offered types, sorted by name. */
  list(): AgentDefinition[] {
    return [...this.byName.values()];
  }

  /** Case-insensitive lookup of an offered type. */
  get(name: string): AgentDefinition | undefined {
    return this.byName.get(nameKey(name));
  }

  names(): string[] {
    return this.list().map((d) => d.name);
  }

  file(path: string): ParsedDefinitionFile | undefined {
    return this.byPath.get(path);
  }

  get size(): number {
    return this.byName.size;
  }
}

function nameKey(name: string): string {
  return name.toLowerCase();
}

function list(files: readonly ParsedDefinitionFile[]): string {
  return files.map((f) => f.path).join(", ");
}

/**
 * The tools an agent of this type gets: the definition's allow-list
 * intersected with the parent's tools, in the parent's order. A definition
 * can only narrow; `notGranted` names what it asked for and did not get.
 */
export function resolveAgentTools(
  definition: Pick<AgentDefinition, "tools" | "extensionTools"> | undefined,
  parentTools: readonly string[],
): { tools: string[]; notGranted: string[] } {
  if (definition?.tools === undefined) return { tools: [...parentTools], notGranted: [] };
  const wanted = new Set<string>(definition.tools);
  // The parent's tools that are not ours came from subagents.extensionTools; the type's patterns pick among them.
  const patterns = definition.extensionTools ?? [];
  const offered = parentTools.filter((t) => !isToolName(t));
  const matchers = patterns.map((pattern) => ({ pattern, matches: extensionToolMatcher(pattern) }));
  const extension = new Set(offered.filter((t) => matchers.some((m) => m.matches(t))));
  return {
    tools: parentTools.filter((t) => wanted.has(t) || extension.has(t)),
    notGranted: [
      ...definition.tools.filter((t) => !parentTools.includes(t)),
      ...matchers.filter((m) => !offered.some((t) => m.matches(t))).map((m) => extensionToolEntry(m.pattern)),
    ],
  };
}

/**
 * A `vscode:` pattern against the tool names agents see. Those are VS Code's
 * tool names made fit for function calling (a "." becomes "_"), while
 * `subagents.extensionTools` and the user's pattern speak of the original
 * names: a pattern matches either spelling, so `mcp.github.*` finds
 * `mcp_github_search` as the setting's pattern found `mcp.github.search`.
 */
function extensionToolMatcher(pattern: string): (name: string) => boolean {
  const asWritten = picomatch(pattern, { nocase: true });
  const asOffered = picomatch(pattern.replace(/\./g, "_"), { nocase: true });
  return (name) => asWritten(name) || asOffered(name);
}

/** What a `spawn_agent` call asked for explicitly. */
export interface SpawnRequestOptions {
  role?: AgentRole;
  model?: string;
  timeoutSeconds?: number;
  background?: boolean;
  isolation?: "none" | "worktree";
}

export interface DefinedSpawnOptions extends SpawnRequestOptions {
  agentType: string;
  /** The type's turn budget; undefined = `subagents.maxTurns`. */
  maxTurns?: number;
  /** The type's reasoning effort; undefined = the model entry's or the provider's. */
  reasoningEffort?: ReasoningEffort;
  systemPrompt: string;
  tools: string[];
  notGranted: string[];
}

/**
 * Applies a definition to a spawn request. Explicit `model`,
 * `timeout_seconds` and `background` of the call win over the definition's
 * defaults; `role` takes the narrower of the two (leaf wins); tools only narrow.
 * Validation of the result (e.g. background with timeout 0) stays with the scheduler.
 */
export function applyAgentDefinition(
  definition: AgentDefinition,
  request: SpawnRequestOptions,
  parentTools: readonly string[],
): DefinedSpawnOptions {
  const { tools, notGranted } = resolveAgentTools(definition, parentTools);
  const result: DefinedSpawnOptions = { agentType: definition.name, systemPrompt: definition.systemPrompt, tools, notGranted };
  const role = request.role === "leaf" || definition.role === "leaf" ? "leaf" : (request.role ?? definition.role);
  if (role !== undefined) result.role = role;
  const model = request.model ?? definition.model;
  if (model !== undefined) result.model = model;
  const timeoutSeconds = request.timeoutSeconds ?? definition.timeoutSeconds;
  if (timeoutSeconds !== undefined) result.timeoutSeconds = timeoutSeconds;
  const background = request.background ?? definition.background;
  if (background !== undefined) result.background = background;
  if (definition.maxTurns !== undefined) result.maxTurns = definition.maxTurns;
  if (definition.reasoningEffort !== undefined) result.reasoningEffort = definition.reasoningEffort;
  const isolation = request.isolation ?? definition.isolation;
  if (isolation !== undefined) result.isolation = isolation;
  return result;
}

/** Error text for `spawn_agent` with an `agent_type` that is not offered. */
export function unknownAgentTypeMessage(name: string, definitions: AgentDefinitions): string {
  const names = definitions.names();
  const available = names.length > 0 ? `Available types: ${names.join(", ")}.` : "No agent types are defined in this workspace.";
  return `Unknown agent_type "${name}". ${available} Omit agent_type to spawn a general agent.`;
}

/**
 * The paragraph of the root agent's system prompt that lists the agent types;
 * empty when there are none (the prompt then says nothing about types).
 */
export function describeAgentTypes(definitions: AgentDefinitions | readonly AgentDefinition[]): string {
  const list = definitions instanceof AgentDefinitions ? definitions.list() : definitions;
  if (list.length === 0) return "";
  const lines = list.map((d) => {
    const facts: string[] = [];
    if (d.tools) {
      const listed = [...d.tools, ...(d.extensionTools ?? []).map(extensionToolEntry)];
      facts.push(`tools: ${listed.length > 0 ? listed.join(", ") : "none"}`);
    }
    if (d.role) facts.push(`role: ${d.role}`);
    if (d.background) facts.push("runs in the background");
    if (d.maxTurns !== undefined) facts.push(`at most ${d.maxTurns} turns`);
    if (d.isolation === "worktree") facts.push("works in its own git worktree");
    const suffix = facts.length > 0 ? ` (${facts.join("; ")})` : "";
    return `- ${d.name}: ${oneLine(d.description)}${suffix}`;
  });
  return [
    "Agent types defined for this workspace. To use one, call spawn_agent with agent_type set to its name;",
    "the type supplies the subagent's instructions, tools and defaults, and your task text is its assignment.",
    ...lines,
  ].join("\n");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
