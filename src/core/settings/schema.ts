import { ISOLATION_MODES } from "../isolation/agentWorkspaces";
import * as z from "zod";
import { REASONING_EFFORTS, type ReasoningEffort } from "../common/reasoningEffort";
import { MAX_TIMEOUT_SECONDS } from "../common/timeLimits";
import { DEFAULT_MAX_TURNS, MAX_TURNS_LIMIT } from "../common/turnLimits";
import { MAX_STORED_RESULT_CHARS } from "../agents/resultFormat";
import { DEFAULT_COOLDOWN_SECONDS } from "../keys/keyHealth";
import { DEFAULT_VSCODE_LM_MAX_CONCURRENT } from "../llm/vscodeLmRef";
import { DEFAULT_MAX_TOOL_RESULT_CHARS, MAX_TOOL_RESULT_CHARS, MIN_TOOL_RESULT_CHARS } from "../tools/toolOutputLimits";

/**
 * The `subagents.*` settings: one zod schema per key, each with its
 * documented default. package.json's `contributes.configuration` mirrors these (a unit
 * test keeps the two in step).
 */

/** USD per 1M tokens of one model; non-negative, finite (zod 4 numbers reject Infinity and NaN). */
export const modelPriceSchema = z.object({
  inputPerMillion: z.number().min(0),
  outputPerMillion: z.number().min(0),
  /** USD per 1M input tokens the provider served from its prompt cache; absent = the input price. */
  cachedInputPerMillion: z.number().min(0).optional(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** Wire protocol of a provider: Chat Completions, OpenAI's Responses API, or Anthropic's Messages API. */
export const providerApiSchema = z.enum(["chat", "responses", "anthropic"]);
export type ProviderApi = z.infer<typeof providerApiSchema>;

/** `none` = the server needs no key (a local llama.cpp, vLLM or Ollama): nothing is sent, no pool is needed. */
export const providerAuthSchema = z.enum(["bearer", "none"]);
export type ProviderAuth = z.infer<typeof providerAuthSchema>;

export const reasoningEffortSchema = z.enum(REASONING_EFFORTS);

/** What a provider's `models` entry may say beyond its name. */
export const modelEntrySchema = z.strictObject({
  name: z.string().min(1),
  /** Tokens the model accepts in one request (prompt and reply); compaction keeps a conversation under 80% of it. */
  contextWindow: z.number().int().min(1_024).max(100_000_000).optional(),
  reasoningEffort: reasoningEffortSchema.optional(),
});
export type ModelOptions = Omit<z.infer<typeof modelEntrySchema>, "name">;

/** A provider entry as written in settings (before `models` is split into names and options). */
export const providerFields = z.object({
  id: z
    .string()
    .min(1)
    .regex(/^[^:\s]+$/, "a provider id must not contain ':' or spaces"),
  baseUrl: z.url(),
  api: providerApiSchema.optional(),
  auth: providerAuthSchema.optional(),
  /** Reasoning effort of every model of this provider, unless its model entry or the agent type says otherwise. */
  reasoningEffort: reasoningEffortSchema.optional(),
  /** Agents of this provider holding an execution slot at once; default from the keys and maxConcurrentAgents. */
  maxConcurrent: z.number().int().min(1).max(256).optional(),
  /** Names, or `{name, contextWindow?, reasoningEffort?}` entries; parsed into `models` (names) and `modelOptions`. */
  models: z.array(z.union([z.string().min(1), modelEntrySchema])).min(1),
  envPrefix: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable prefix is letters, digits and '_'")
    .optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Prices by model name, for the cost shown in the tree; models without one show no cost. */
  prices: z.record(z.string().min(1), modelPriceSchema).optional(),
  /** Filled from object entries of `models`; never written by the user under this name. */
  modelOptions: z.record(z.string(), modelEntrySchema.omit({ name: true })).optional(),
});

/**
 * A provider as the rest of the code sees it: `models` is a list of names
 * (entries may be written as objects), their options in `modelOptions`.
 */
export const providerSchema = providerFields.transform((provider) => {
  const names: string[] = [];
  const options: Record<string, ModelOptions> = { ...provider.modelOptions };
  for (const entry of provider.models) {
    if (typeof entry === "string") {
      names.push(entry);
      continue;
    }
    const { name, ...rest } = entry;
    names.push(name);
    if (Object.keys(rest).length > 0) options[name] = rest;
  }
  const { models: _entries, modelOptions: _options, ...others } = provider;
  const normalised: Omit<typeof provider, "models" | "modelOptions"> & { models: string[]; modelOptions?: Record<string, ModelOptions> } = {
    ...others,
    models: names,
  };
  if (Object.keys(options).length > 0) normalised.modelOptions = options;
  return normalised;
});
export type ProviderConfig = z.output<typeof providerSchema>;

/** Options of one model (context window, reasoning effort); empty when its entry is a plain name. */
export function modelOptionsOf(providers: readonly ProviderConfig[], providerId: string, model: string): ModelOptions {
  return providers.find((p) => p.id === providerId)?.modelOptions?.[model] ?? {};
}

/** The model names of a provider. */
export function modelNames(provider: Pick<ProviderConfig, "models">): string[] {
  return [...provider.models];
}

/** The options of one model of a provider, with its name, or undefined when the provider does not list it. */
export function modelOptions(provider: Pick<ProviderConfig, "models" | "modelOptions">, model: string): (ModelOptions & { name: string }) | undefined {
  if (!provider.models.includes(model)) return undefined;
  return { name: model, ...provider.modelOptions?.[model] };
}

/**
 * The options a request to one model is sent with: the model entry's, with
 * the reasoning effort of the agent type, else of the model entry, else of
 * the provider.
 */
export function requestOptions(
  provider: Pick<ProviderConfig, "models" | "modelOptions" | "reasoningEffort">,
  model: string,
  agentTypeEffort?: ReasoningEffort,
): ModelOptions | undefined {
  const options = modelOptions(provider, model);
  const effort = agentTypeEffort ?? options?.reasoningEffort ?? provider.reasoningEffort;
  if (effort === undefined) return options;
  return { ...options, reasoningEffort: effort };
}

export function providerApi(provider: Pick<ProviderConfig, "api">): ProviderApi {
  return provider.api ?? "chat";
}

/** True when the provider takes no key: no pool, no Authorization header. */
export function isKeyless(provider: Pick<ProviderConfig, "auth">): boolean {
  return provider.auth === "none";
}

export const DEFAULT_PROVIDERS: ProviderConfig[] = [
  {
    id: "openai",
    baseUrl: "https://api.openai.com/v1",
    models: ["gpt-5-mini", "gpt-5"],
    envPrefix: "OPENAI_API_KEY",
  },
];

/** `"<providerId>:<model>"`, split at the first `:` so `ollama:llama3:8b` works. */
export const modelRefSchema = z
  .string()
  .regex(/^[^:\s]+:.+$/, 'expected "<providerId>:<model>", for example "openai:gpt-5-mini"');

export const approvalPolicySchema = z.enum(["ask", "allowList", "deny"]);
export type ApprovalPolicy = z.infer<typeof approvalPolicySchema>;

/**
 * Commands that run no code the workspace controls. Not `npm test` (it runs
 * a script the agent may just have written) and not git: `.git/config` can
 * name programs that even `git status` runs (core.fsmonitor, filter drivers
 * chosen by .gitattributes, diff.external, textconv, gpg.program…), more of
 * them than a command line can switch off.
 */
export const DEFAULT_ALLOWED_COMMANDS = ["ls", "pwd", "cat", "head", "tail", "wc", "rg", "grep", "find", "node --version"];

/**
 * Paths whose change alters what runs or what the agents are told: editor
 * settings and tasks, git config and hooks, agent definitions, env files,
 * package manifests (their scripts run on install and test), workspace files.
 */
export const DEFAULT_PROTECTED_PATHS = [
  ".vscode/**",
  ".git/**",
  ".subagents/**",
  ".claude/**",
  "**/.env*",
  "**/package.json",
  "**/*.code-workspace",
];

/**
 * Environment variable names (globs, any case) removed from the environment
 * of commands agents run, on top of every provider's envPrefix: common
 * secret names, and the sockets through which a child could borrow the
 * user's SSH agent or VS Code's git credentials.
 */
export const DEFAULT_HIDDEN_ENV = [
  "*_API_KEY*",
  "*_APIKEY*",
  "*_TOKEN",
  "*_TOKEN_*",
  "*_SECRET*",
  "*SECRET_KEY*",
  "*PASSWORD*",
  "*PASSWD*",
  "*PRIVATE_KEY*",
  "*_ACCESS_KEY*",
  "*_CREDENTIALS*",
  "*_KEY",
  "AWS_*",
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "NPM_TOKEN",
  "NODE_AUTH_TOKEN",
  "HF_TOKEN",
  "SSH_AUTH_SOCK",
  "GIT_ASKPASS",
  "SSH_ASKPASS",
  "VSCODE_GIT_*",
];

const positiveInt = z.number().int().positive();

/** Upper bounds of a task's budget, for the settings and for a raise from the tree alike. */
export const MAX_TASK_TOKENS = 1_000_000_000_000;
export const MAX_TASK_COST_USD = 1_000_000;

export const settingSchemas = {
  providers: z.array(providerSchema).min(1).refine(
    (list) => new Set(list.map((p) => p.id)).size === list.length,
    "provider ids must be unique",
  ),
  model: z.union([modelRefSchema, z.literal("")]),
  subagentModel: z.union([modelRefSchema, z.literal("")]),
  maxConcurrentAgents: positiveInt.max(256),
  maxQueuedAgents: z.number().int().min(0).max(10_000),
  maxSpawnDepth: z.number().int().min(1).max(8),
  maxTurns: positiveInt.max(MAX_TURNS_LIMIT),
  resumeAfterReload: z.boolean(),
  "timeouts.foregroundSeconds": z.number().int().min(0).max(MAX_TIMEOUT_SECONDS),
  "timeouts.backgroundSeconds": positiveInt.max(MAX_TIMEOUT_SECONDS),
  "keyPool.cooldownSeconds": z.array(positiveInt.max(86_400)).min(1),
  "approval.root": approvalPolicySchema,
  "approval.subagents": approvalPolicySchema,
  "approval.allowedCommands": z.array(z.string().min(1)),
  "approval.deniedCommands": z.array(z.string().min(1)),
  "approval.protectedPaths": z.array(z.string().min(1)),
  "commands.hiddenEnv": z.array(z.string().min(1)),
  /** Name patterns of VS Code language model tools (other extensions', MCP servers') offered to agents. */
  extensionTools: z.array(z.string().min(1)),
  /** Agents on VS Code's models (`vscode-lm:` refs) holding an execution slot at once. */
  "vscodeLm.maxConcurrent": positiveInt.max(256),
  "staleSeconds.idle": positiveInt.max(86_400),
  "staleSeconds.inTool": positiveInt.max(86_400),
  // No more than an agent keeps of its result: a larger limit would cut silently, without the truncation note.
  "results.maxChars": z.number().int().min(500).max(MAX_STORED_RESULT_CHARS),
  "results.maxPartialChars": z.number().int().min(200).max(MAX_STORED_RESULT_CHARS),
  "results.maxToolChars": z.number().int().min(MIN_TOOL_RESULT_CHARS).max(MAX_TOOL_RESULT_CHARS),
  isolation: z.enum(ISOLATION_MODES),
  /** Input + output tokens of a root and its subtree; 0 = no limit. */
  "budget.maxTokensPerTask": z.number().int().min(0).max(MAX_TASK_TOKENS),
  /** USD of a root and its subtree (needs prices); 0 = no limit. */
  "budget.maxCostPerTask": z.number().min(0).max(MAX_TASK_COST_USD),
} as const;

export type SettingKey = keyof typeof settingSchemas;
export type Settings = { [K in SettingKey]: z.infer<(typeof settingSchemas)[K]> };

export const DEFAULT_SETTINGS: Settings = {
  providers: DEFAULT_PROVIDERS,
  model: "",
  subagentModel: "",
  maxConcurrentAgents: 8,
  maxQueuedAgents: 100,
  maxSpawnDepth: 1,
  maxTurns: DEFAULT_MAX_TURNS,
  resumeAfterReload: true,
  "timeouts.foregroundSeconds": 300,
  "timeouts.backgroundSeconds": 900,
  "keyPool.cooldownSeconds": [...DEFAULT_COOLDOWN_SECONDS],
  "approval.root": "ask",
  "approval.subagents": "ask",
  "approval.allowedCommands": DEFAULT_ALLOWED_COMMANDS,
  "approval.deniedCommands": [],
  "approval.protectedPaths": DEFAULT_PROTECTED_PATHS,
  "commands.hiddenEnv": DEFAULT_HIDDEN_ENV,
  extensionTools: [],
  "vscodeLm.maxConcurrent": DEFAULT_VSCODE_LM_MAX_CONCURRENT,
  "staleSeconds.idle": 450,
  "staleSeconds.inTool": 1200,
  "results.maxChars": 12_000,
  "results.maxPartialChars": 8_000,
  "results.maxToolChars": DEFAULT_MAX_TOOL_RESULT_CHARS,
  isolation: "none",
  "budget.maxTokensPerTask": 0,
  "budget.maxCostPerTask": 0,
};

export interface SettingProblem {
  key: SettingKey;
  message: string;
}

/**
 * Validates raw values (as read from configuration) key by key. A bad value
 * is replaced by its default and reported; one bad key never discards the others.
 */
export function parseSettings(read: (key: SettingKey) => unknown): {
  settings: Settings;
  problems: SettingProblem[];
} {
  const settings = { ...DEFAULT_SETTINGS } as Record<SettingKey, unknown>;
  const problems: SettingProblem[] = [];
  for (const key of Object.keys(settingSchemas) as SettingKey[]) {
    const raw = read(key);
    if (raw === undefined) continue;
    const parsed = settingSchemas[key].safeParse(raw);
    if (parsed.success) {
      settings[key] = parsed.data;
    } else {
      const first = parsed.error.issues[0];
      const where = first && first.path.length > 0 ? ` (at ${first.path.join(".")})` : "";
      problems.push({ key, message: `${first?.message ?? "invalid value"}${where}` });
    }
  }
  return { settings: settings as Settings, problems };
}

/** Splits `"provider:model"` at the first `:`. */
export function splitModelRef(ref: string): { providerId: string; model: string } | undefined {
  const at = ref.indexOf(":");
  if (at <= 0 || at === ref.length - 1) return undefined;
  return { providerId: ref.slice(0, at), model: ref.slice(at + 1) };
}

/** The model ref roots use: the setting, or the first provider's first model. */
export function rootModelRef(settings: Settings): string {
  if (settings.model) return settings.model;
  const first = settings.providers[0];
  return first ? `${first.id}:${first.models[0] ?? ""}` : "";
}
