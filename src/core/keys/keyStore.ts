import type { Event } from "../common/emitter";

/**
 * Where raw keys live. The host implements it on VS Code SecretStorage;
 * tests use an in-memory fake. Nothing else may persist a key.
 */
export interface KeyStore {
  /** All keys stored for a provider, in insertion order. */
  list(providerId: string): Promise<readonly string[]>;
  /** Adds a key; resolves false when it was already stored. */
  add(providerId: string, key: string): Promise<boolean>;
  /** Removes the key with this fingerprint; resolves false when none matched. */
  remove(providerId: string, keyFingerprint: string): Promise<boolean>;
  /** Fires with the provider id whose keys changed (also for changes from another window). */
  readonly onDidChange: Event<string>;
}
