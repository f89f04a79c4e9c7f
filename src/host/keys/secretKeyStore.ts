import type * as vscode from "vscode";
import { Disposable } from "../../core/common/disposable";
import { Emitter } from "../../core/common/emitter";
import { fingerprint } from "../../core/keys/fingerprint";
import type { KeyStore, StoredKey } from "../../core/keys/keyStore";

/**
 * Secret names are `subagents.apiKeys.<providerId>`; each holds a JSON array
 * of that provider's keys as `{key, origin}`. Plain strings are keys stored
 * before keys were bound to an endpoint.
 */
export const SECRET_PREFIX = "subagents.apiKeys.";

export function secretName(providerId: string): string {
  return `${SECRET_PREFIX}${providerId}`;
}

export interface SecretKeyStoreOptions {
  /**
   * The origin unbound (older) keys of a provider are bound to on first read:
   * the one the user configured for it now. Undefined leaves them unbound
   * (and unused) until the provider is configured.
   */
  originForUnbound?: (providerId: string) => string | undefined;
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

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly options: SecretKeyStoreOptions = {},
  ) {
    super();
    this.register(
      secrets.onDidChange((event) => {
        if (event.key.startsWith(SECRET_PREFIX)) this.changes.fire(event.key.slice(SECRET_PREFIX.length));
      }),
    );
  }

  async list(providerId: string): Promise<readonly StoredKey[]> {
    const keys = parseKeyList(await this.secrets.get(secretName(providerId)));
    const origin = this.options.originForUnbound?.(providerId);
    if (origin === undefined || keys.every((k) => k.origin !== undefined)) return keys;
    // Migration of keys stored before binding: to the endpoint configured at the first start that sees them.
    await this.rebind(providerId, undefined, origin);
    return parseKeyList(await this.secrets.get(secretName(providerId)));
  }

  add(providerId: string, key: string, origin: string): Promise<boolean> {
    return this.mutate(providerId, (keys) => (keys.some((k) => k.key === key) ? undefined : [...keys, { key, origin }]));
  }

  remove(providerId: string, keyFingerprint: string): Promise<boolean> {
    return this.mutate(providerId, (keys) => {
      const at = keys.findIndex((k) => fingerprint(k.key) === keyFingerprint);
      return at < 0 ? undefined : keys.filter((_, i) => i !== at);
    });
  }

  async rebind(providerId: string, from: string | undefined, to: string): Promise<number> {
    let count = 0;
    await this.mutate(providerId, (keys) => {
      count = keys.filter((k) => k.origin === from).length;
      return count === 0 ? undefined : keys.map((k) => (k.origin === from ? { key: k.key, origin: to } : k));
    });
    return count;
  }

  /** Providers that have a stored key list (including providers no longer in settings). */
  async providersWithKeys(): Promise<string[]> {
    const names = await this.secrets.keys();
    return names.filter((n) => n.startsWith(SECRET_PREFIX)).map((n) => n.slice(SECRET_PREFIX.length));
  }

  private mutate(providerId: string, change: (keys: readonly StoredKey[]) => StoredKey[] | undefined): Promise<boolean> {
    const run = this.writes.then(async () => {
      const next = change(parseKeyList(await this.secrets.get(secretName(providerId))));
      if (next === undefined) return false;
      if (next.length === 0) await this.secrets.delete(secretName(providerId));
      else await this.secrets.store(secretName(providerId), JSON.stringify(next.map(serialise)));
      this.changes.fire(providerId);
      return true;
    });
    this.writes = run.catch(() => undefined);
    return run;
  }
}

function serialise(key: StoredKey): string | { key: string; origin: string } {
  return key.origin === undefined ? key.key : { key: key.key, origin: key.origin };
}

/** A damaged secret reads as "no keys" rather than breaking activation; old plain strings read as unbound keys. */
export function parseKeyList(raw: string | undefined): StoredKey[] {
  if (!raw) return [];
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const keys: StoredKey[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry === "string" && entry !== "") keys.push({ key: entry, origin: undefined });
    else if (typeof entry === "object" && entry !== null) {
      const { key, origin } = entry as { key?: unknown; origin?: unknown };
      if (typeof key === "string" && key !== "") keys.push({ key, origin: typeof origin === "string" ? origin : undefined });
    }
  }
  return keys;
}
