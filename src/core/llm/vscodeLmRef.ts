/**
 * Models that VS Code itself offers (Copilot, or a provider another extension
 * contributes) are named `vscode-lm:<vendor>/<family>`, optionally
 * `vscode-lm:<vendor>/<family>/<id>` to pin one model of a family, or
 * `vscode-lm:<family>` for that family of any vendor. They need no key and no
 * entry in `subagents.providers`.
 */
export const VSCODE_LM_PROVIDER_ID = "vscode-lm";

/** Agents on VS Code's models holding an execution slot at once, unless `subagents.vscodeLm.maxConcurrent` says otherwise. */
export const DEFAULT_VSCODE_LM_MAX_CONCURRENT = 4;

export interface VscodeLmSelector {
  vendor?: string;
  family: string;
  id?: string;
}

export function isVscodeLmProvider(providerId: string): boolean {
  return providerId === VSCODE_LM_PROVIDER_ID;
}

/**
 * The selector a model part of a ref names (the text after `vscode-lm:`), or
 * undefined when it is malformed. The id is everything after the second '/',
 * since ids of some providers contain slashes themselves.
 */
export function parseVscodeLmModel(model: string): VscodeLmSelector | undefined {
  const text = model.trim();
  if (text === "" || /\s/.test(text)) return undefined;
  const parts = text.split("/");
  if (parts.length === 1) return { family: text };
  const [vendor, family, ...rest] = parts;
  if (!vendor || !family) return undefined;
  if (rest.length === 0) return { vendor, family };
  const id = rest.join("/");
  return id === "" ? undefined : { vendor, family, id };
}

/** The full ref of a model VS Code offers, for pickers and the chat participant. */
export function vscodeLmRef(model: { vendor: string; family: string; id?: string }): string {
  const base = `${VSCODE_LM_PROVIDER_ID}:${model.vendor}/${model.family}`;
  return model.id !== undefined && model.id !== "" && model.id !== model.family ? `${base}/${model.id}` : base;
}

/** Why the model part of a `vscode-lm:` ref is unusable, or undefined when it is fine. */
export function vscodeLmModelProblem(model: string): string | undefined {
  return parseVscodeLmModel(model)
    ? undefined
    : `"${VSCODE_LM_PROVIDER_ID}:${model}" is not a VS Code model reference; expected "${VSCODE_LM_PROVIDER_ID}:<vendor>/<family>", e.g. "${VSCODE_LM_PROVIDER_ID}:copilot/gpt-5-mini".`;
}

/**
 * Whether a VS Code model named by something other than the user (an agent
 * type's `model:` in the workspace, or a model's `spawn_agent` call) is one the
 * user already runs on: the same vendor as one of `userModels` (model parts of
 * the user's own `vscode-lm:` choices), or the same family when the user's
 * names no vendor. Otherwise a repository or a model could spend the user's
 * quota with any vendor VS Code knows, and send it the workspace.
 */
export function vscodeLmModelChosenByUser(model: string, userModels: readonly string[]): boolean {
  const named = parseVscodeLmModel(model);
  if (!named) return false;
  return userModels.some((userModel) => {
    const chosen = parseVscodeLmModel(userModel);
    if (!chosen) return false;
    if (chosen.vendor === undefined) return named.vendor === undefined && named.family === chosen.family;
    return named.vendor === chosen.vendor;
  });
}
