import type * as vscode from "vscode";
import { Disposable } from "../../core/common/disposable";
import { Emitter } from "../../core/common/emitter";
import { fingerprint } from "../../core/keys/fingerprint";
import type { KeyStore } from "../../core/keys/keyStore";

/** Secret names are `subagents.apiKeys.<providerId>`; each holds a JSON array of that provider's keys. */
export const SECRET_PREFIX = "subagents.apiKeys.";

export function secretName(providerId: string): string {
  return `${SECRET_PREFIX}${providerId}`;
}

/**
 * The only place raw keys are kept: VS Code SecretStorage (the OS keychain on
 * desktop). One secret per provider keeps a provider's keys in one atomic
 * value; SecretStorage change events (also from other windows) are forwarded
 * so pools reload without a window reload.
 */
export class SecretKeyStore extends Disposable implements KeyStore {
  private readonly changes = this.register(new Emitter<string>());
  readonly onDidChange = this.changes.event;
  /** Read-modify-write of a secret must not interleave within this window. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly secrets: vscode.SecretStorage) {
    super();
    this.register(
      secrets.onDidChange((event) => {
        if (event.key.startsWith(SECRET_PREFIX)) this.changes.fire(event.key.slice(SECRET_PREFIX.length));
      }),
    );
  }

  async list(providerId: string): Promise<readonly string[]> {
    return parseKeyList(await this.secrets.get(secretName(providerId)));
  }

  add(providerId: string, key: string): Promise<boolean> {
    return this.mutate(providerId, (keys) => (keys.includes(key) ? undefined : [...keys, key]));
  }

  remove(providerId: string, keyFingerprint: string): Promise<boolean> {
    return this.mutate(providerId, (keys) => {
      const at = keys.findIndex((k) => fingerprint(k) === keyFingerprint);
      return at < 0 ? undefined : keys.filter((_, i) => i !== at);
    });
  }

  /** Providers that have a stored key list (including providers no longer in settings). */
  async providersWithKeys(): Promise<string[]> {
    const names = await this.secrets.keys();
    return names.filter((n) => n.startsWith(SECRET_PREFIX)).map((n) => n.slice(SECRET_PREFIX.length));
  }

  private mutate(providerId: string, change: (keys: readonly string[]) => string[] | undefined): Promise<boolean> {
    const run = this.writes.then(async () => {
      const next = change(await this.list(providerId));
      if (next === undefined) return false;
      if (next.length === 0) await this.secrets.delete(secretName(providerId));
      else await this.secrets.store(secretName(providerId), JSON.stringify(next));
      this.changes.fire(providerId);
      return true;
    });
    this.writes = run.catch(() => undefined);
    return run;
  }
}

/** A damaged secret reads as "no keys" rather than breaking activation. */
export function parseKeyList(raw: string | undefined): string[] {
  if (!raw) return [];
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) ? value.filter((k): k is string => typeof k === "string" && k !== "") : [];
  } catch {
    return [];
  }
}
