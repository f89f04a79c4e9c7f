import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from "yaml";
import type { ProviderConfig } from "../settings/schema";
import { definitionDialectOf } from "./definitionFiles";
import { CLAUDE_ONLY_KEYS, DEFINITION_KEYS, isDefinitionKey } from "./definitionKeys";
import {
  agentFrontMatterSchema,
  type AgentDefinition,
  type AgentFrontMatter,
  type DefinitionDialect,
} from "./definitionSchema";
import { splitFrontMatter } from "./frontMatter";
import { LineIndex, type TextRange } from "./textRange";
import { EXTENSION_TOOL_PREFIX, type ToolName } from "./toolNames";
import { checkModelRef, checkToolName, closest, type ValueFinding } from "./valueChecks";

/**
 * A definition file comes with the workspace, so its tool patterns are kept
 * to names and a few `*`: a glob with many wildcards compiles to a regular
 * expression that backtracks for minutes on a long tool name, in the
 * extension host.
 */
const MAX_PATTERN_STARS = 3;
const MAX_PATTERN_LENGTH = 128;
const EXTENSION_TOOL_PATTERN = new RegExp(`^(?=.{1,${MAX_PATTERN_LENGTH}}$)[A-Za-z0-9_.-]*(?:\\*[A-Za-z0-9_.-]*){0,${MAX_PATTERN_STARS}}$`);

export type DefinitionSeverity = "error" | "warning" | "information" | "hint";

export type DefinitionDiagnosticCode =
  | "missing-front-matter"
  | "unclosed-front-matter"
  | "yaml-syntax"
  | "not-a-mapping"
  | "unknown-key"
  | "ignored-key"
  | "missing-key"
  | "invalid-value"
  | "unknown-tool"
  | "ignored-tool"
  | "duplicate-tool"
  | "bad-model"
  | "timeout-range"
  | "duplicate-name"
  | "shadowed-name"
  | "empty-prompt";

export interface DefinitionDiagnostic {
  range: TextRange;
  severity: DefinitionSeverity;
  code: DefinitionDiagnosticCode;
  message: string;
}

/** One `key: value` line of the front matter (for document symbols). */
export interface DefinitionEntry {
  key: string;
  keyRange: TextRange;
  /** Covers the key and its value. */
  range: TextRange;
}

export interface ParsedDefinitionFile {
  path: string;
  dialect: DefinitionDialect;
  /** Present only when the file has no error-severity diagnostic. */
  definition: AgentDefinition | undefined;
  /** The `name` as written, even when the file is invalid (duplicate checks need it). */
  name: string | undefined;
  nameRange: TextRange | undefined;
  entries: DefinitionEntry[];
  /** The whole file. */
  range: TextRange;
  diagnostics: DefinitionDiagnostic[];
}

export interface DefinitionContext {
  providers: readonly ProviderConfig[];
}

/**
 * Parses and checks one definition file. Never throws: every problem becomes
 * a diagnostic with the range of the text that causes it.
 */
