import type { Event } from "../common/emitter";

/** A stored key and the origin of the endpoint it was added for (undefined: stored before keys were bound). */
export interface StoredKey {
  readonly key: string;
  readonly origin: string | undefined;
}

/**
 * Where raw keys live. The host implements it on VS Code SecretStorage;
 * tests use an in-memory fake. Nothing else may persist a key.
 */
export interface KeyStore {
  /** All keys stored for a provider, in insertion order, each with the origin it is bound to. */
  list(providerId: string): Promise<readonly StoredKey[]>;
  /** Adds a key bound to `origin`; resolves false when it was already stored. */
  add(providerId: string, key: string, origin: string): Promise<boolean>;
  /** Removes the key with this fingerprint; resolves false when none matched. */
  remove(providerId: string, keyFingerprint: string): Promise<boolean>;
  /** Binds the provider's keys now bound to `from` to `to` (the user confirmed it); resolves how many. */
  rebind(providerId: string, from: string | undefined, to: string): Promise<number>;
  /** Fires with the provider id whose keys changed (also for changes from another window). */
  readonly onDidChange: Event<string>;
}
