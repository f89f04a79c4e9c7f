import { parse, type ParseError } from "jsonc-parser";
import * as vscode from "vscode";
import { settingSchemas, type SettingKey } from "../../core/settings/schema";
import { SETTINGS_SECTION } from "./settingProblems";
import { isUserOnlySetting, type IgnoredWorkspaceSetting } from "./settingScopes";

const USER_ONLY_KEYS = (Object.keys(settingSchemas) as SettingKey[]).filter(isUserOnlySetting);

/**
 * User-only settings that a workspace's own files try to set. VS Code drops
 * application-scoped values from workspace files before `inspect()` sees them,
 * so the files are read directly: every folder's `.vscode/settings.json` and
 * the `.code-workspace` file's `settings`, language blocks (`"[lang]": {…}`)
 * and nested `"subagents": {…}` objects included.
 */
export async function userOnlySettingsInWorkspaceFiles(): Promise<IgnoredWorkspaceSetting[]> {
  const found: IgnoredWorkspaceSetting[] = [];
  const workspaceFile = vscode.workspace.workspaceFile;
  if (workspaceFile && workspaceFile.scheme !== "untitled") {
    const root = await readJsonc(workspaceFile);
    const settings = isRecord(root) ? root["settings"] : undefined;
    const name = workspaceFile.path.split("/").pop() ?? "the .code-workspace file";
    for (const key of userOnlyKeysIn(settings)) found.push({ key, file: name });
  }
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const settings = await readJsonc(vscode.Uri.joinPath(folder.uri, ".vscode", "settings.json"));
    const file = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? `${folder.name}/.vscode/settings.json` : ".vscode/settings.json";
    for (const key of userOnlyKeysIn(settings)) found.push({ key, file });
  }
  return found;
}

/** The user-only keys a parsed settings object sets. */
export function userOnlyKeysIn(settings: unknown): SettingKey[] {
  if (!isRecord(settings)) return [];
  const blocks: Array<Record<string, unknown>> = [settings];
  for (const [name, value] of Object.entries(settings)) if (/^\[.*\]$/.test(name) && isRecord(value)) blocks.push(value);
  return USER_ONLY_KEYS.filter((key) => blocks.some((block) => setsKey(block, key)));
}

function setsKey(block: Record<string, unknown>, key: SettingKey): boolean {
  if (`${SETTINGS_SECTION}.${key}` in block) return true;
  // Nested forms: {"subagents": {"approval": {"root": …}}} or {"subagents": {"approval.root": …}}.
  let node: unknown = block[SETTINGS_SECTION];
  const parts = key.split(".");
  for (let i = 0; i < parts.length; i++) {
    if (!isRecord(node)) return false;
    const rest = parts.slice(i).join(".");
    if (rest in node) return true;
    node = node[parts[i] as string];
  }
  return false;
}

async function readJsonc(uri: vscode.Uri): Promise<unknown> {
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    const errors: ParseError[] = [];
    return parse(new TextDecoder().decode(bytes), errors, { allowTrailingComma: true, disallowComments: false });
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