export function parseDefinitionFile(path: string, text: string, context: DefinitionContext): ParsedDefinitionFile {
  const lines = new LineIndex(text);
  const file: ParsedDefinitionFile = {
    path,
    dialect: definitionDialectOf(path) ?? "subagents",
    definition: undefined,
    name: undefined,
    nameRange: undefined,
    entries: [],
    range: lines.rangeOf(0, text.length),
    diagnostics: [],
  };
  const report = (range: TextRange, severity: DefinitionSeverity, code: DefinitionDiagnosticCode, message: string) =>
    file.diagnostics.push({ range, severity, code, message });

  const split = splitFrontMatter(text);
  if (!split) {
    report(lines.rangeOf(0, lines.lineEnd(0)), "error", "missing-front-matter",
      "An agent definition starts with YAML front matter between two '---' lines (name, description, …).");
    return file;
  }
  const fence = lines.rangeOf(split.openOffset, split.openEnd);
  if (!split.close) {
    report(fence, "error", "unclosed-front-matter", "The front matter is not closed: add a '---' line after it.");
    return file;
  }

  const base = split.yamlOffset;
  const yamlText = text.slice(base, split.yamlEnd);
  const doc = parseDocument(yamlText, { prettyErrors: false, uniqueKeys: true });
  const rangeOf = (node: { range?: [number, number, number] | null | undefined } | null | undefined): TextRange | undefined => {
    const r = node?.range;
    return r && r[1] > r[0] ? lines.rangeOf(base + r[0], base + r[1]) : undefined;
  };
  for (const problem of [...doc.errors, ...doc.warnings]) {
    const [start, end] = yamlProblemSpan(yamlText, problem.pos);
    const severity = problem.name === "YAMLWarning" ? "warning" : "error";
    report(lines.rangeOf(base + start, base + end), severity, "yaml-syntax", firstLine(problem.message));
  }

  const contents = doc.contents;
  if (contents !== null && !isMap(contents)) {
    report(rangeOf(contents) ?? fence, "error", "not-a-mapping",
      "The front matter must be a mapping of keys (name: …, description: …).");
    return file;
  }

  // Known keys → their value nodes; unknown keys are reported here.
  const values = new Map<string, { keyRange: TextRange; value: YamlNode | null }>();
  for (const pair of contents?.items ?? []) {
    const key = isScalar(pair.key) ? pair.key : undefined;
    const keyRange = rangeOf(key) ?? fence;
    if (!key || typeof key.value !== "string") {
      report(keyRange, "error", "invalid-value", "Keys of the front matter must be plain words such as name or tools.");
      continue;
    }
    const name = key.value;
    const value = (pair.value ?? null) as YamlNode | null;
    const valueRange = rangeOf(value);
    file.entries.push({ key: name, keyRange, range: valueRange ? { start: keyRange.start, end: valueRange.end } : keyRange });
    if (isDefinitionKey(name)) {
      values.set(name, { keyRange, value });
    } else if (file.dialect === "claude" && CLAUDE_ONLY_KEYS.has(name)) {
      report(keyRange, "hint", "ignored-key", `"${name}" is a Claude Code setting; Subagents ignores it.`);
    } else {
      const suggestion = closest(name, DEFINITION_KEYS);
      const hint = suggestion ? ` Did you mean "${suggestion}"?` : ` Known keys: ${DEFINITION_KEYS.join(", ")}.`;
      report(keyRange, file.dialect === "claude" ? "warning" : "error", "unknown-key", `Unknown key "${name}".${hint}`);
    }
  }

  const nameValue = values.get("name")?.value;
  if (isScalar(nameValue) && typeof nameValue.value === "string") {
    file.name = nameValue.value;
    file.nameRange = rangeOf(nameValue);
  }
  if (doc.errors.length > 0) return file;

  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    // Aliases gone wrong (e.g. an alias bomb); the parser itself reports the rest.
    report(fence, "error", "yaml-syntax", error instanceof Error ? error.message : String(error));
    return file;
  }
  const raw: Record<string, unknown> = {};
  for (const key of values.keys()) raw[key] = (js as Record<string, unknown> | null)?.[key] ?? null;
  const valueRange = (key: string): TextRange => {
    const entry = values.get(key);
    return rangeOf(entry?.value) ?? entry?.keyRange ?? fence;
  };

  const parsed = agentFrontMatterSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? "");
      if (raw[key] === undefined && isDefinitionKey(key)) {
        report(fence, "error", "missing-key", `Missing required key "${key}".`);
      } else {
        const timeout = key === "timeout_seconds" && issue.code !== "invalid_type";
        report(valueRange(key), "error", timeout ? "timeout-range" : "invalid-value", issue.message);
      }
    }
  }

  const tools = raw.tools === undefined ? undefined : checkTools(values.get("tools")?.value ?? null, file.dialect, rangeOf, report);
  let model: string | undefined;
  if (typeof raw.model === "string") {
    const checked = checkModelRef(raw.model, context.providers, file.dialect);
    model = checked.model;
    if (checked.finding) reportFinding(report, valueRange("model"), "bad-model", checked.finding);
  }

  const systemPrompt = text.slice(split.bodyOffset).trim();
  if (systemPrompt === "") {
    report(lines.rangeOf(split.close.start, split.close.end), "warning", "empty-prompt",
      "The body after the front matter is this agent's system prompt; it is empty.");
  }

  if (!parsed.success || file.diagnostics.some((d) => d.severity === "error")) return file;
  file.definition = toDefinition(parsed.data, { tools, model, systemPrompt, path, dialect: file.dialect });
  return file;
}

type Report = (range: TextRange, severity: DefinitionSeverity, code: DefinitionDiagnosticCode, message: string) => void;
type RangeOf = (node: { range?: [number, number, number] | null | undefined } | null | undefined) => TextRange | undefined;

function reportFinding(report: Report, range: TextRange, code: DefinitionDiagnosticCode, finding: ValueFinding): void {
  report(range, finding.severity, code, finding.message);
}

/**
 * Tool names with the range of each: a YAML list, or Claude Code's
 * comma-separated string (ranges computed inside the scalar's source).
 */
