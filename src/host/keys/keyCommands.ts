import * as vscode from "vscode";
import type { Logger } from "../../core/common/logger";
import { keysFromEnvironment } from "../../core/keys/envImport";
import { fingerprint } from "../../core/keys/fingerprint";
import { endpointOrigin } from "../../core/keys/keyOrigin";
import type { KeyPools } from "../../core/keys/keyPools";
import type { ProviderConfig, Settings } from "../../core/settings/schema";
import { describeImport, checkNewKey, type ImportOutcome } from "./keyInput";
import { keyPoolRows, rebindQuestion, type KeyPoolRow } from "./keyPoolView";
import type { SecretKeyStore } from "./secretKeyStore";

export interface KeyCommandDeps {
  store: SecretKeyStore;
  pools: Pick<KeyPools, "load" | "snapshot" | "reenable" | "misbound">;
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

/** The endpoint a key added for this provider is bound to, or a message saying why there is none. */
function originFor(provider: ProviderConfig | undefined): { origin: string } | { message: string } {
  if (!provider) return { message: "That provider is not in subagents.providers." };
  const origin = endpointOrigin(provider.baseUrl);
  if (!origin) return { message: `The baseUrl of ${provider.id} is not an http(s) URL, so no key can be bound to it. Fix subagents.providers first.` };
  return { origin };
}

export function keyCommandHandlers(deps: KeyCommandDeps) {
  const { store } = deps;
  const providerById = (id: string) => deps.settings().providers.find((p) => p.id === id);
  const keysOf = async (providerId: string) => (await store.list(providerId)).map((k) => k.key);

  async function addApiKey(providerArg?: unknown): Promise<void> {
    const providerId = await pickProvider(deps, providerArg, "Add API Key");
    if (!providerId) return;
    const target = originFor(providerById(providerId));
    if ("message" in target) {
      void vscode.window.showWarningMessage(`Subagents: ${target.message}`);
      return;
    }
    const existing = await keysOf(providerId);
    const raw = await vscode.window.showInputBox({
      title: `Subagents: API key for ${providerId}`,
      prompt: `Stored in VS Code's secret storage only and sent only to ${target.origin}; shown afterwards by its last 4 characters.`,
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
    const added = await store.add(providerId, check.key, target.origin);
    const count = (await store.list(providerId)).length;
    deps.logger.info(`key ${fingerprint(check.key)} ${added ? "added to" : "already in"} ${providerId} (bound to ${target.origin})`);
    void vscode.window.showInformationMessage(
      added
        ? `Subagents: added key ${fingerprint(check.key)} to ${providerId} (${count} key${count === 1 ? "" : "s"}), for ${target.origin} only.`
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
      for (const { key, origin } of keys) {
        items.push({ label: fingerprint(key), description: `${providerId} · ${origin ?? "not bound"}`, providerId, fp: fingerprint(key) });
      }
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
      const target = originFor(provider);
      if ("message" in target) continue;
      const found = keysFromEnvironment(provider.envPrefix, deps.env);
      let added = 0;
      for (const key of found) {
        const check = checkNewKey(key, await keysOf(provider.id), provider.id);
        if (check.ok && (await store.add(provider.id, check.key, target.origin))) added++;
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
    const ids = [...new Set([...configured, ...(await store.providersWithKeys())])];
    const misbound = ids.map((providerId) => ({
      providerId,
      currentOrigin: (() => {
        const target = originFor(providerById(providerId));
        return "origin" in target ? target.origin : undefined;
      })(),
      keys: deps.pools.misbound(providerId),
    }));
    const rows = keyPoolRows(configured, deps.pools.snapshot(), Date.now(), misbound);
    const items = rows.map((row): vscode.QuickPickItem & { row: KeyPoolRow } => {
      if (row.kind === "separator") return { label: row.label, kind: vscode.QuickPickItemKind.Separator, row };
      return { label: row.label, description: row.description, ...((row.kind === "key" || row.kind === "misbound") && row.detail ? { detail: row.detail } : {}), row };
    });
    const picked = await vscode.window.showQuickPick(items, { title: "Subagents: Key Pool", placeHolder: "Health of each key (by its last 4 characters)" });
    const row = picked?.row;
    if (!row || row.kind === "separator") return;
    if (row.kind === "empty") return addApiKey(row.providerId);
    if (row.kind === "misbound") return rebind(row.providerId, row.fingerprint, row.boundTo, row.currentOrigin);
    if (row.state !== "invalid") return;
    const action = await vscode.window.showWarningMessage(
      `Key ${row.fingerprint} of ${row.providerId} was rejected by the provider.`,
      "Re-enable",
      "Remove",
    );
    if (action === "Re-enable") deps.pools.reenable(row.providerId, row.fingerprint);
    if (action === "Remove") await store.remove(row.providerId, row.fingerprint);
  }

  /** Re-binds a provider's keys from their old endpoint to its baseUrl now, after a modal naming both. */
  async function rebind(providerId: string, keyFingerprint: string, from: string | undefined, to: string | undefined): Promise<void> {
    if (!to) {
      void vscode.window.showWarningMessage(`Subagents: ${providerId} has no http(s) baseUrl in your user settings, so its keys cannot be re-bound.`);
      return;
    }
    const count = (await store.list(providerId)).filter((k) => k.origin === from).length;
    const question = rebindQuestion(providerId, count, from, to);
    const action = await vscode.window.showWarningMessage(question.message, { modal: true, detail: question.detail }, "Re-bind", "Remove Key");
    if (action === "Re-bind") {
      const moved = await store.rebind(providerId, from, to);
      deps.logger.info(`re-bound ${moved} key(s) of ${providerId} from ${from ?? "no endpoint"} to ${to}`);
      void vscode.window.showInformationMessage(`Subagents: ${moved} key${moved === 1 ? "" : "s"} of ${providerId} now go to ${to}.`);
    }
    if (action === "Remove Key") await store.remove(providerId, keyFingerprint);
  }

  return { addApiKey, removeApiKey, importApiKeys, showKeyPool };
}
