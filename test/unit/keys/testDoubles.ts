import { Emitter } from "../../../src/core/common/emitter";
import { fingerprint } from "../../../src/core/keys/fingerprint";
import type { KeyStore, StoredKey } from "../../../src/core/keys/keyStore";

/** The origin MemoryKeyStore binds keys to unless told otherwise. */
export const TEST_ORIGIN = "http://127.0.0.1:1";

/** KeyStore in memory, with the change event the host fires for SecretStorage. */
export class MemoryKeyStore implements KeyStore {
  private readonly keys = new Map<string, StoredKey[]>();
  private readonly changed = new Emitter<string>();
  readonly onDidChange = this.changed.event;
  /** Makes list() slow, to race reloads. */
  listDelayMs = 0;

  /** `initial` keys are bound to `origin` (per provider when a function). */
  constructor(initial: Record<string, string[]> = {}, origin: string | ((providerId: string) => string) = TEST_ORIGIN) {
    for (const [provider, keys] of Object.entries(initial)) {
      const bound = typeof origin === "string" ? origin : origin(provider);
      this.keys.set(provider, keys.map((key) => ({ key, origin: bound })));
    }
  }

  async list(providerId: string): Promise<readonly StoredKey[]> {
    const snapshot = [...(this.keys.get(providerId) ?? [])];
    if (this.listDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.listDelayMs));
    return snapshot;
  }

  async add(providerId: string, key: string, origin: string = TEST_ORIGIN): Promise<boolean> {
    const list = this.keys.get(providerId) ?? [];
    if (list.some((k) => k.key === key)) return false;
    this.keys.set(providerId, [...list, { key, origin }]);
    this.changed.fire(providerId);
    return true;
  }

  async remove(providerId: string, keyFingerprint: string): Promise<boolean> {
    const list = this.keys.get(providerId) ?? [];
    const kept = list.filter((k) => fingerprint(k.key) !== keyFingerprint);
    if (kept.length === list.length) return false;
    this.keys.set(providerId, kept);
    this.changed.fire(providerId);
    return true;
  }

  async rebind(providerId: string, from: string | undefined, to: string): Promise<number> {
    const list = this.keys.get(providerId) ?? [];
    const count = list.filter((k) => k.origin === from).length;
    if (count === 0) return 0;
    this.keys.set(providerId, list.map((k) => (k.origin === from ? { key: k.key, origin: to } : k)));
    this.changed.fire(providerId);
    return count;
  }
}

/** Keys in the test-key shape, built at runtime so no key-like literal sits in the repo. */
export function testKeys(label: string, count: number): string[] {
  // The last four characters (the fingerprint) differ across labels and indexes.
  return Array.from({ length: count }, (_, i) => `sk-${label}-${"x".repeat(12)}${label.slice(0, 2)}${String(i).padStart(2, "0")}`);
}