function checkTools(
  node: YamlNode | null,
  dialect: DefinitionDialect,
  rangeOf: RangeOf,
  report: Report,
): { tools: ToolName[]; extensionTools: string[] } | undefined {
  const items: Array<{ name: string; range: TextRange }> = [];
  if (isSeq(node)) {
    for (const item of node.items) {
      const range = rangeOf(item as YamlNode) ?? rangeOf(node);
      if (isScalar(item) && typeof item.value === "string" && range) {
        items.push({ name: item.value.trim(), range });
      } else if (range) {
        report(range, "error", "invalid-value", "Each tool must be a tool name such as read_file.");
      }
    }
  } else if (isScalar(node) && typeof node.value === "string" && node.range) {
    const quoted = node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE";
    const start = node.range[0] + (quoted ? 1 : 0);
    let offset = 0;
    for (const part of node.value.split(",")) {
      const lead = part.length - part.trimStart().length;
      const name = part.trim();
      const from = start + offset + lead;
      const range = rangeOf({ range: [from, from + name.length, from + name.length] });
      if (name && range) items.push({ name, range });
      offset += part.length + 1;
    }
  } else {
    return undefined; // the schema already reported the wrong shape
  }

  const tools: ToolName[] = [];
  const extensionTools: string[] = [];
  for (const { name, range } of items) {
    if (name.startsWith(EXTENSION_TOOL_PREFIX)) {
      const pattern = name.slice(EXTENSION_TOOL_PREFIX.length).trim();
      if (pattern === "") report(range, "error", "unknown-tool", `"${EXTENSION_TOOL_PREFIX}" needs a VS Code tool name or pattern after it, e.g. ${EXTENSION_TOOL_PREFIX}mcp_github_*.`);
      else if (!EXTENSION_TOOL_PATTERN.test(pattern))
        report(
          range,
          "error",
          "unknown-tool",
          `"${name}" is not a tool name pattern: use letters, digits, "_", ".", "-" and at most ${MAX_PATTERN_STARS} "*" (up to ${MAX_PATTERN_LENGTH} characters), e.g. ${EXTENSION_TOOL_PREFIX}mcp_github_*.`,
        );
      else if (extensionTools.includes(pattern)) report(range, "warning", "duplicate-tool", `"${name}" is listed twice.`);
      else extensionTools.push(pattern);
      continue;
    }
    const check = checkToolName(name, dialect);
    if (check.kind === "unknown") reportFinding(report, range, "unknown-tool", check.finding);
    else if (check.kind === "ignored") reportFinding(report, range, "ignored-tool", check.finding);
    else if (tools.includes(check.tool)) report(range, "warning", "duplicate-tool", `"${name}" is listed twice.`);
    else tools.push(check.tool);
  }
  return { tools, extensionTools };
}

function toDefinition(
  front: AgentFrontMatter,
  extra: { tools: { tools: ToolName[]; extensionTools: string[] } | undefined; model: string | undefined; systemPrompt: string; path: string; dialect: DefinitionDialect },
): AgentDefinition {
  const definition: AgentDefinition = {
    name: front.name,
    description: front.description,
    systemPrompt: extra.systemPrompt,
    sourcePath: extra.path,
    dialect: extra.dialect,
  };
  if (extra.tools !== undefined) {
    definition.tools = extra.tools.tools;
    if (extra.tools.extensionTools.length > 0) definition.extensionTools = extra.tools.extensionTools;
  }
  if (extra.model !== undefined) definition.model = extra.model;
  if (front.role !== undefined) definition.role = front.role;
  if (front.timeout_seconds !== undefined) definition.timeoutSeconds = front.timeout_seconds;
  if (front.max_turns !== undefined) definition.maxTurns = front.max_turns;
  if (front.reasoning_effort !== undefined) definition.reasoningEffort = front.reasoning_effort;
  if (front.background !== undefined) definition.background = front.background;
  if (front.isolation !== undefined) definition.isolation = front.isolation;
  return definition;
}

/**
 * The span to underline for a YAML problem. The parser often gives one
 * character (a duplicate key's first letter) or the end of input (an
 * unclosed bracket); widen the first to its token and pull the second back
 * into the front matter so it is not drawn on the closing fence.
 */
function yamlProblemSpan(yaml: string, pos: [number, number]): [number, number] {
  const content = yaml.trimEnd().length;
  const start = Math.min(pos[0], Math.max(0, content - 1));
  let end = Math.min(Math.max(pos[1], start), content);
  if (end - start <= 1) {
    const token = /^[^\s:,[\]{}]+/.exec(yaml.slice(start));
    end = start + Math.max(1, token?.[0].length ?? 1);
  }
  return [start, end];
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() ?? message;
}
