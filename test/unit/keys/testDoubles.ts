import { Emitter } from "../../../src/core/common/emitter";
import { fingerprint } from "../../../src/core/keys/fingerprint";
import type { KeyStore } from "../../../src/core/keys/keyStore";

/** KeyStore in memory, with the change event the host fires for SecretStorage. */
export class MemoryKeyStore implements KeyStore {
  private readonly keys = new Map<string, string[]>();
  private readonly changed = new Emitter<string>();
  readonly onDidChange = this.changed.event;
  /** Makes list() slow, to race reloads. */
  listDelayMs = 0;

  constructor(initial: Record<string, string[]> = {}) {
    for (const [provider, keys] of Object.entries(initial)) this.keys.set(provider, [...keys]);
  }

  async list(providerId: string): Promise<readonly string[]> {
    const snapshot = [...(this.keys.get(providerId) ?? [])];
    if (this.listDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.listDelayMs));
    return snapshot;
  }

  async add(providerId: string, key: string): Promise<boolean> {
    const list = this.keys.get(providerId) ?? [];
    if (list.includes(key)) return false;
    this.keys.set(providerId, [...list, key]);
    this.changed.fire(providerId);
    return true;
  }

  async remove(providerId: string, keyFingerprint: string): Promise<boolean> {
    const list = this.keys.get(providerId) ?? [];
    const kept = list.filter((k) => fingerprint(k) !== keyFingerprint);
    if (kept.length === list.length) return false;
    this.keys.set(providerId, kept);
    this.changed.fire(providerId);
    return true;
  }
}

/** Keys in the test-key shape, built at runtime so no key-like literal sits in the repo. */
export function testKeys(label: string, count: number): string[] {
  // The last four characters (the fingerprint) differ across labels and indexes.
  return Array.from({ length: count }, (_, i) => `sk-${label}-${"x".repeat(12)}${label.slice(0, 2)}${String(i).padStart(2, "0")}`);
}
