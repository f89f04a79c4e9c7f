import { systemClock, type Clock } from "../common/clock";
import { Disposable } from "../common/disposable";
import { Emitter, type Event } from "../common/emitter";
import { silentLogger, type Logger } from "../common/logger";
import type { KeyPoolSummary } from "../protocol/agentSnapshot";
import type { KeyLease } from "./keyLease";
import { DEFAULT_COOLDOWN_SECONDS, type KeyHealthSnapshot } from "./keyHealth";
import { KeyPool } from "./keyPool";
import { fingerprint } from "./fingerprint";
import type { KeyStore } from "./keyStore";

export interface KeyPoolsOptions {
  store: KeyStore;
  /**
   * The origin of the provider's configured baseUrl now (undefined: not
   * configured). Only keys bound to it enter the pool; read on every load.
   */
  originOf: (providerId: string) => string | undefined;
  clock?: Clock;
  /** The `subagents.keyPool.cooldownSeconds` ladder. */
  cooldownSeconds?: readonly number[];
  logger?: Logger;
}

export interface ProviderKeysSnapshot {
  providerId: string;
  keys: KeyHealthSnapshot[];
}

/** A stored key that is not used because it is bound to another endpoint than the provider's baseUrl now. */
export interface MisboundKey {
  fingerprint: string;
  /** The origin it was added for (undefined: stored before keys were bound, and the provider is not configured). */
  boundTo: string | undefined;
}

/**
 * One KeyPool per provider id, fed from the KeyStore. Pools are separate
 * objects so that a key of provider A can never be handed out for provider B,
 * which would send it to B's servers. A store change (also from another window) reloads that
 * provider's pool; keys that stay keep their health.
 */
export class KeyPools extends Disposable {
  private readonly pools = new Map<string, KeyPool>();
  /** Latest load per provider; an older load that finishes late is discarded. */
  private readonly loads = new Map<string, { generation: number; done: Promise<KeyPool> }>();
  private generation = 0;
  private cooldownSeconds: readonly number[];
  private readonly store: KeyStore;
  private readonly originOf: (providerId: string) => string | undefined;
  /** Keys held back per provider: bound elsewhere. Kept for Show Key Pool, errors and redaction. */
  private readonly misboundKeys = new Map<string, Array<{ key: string; boundTo: string | undefined }>>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly changed = this.register(new Emitter<string>());
  /** Fires with the provider id whose pool changed (keys or key states). */
  readonly onDidChange: Event<string> = this.changed.event;

  constructor(options: KeyPoolsOptions) {
    super();
    this.store = options.store;
    this.originOf = options.originOf;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.cooldownSeconds = options.cooldownSeconds ?? DEFAULT_COOLDOWN_SECONDS;
    this.register(this.store.onDidChange((providerId) => void this.reload(providerId).catch(() => undefined)));
    this.register({ dispose: () => this.pools.forEach((pool) => pool.dispose()) });
  }

  /**
   * The provider's pool, loading it from the store on first use, and again
   * when the provider's endpoint changed since: the pool then holds only the
   * keys bound to the new endpoint (none, until the user re-binds or adds one).
   */
  ready(providerId: string): Promise<KeyPool> {
    const pool = this.pools.get(providerId);
    const loading = this.loads.get(providerId);
    if (loading && pool && pool.origin !== this.originOf(providerId)) return this.reload(providerId);
    return loading?.done ?? this.reload(providerId);
  }

  /** Loads several providers (for example all configured ones at activation). */
  async load(providerIds: readonly string[]): Promise<void> {
    await Promise.all(providerIds.map((id) => this.ready(id)));
  }

  /** Re-reads the provider's keys from the store. */
  reload(providerId: string): Promise<KeyPool> {
    const generation = ++this.generation;
    const done = this.store.list(providerId).then(
      (stored) => {
        const pool = this.poolFor(providerId);
        if (this.loads.get(providerId)?.generation !== generation) return pool;
        const origin = this.originOf(providerId);
        const bound = origin === undefined ? [] : stored.filter((k) => k.origin === origin);
        const misbound = stored.filter((k) => !bound.includes(k)).map((k) => ({ key: k.key, boundTo: k.origin }));
        const heldBefore = JSON.stringify([pool.origin, this.misboundKeys.get(providerId) ?? []]);
        if (misbound.length > 0) this.misboundKeys.set(providerId, misbound);
        else this.misboundKeys.delete(providerId);
        // Keys and origin change together, synchronously: no lease sees one without the other.
        pool.bindOrigin(origin);
        pool.setKeys(bound.map((k) => k.key));
        if (JSON.stringify([origin, misbound]) !== heldBefore) this.changed.fire(providerId);
        return pool;
      },
      (error: unknown) => {
        // The message comes from the store, not from a key; still, say nothing of its content.
        this.logger.warn(`Could not read the API keys of provider "${providerId}" (${error instanceof Error ? error.name : "error"}).`);
        return this.poolFor(providerId);
      },
    );
    this.loads.set(providerId, { generation, done });
    return done;
  }

  /** The loaded pool, if any (synchronous, for snapshots and counts). */
  pool(providerId: string): KeyPool | undefined {
    return this.pools.get(providerId);
  }

  providerIds(): string[] {
    return [...this.pools.keys()];
  }

  acquire(providerId: string): KeyLease | undefined {
    return this.pools.get(providerId)?.acquire();
  }

  /** Keys not marked invalid; 0 for a provider not loaded yet. The scheduler derives per-provider caps from it. */
  usableKeyCount(providerId: string): number {
    return this.pools.get(providerId)?.usableKeyCount() ?? 0;
  }

  setCooldownLadder(seconds: readonly number[]): void {
    this.cooldownSeconds = [...seconds];
    for (const pool of this.pools.values()) pool.setCooldownLadder(seconds);
  }

  reenable(providerId: string, keyFingerprint: string): boolean {
    return this.pools.get(providerId)?.reenable(keyFingerprint) ?? false;
  }

  summaries(): KeyPoolSummary[] {
    return [...this.pools.values()].map((pool) => pool.summary());
  }

  snapshot(): ProviderKeysSnapshot[] {
    return [...this.pools.values()].map((pool) => ({ providerId: pool.providerId, keys: pool.snapshot() }));
  }

  /** Stored keys of the provider that are not used because they are bound to another endpoint. */
  misbound(providerId: string): MisboundKey[] {
    return (this.misboundKeys.get(providerId) ?? []).map((k) => ({ fingerprint: fingerprint(k.key), boundTo: k.boundTo }));
  }

  /** Every raw key held (held-back ones too), only to redact text that might echo one. */
  secretsForRedaction(): string[] {
    const misbound = [...this.misboundKeys.values()].flatMap((keys) => keys.map((k) => k.key));
    return [...[...this.pools.values()].flatMap((pool) => pool.secretsForRedaction()), ...misbound];
  }

  private poolFor(providerId: string): KeyPool {
    let pool = this.pools.get(providerId);
    if (!pool) {
      pool = new KeyPool({ providerId, clock: this.clock, cooldownSeconds: this.cooldownSeconds });
      pool.onDidChange(() => this.changed.fire(providerId));
      this.pools.set(providerId, pool);
      if (this.isDisposed) pool.dispose();
      else this.changed.fire(providerId);
    }
    return pool;
  }
}
