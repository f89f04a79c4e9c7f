import * as vscode from "vscode";
import type { Logger } from "../../core/common/logger";
import { keysFromEnvironment } from "../../core/keys/envImport";
import { fingerprint } from "../../core/keys/fingerprint";
import type { KeyPools } from "../../core/keys/keyPools";
import type { Settings } from "../../core/settings/schema";
import { describeImport, checkNewKey, type ImportOutcome } from "./keyInput";
import { keyPoolRows, type KeyPoolRow } from "./keyPoolView";
import type { SecretKeyStore } from "./secretKeyStore";

export interface KeyCommandDeps {
  store: SecretKeyStore;
  pools: Pick<KeyPools, "load" | "snapshot" | "reenable">;
  settings: () => Settings;
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
}

/** The provider a key command is for: the argument, the only provider, or the user's pick. */
async function pickProvider(deps: KeyCommandDeps, arg: unknown, purpose: string): Promise<string | undefined> {
  const providers = deps.settings().providers;
  if (typeof arg === "string" && providers.some((p) => p.id === arg)) return arg;
  if (providers.length === 1) return providers[0]?.id;
  const counts = await Promise.all(providers.map(async (p) => (await deps.store.list(p.id)).length));
  const picked = await vscode.window.showQuickPick(
    providers.map((p, i) => ({ label: p.id, description: p.baseUrl, detail: `${counts[i] ?? 0} key(s) stored`, id: p.id })),
    { title: `Subagents: ${purpose}`, placeHolder: "Which provider (subagents.providers)?" },
  );
  return picked?.id;
}

export function keyCommandHandlers(deps: KeyCommandDeps) {
  const { store } = deps;

  async function addApiKey(providerArg?: unknown): Promise<void> {
    const providerId = await pickProvider(deps, providerArg, "Add API Key");
    if (!providerId) return;
    const existing = await store.list(providerId);
    const raw = await vscode.window.showInputBox({
      title: `Subagents: API key for ${providerId}`,
      prompt: "Stored in VS Code's secret storage only; shown afterwards by its last 4 characters.",
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => {
        const check = checkNewKey(value, existing, providerId);
        return check.ok ? undefined : check.message;
      },
    });
    if (raw === undefined) return;
    const check = checkNewKey(raw, existing, providerId);
    if (!check.ok) {
      void vscode.window.showWarningMessage(`Subagents: ${check.message}`);
      return;
    }
    const added = await store.add(providerId, check.key);
    const count = (await store.list(providerId)).length;
    deps.logger.info(`key ${fingerprint(check.key)} ${added ? "added to" : "already in"} ${providerId}`);
    void vscode.window.showInformationMessage(
      added
        ? `Subagents: added key ${fingerprint(check.key)} to ${providerId} (${count} key${count === 1 ? "" : "s"}).`
        : `Subagents: key ${fingerprint(check.key)} was already in ${providerId}.`,
    );
  }

  async function removeApiKey(): Promise<void> {
    const configured = deps.settings().providers.map((p) => p.id);
    const ids = [...new Set([...configured, ...(await store.providersWithKeys())])];
    const items: Array<vscode.QuickPickItem & { providerId?: string; fp?: string }> = [];
    for (const providerId of ids) {
      const keys = await store.list(providerId);
      if (keys.length === 0) continue;
      items.push({ label: providerId, kind: vscode.QuickPickItemKind.Separator });
      for (const key of keys) items.push({ label: fingerprint(key), description: providerId, providerId, fp: fingerprint(key) });
    }
    if (items.length === 0) {
      void vscode.window.showInformationMessage("Subagents: there are no API keys to remove.");
      return;
    }
    const picked = await vscode.window.showQuickPick(items, { title: "Subagents: Remove API Key", placeHolder: "Key to remove (last 4 characters)" });
    if (!picked?.providerId || !picked.fp) return;
    const confirm = await vscode.window.showWarningMessage(
      `Remove key ${picked.fp} from ${picked.providerId}?`,
      { modal: true, detail: "Agents already using it finish their current request." },
      "Remove",
    );
    if (confirm !== "Remove") return;
    const removed = await store.remove(picked.providerId, picked.fp);
    void vscode.window.showInformationMessage(
      removed ? `Subagents: removed key ${picked.fp} from ${picked.providerId}.` : `Subagents: key ${picked.fp} was already gone.`,
    );
  }

  async function importApiKeys(): Promise<void> {
    const outcomes: ImportOutcome[] = [];
    for (const provider of deps.settings().providers) {
      if (!provider.envPrefix) continue;
      const found = keysFromEnvironment(provider.envPrefix, deps.env);
      let added = 0;
      for (const key of found) {
        const check = checkNewKey(key, await store.list(provider.id), provider.id);
        if (check.ok && (await store.add(provider.id, check.key))) added++;
      }
      outcomes.push({ providerId: provider.id, prefix: provider.envPrefix, found: found.length, added });
    }
    const report = describeImport(outcomes);
    deps.logger.info(report.message);
    void vscode.window.showInformationMessage(`Subagents: ${report.message}`);
  }

  async function showKeyPool(): Promise<void> {
    const configured = deps.settings().providers.map((p) => p.id);
    await deps.pools.load([...new Set([...configured, ...(await store.providersWithKeys())])]);
    const rows = keyPoolRows(configured, deps.pools.snapshot(), Date.now());
    const items = rows.map((row): vscode.QuickPickItem & { row: KeyPoolRow } => {
      if (row.kind === "separator") return { label: row.label, kind: vscode.QuickPickItemKind.Separator, row };
      return { label: row.label, description: row.description, ...(row.kind === "key" && row.detail ? { detail: row.detail } : {}), row };
    });
    const picked = await vscode.window.showQuickPick(items, { title: "Subagents: Key Pool", placeHolder: "Health of each key (by its last 4 characters)" });
    const row = picked?.row;
    if (!row || row.kind === "separator") return;
    if (row.kind === "empty") return addApiKey(row.providerId);
    if (row.state !== "invalid") return;
    const action = await vscode.window.showWarningMessage(
      `Key ${row.fingerprint} of ${row.providerId} was rejected by the provider.`,
      "Re-enable",
      "Remove",
    );
    if (action === "Re-enable") deps.pools.reenable(row.providerId, row.fingerprint);
    if (action === "Remove") await store.remove(row.providerId, row.fingerprint);
  }

  return { addApiKey, removeApiKey, importApiKeys, showKeyPool };
}
