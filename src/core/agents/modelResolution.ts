import { isVscodeLmProvider, vscodeLmModelChosenByUser, vscodeLmModelProblem, VSCODE_LM_PROVIDER_ID } from "../llm/vscodeLmRef";
import { rootModelRef, splitModelRef, type Settings } from "../settings/schema";

export interface ModelChoice {
  providerId: string;
  model: string;
}

/** A configured provider, or `vscode-lm` (models VS Code offers: no entry in subagents.providers). */
function isKnownProvider(providerId: string, settings: Settings): boolean {
  return isVscodeLmProvider(providerId) || settings.providers.some((p) => p.id === providerId);
}

function requireProvider(choice: ModelChoice, settings: Settings, source: string): ModelChoice {
  if (isVscodeLmProvider(choice.providerId)) {
    const problem = vscodeLmModelProblem(choice.model);
    if (problem) throw new Error(`${source}: ${problem}`);
    return choice;
  }
  if (!settings.providers.some((p) => p.id === choice.providerId)) {
    const known = settings.providers.map((p) => p.id).join(", ");
    throw new Error(
      `${source} names provider "${choice.providerId}", which is not in subagents.providers (configured: ${known}). ` +
        `Use "<provider>:<model>" with one of those ids, or "vscode-lm:<vendor>/<family>" for a model VS Code offers.`,
    );
  }
  if (choice.model.trim() === "") throw new Error(`${source} names no model.`);
  return choice;
}

/** The model a root agent runs with: the explicit ref, else `subagents.model`, else the first provider's first model. */
export function resolveRootModel(modelRef: string | undefined, settings: Settings): ModelChoice {
  const ref = modelRef ?? rootModelRef(settings);
  const split = splitModelRef(ref);
  if (!split) throw new Error(`"${ref}" is not a model reference; expected "<provider>:<model>", e.g. "openai:gpt-5-mini".`);
  return requireProvider(split, settings, `The model "${ref}"`);
}

/**
 * The model a subagent (or a resumed agent) runs with. `spec` may be
 * `"<provider>:<model>"`, or a bare model of the parent's provider — a model
 * name may itself contain ':' (`llama3:8b`), so the prefix counts as a
 * provider only when such a provider is configured.
 */
export function resolveChildModel(spec: string | undefined, parent: ModelChoice, settings: Settings): ModelChoice {
  const effective = spec ?? (settings.subagentModel !== "" ? settings.subagentModel : undefined);
  if (effective === undefined) return requireProvider(parent, settings, "The parent's model");
  const split = splitModelRef(effective);
  const choice =
    split && isKnownProvider(split.providerId, settings)
      ? requireProvider(split, settings, `The model "${effective}"`)
      : requireProvider({ providerId: parent.providerId, model: effective }, settings, `The model "${effective}"`);
  if (spec !== undefined && isVscodeLmProvider(choice.providerId) && !vscodeLmModelChosenByUser(choice.model, usersVscodeLmModels(parent, settings))) {
    throw new Error(
      `The model "${effective}" is a VS Code model of a vendor you have not chosen for Subagents. Agent types and agents may pick a VS Code model ` +
        `("vscode-lm:<vendor>/<family>") only from a vendor of your own choice: subagents.model, subagents.subagentModel, or the model you started the task on.`,
    );
  }
  return choice;
}

/**
 * The model a resumed agent runs with: an explicit `"<provider>:<model>"`
 * (strict: the provider must be configured), else the model it ran with,
 * which must still be configured. The run is classified (provider, cap) by
 * this model, so a resumed agent never counts against the wrong provider.
 */
export function resolveResumeModel(modelRef: string | undefined, current: ModelChoice, settings: Settings): ModelChoice {
  if (modelRef !== undefined) return resolveRootModel(modelRef, settings);
  return requireProvider(current, settings, `The agent's model "${current.providerId}:${current.model}"`);
}

/** The model parts of the VS Code models the user chose: in their settings, or the one this agent's parent runs on (itself chosen by the user or checked here). */
function usersVscodeLmModels(parent: ModelChoice, settings: Settings): string[] {
  const models: string[] = [];
  for (const ref of [rootModelRef(settings), settings.subagentModel]) {
    const split = splitModelRef(ref);
    if (split && split.providerId === VSCODE_LM_PROVIDER_ID) models.push(split.model);
  }
  if (isVscodeLmProvider(parent.providerId)) models.push(parent.model);
  return models;
}
