import * as z from "zod";

/**
 * What VS Code offers that a definition file may name: its models (as
 * `vscode-lm:` refs) and its language model tools (other extensions', MCP
 * servers'). The definition server runs in its own process and cannot ask
 * VS Code, so it asks the extension with this request while completing.
 */
export const VSCODE_OFFERS_REQUEST = "subagents/vscodeOffers";

export interface VscodeOffers {
  models: string[];
  tools: Array<{ name: string; description: string }>;
}

export const NO_OFFERS: VscodeOffers = { models: [], tools: [] };

const MAX_ENTRIES = 500;
const MAX_DESCRIPTION = 500;
/** Names that stay one plain YAML scalar inside `[a, b]` and after `model: `. */
const PLAIN_NAME = /^[\w.@+/-]+$/;
const MODEL_REF = /^vscode-lm:[\w.@+/-]+$/;

const offersSchema = z.object({
  models: z.array(z.unknown()).catch([]),
  tools: z.array(z.unknown()).catch([]),
});
const toolSchema = z.object({ name: z.string(), description: z.string().catch("") });

/**
 * The extension's answer, checked: other extensions name these models and
 * tools, so anything that would not insert as one plain YAML value is left
 * out, and descriptions are cut short. Undefined when it is no answer at all.
 */
export function parseVscodeOffers(raw: unknown): VscodeOffers | undefined {
  const parsed = offersSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const models = new Set<string>();
  for (const model of parsed.data.models) if (typeof model === "string" && MODEL_REF.test(model)) models.add(model);
  const tools = new Map<string, string>();
  for (const entry of parsed.data.tools) {
    const tool = toolSchema.safeParse(entry);
    if (tool.success && PLAIN_NAME.test(tool.data.name)) tools.set(tool.data.name, tool.data.description.slice(0, MAX_DESCRIPTION));
  }
  return {
    models: [...models].slice(0, MAX_ENTRIES),
    tools: [...tools].slice(0, MAX_ENTRIES).map(([name, description]) => ({ name, description })),
  };
}
