import type { SettingKey } from "../../core/settings/schema";

/**
 * Settings that decide where API keys are sent (providers, models) or what
 * runs without asking (approval policy, command environment, which extension
 * tools agents may call). A repository
 * must not be able to set them, so they are read from the user's own settings
 * only; package.json declares them `"scope": "application"` to match.
 * By prefix, so a later `approval.*` or `commands.*` key is covered at once.
 */
export function isUserOnlySetting(key: string): boolean {
  return (
    key === "providers" ||
    key === "model" ||
    key === "subagentModel" ||
    key === "extensionTools" ||
    // Requests to VS Code's models count against the user's own quota.
    key.startsWith("vscodeLm.") ||
    key.startsWith("approval.") ||
    key.startsWith("commands.") ||
    // What a task may spend is the payer's decision, not a repository's.
    key.startsWith("budget.")
  );
}

/** The layers of `WorkspaceConfiguration.inspect()` a user-only setting may come from. */
export interface InspectedValue {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  defaultLanguageValue?: unknown;
  globalLanguageValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
}

export type WorkspaceLayer = "workspace" | "folder";

/** Which workspace layers try to set a value (language-specific variants included). */
export function workspaceLayersSetting(inspected: InspectedValue | undefined): WorkspaceLayer[] {
  if (!inspected) return [];
  const layers: WorkspaceLayer[] = [];
  if (inspected.workspaceValue !== undefined || inspected.workspaceLanguageValue !== undefined) layers.push("workspace");
  if (inspected.workspaceFolderValue !== undefined || inspected.workspaceFolderLanguageValue !== undefined) layers.push("folder");
  return layers;
}

/** The user's own value: user settings, else the default. Never a workspace or folder value, whatever VS Code would merge. */
export function userValue(inspected: InspectedValue | undefined): unknown {
  return inspected?.globalValue ?? inspected?.defaultValue;
}

export interface IgnoredWorkspaceSetting {
  key: SettingKey;
  /** Where the workspace set it, as the user would look for it. */
  file: string;
}

/** One warning for every workspace setting that was ignored; names each setting and its file. */
export function describeIgnored(ignored: readonly IgnoredWorkspaceSetting[]): string {
  const list = ignored.map((i) => `"subagents.${i.key}" (${i.file})`).join(", ");
  const one = ignored.length === 1;
  return (
    `Subagents: this workspace sets ${list}; ${one ? "it is" : "they are"} ignored. ` +
    "Where API keys are sent and what runs without asking come only from your user settings, so a repository cannot change them. " +
    `If you want ${one ? "this value" : "these values"}, copy ${one ? "it" : "them"} into your user settings.`
  );
}
