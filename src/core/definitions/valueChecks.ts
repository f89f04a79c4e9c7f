import { isVscodeLmProvider, vscodeLmModelProblem } from "../llm/vscodeLmRef";
import { modelNames, splitModelRef, type ProviderConfig } from "../settings/schema";
import { INHERIT_MODEL, type DefinitionDialect } from "./definitionSchema";
import { TOOL_NAMES, CLAUDE_TOOL_ALIASES, isToolName, type ToolName } from "./toolNames";

/**
 * Checks of single values that need outside knowledge: the configured models
 * and the dialect's tool names. They return findings without positions; the
 * parser attaches the range of the value they came from.
 */
export interface ValueFinding {
  severity: "error" | "warning" | "information";
  message: string;
}

export type ToolCheck =
  | { kind: "ok"; tool: ToolName }
  | { kind: "ignored"; finding: ValueFinding }
  | { kind: "unknown"; finding: ValueFinding };

export function checkToolName(name: string, dialect: DefinitionDialect): ToolCheck {
  if (isToolName(name)) return { kind: "ok", tool: name };
  const alias = CLAUDE_TOOL_ALIASES[name];
  if (dialect === "claude") {
    if (alias) return { kind: "ok", tool: alias };
    return {
      kind: "ignored",
      finding: { severity: "warning", message: `Claude Code tool "${name}" has no equivalent in Subagents; it is ignored.` },
    };
  }
  const suggestion = alias ?? closest(name, TOOL_NAMES);
  const hint = suggestion ? ` Did you mean "${suggestion}"?` : ` Known tools: ${TOOL_NAMES.join(", ")}.`;
  return { kind: "unknown", finding: { severity: "error", message: `Unknown tool "${name}".${hint}` } };
}

/** All `"<providerId>:<model>"` references the settings offer, in settings order. */
export function configuredModelRefs(providers: readonly ProviderConfig[]): string[] {
  return providers.flatMap((p) => modelNames(p).map((m) => `${p.id}:${m}`));
}

const CLAUDE_MODEL = /^(sonnet|opus|haiku|claude-[\w.-]+)$/i;

/**
 * Returns the model to use (undefined = the default) and what is wrong with
 * the reference, if anything. An unknown provider is an error (no key pool,
 * no base URL); a model the provider does not list is only a warning, since
 * servers often accept models the settings do not name.
 */
export function checkModelRef(
  ref: string,
  providers: readonly ProviderConfig[],
  dialect: DefinitionDialect,
): { model: string | undefined; finding?: ValueFinding } {
  const trimmed = ref.trim();
  if (trimmed === INHERIT_MODEL) return { model: undefined };
  const split = splitModelRef(trimmed);
  if (!split) {
    if (dialect === "claude" && CLAUDE_MODEL.test(trimmed)) {
      return {
        model: undefined,
        finding: {
          severity: "information",
          message: `"${trimmed}" is a Claude Code model alias; Subagents uses the default subagent model instead.`,
        },
      };
    }
    return {
      model: undefined,
      finding: {
        severity: "error",
        message: `Bad model reference "${trimmed}": expected "<providerId>:<model>" (for example ${exampleRef(providers)}) or "inherit".`,
      },
    };
  }
  if (isVscodeLmProvider(split.providerId)) {
    const problem = vscodeLmModelProblem(split.model);
    return problem ? { model: undefined, finding: { severity: "error", message: `Bad model reference: ${problem}` } } : { model: trimmed };
  }
  const provider = providers.find((p) => p.id === split.providerId);
  if (!provider) {
    const ids = providers.map((p) => p.id).join(", ") || "none";
    return {
      model: undefined,
      finding: {
        severity: "error",
        message: `Bad model reference "${trimmed}": no provider "${split.providerId}" in subagents.providers (configured: ${ids}).`,
      },
    };
  }
  if (!modelNames(provider).includes(split.model)) {
    return {
      model: trimmed,
      finding: {
        severity: "warning",
        message: `Model "${split.model}" is not listed for provider "${provider.id}" (listed: ${modelNames(provider).join(", ")}).`,
      },
    };
  }
  return { model: trimmed };
}

function exampleRef(providers: readonly ProviderConfig[]): string {
  const first = configuredModelRefs(providers)[0];
  return first ? `"${first}"` : '"openai:gpt-5-mini"';
}

/** The candidate within edit distance 2 (or equal ignoring case), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    if (candidate.toLowerCase() === word.toLowerCase()) return candidate;
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
