import PQueue from "p-queue";
import type { IDisposable } from "../common/disposable";

/** A held execution slot; `release()` is idempotent and wakes the next waiter. */
export interface SlotLease {
  readonly providerId: string;
  release(): void;
}

export interface SlotRequest {
  /** Set synchronously when the slot was free: taken before `request()` returned, so parallel requests cannot overshoot a cap. */
  readonly granted: SlotLease | undefined;
  /** Resolves with the lease; rejects with the signal's reason when aborted while queued. */
  readonly lease: Promise<SlotLease>;
}

export interface SlotCaps {
  global(): number;
  provider(providerId: string): number;
}

export interface SlotStats {
  held: number;
  queued: number;
  heldByProvider: Record<string, number>;
}

/**
 * Execution slots on two levels of `p-queue`: a queue per provider (its cap
 * from `providerCap`) in front of one global queue. An agent first takes its
 * provider's slot, then a global one, so agents of a saturated provider never
 * sit on global slots that another provider could use.
 *
 * p-queue starts a task synchronously inside `add()` when a slot is free, so
 * the check and the reservation happen in the same tick — there is no
 * `await` between "is there room?" and "take it", where six parallel spawns
 * with a cap of four could all see room. Caps are read
 * again on every request and release, so a settings or key change applies
 * live; a lowered cap lets current holders finish.
 */
export class ExecutionSlots implements IDisposable {
  private readonly global = new PQueue({ concurrency: 1 });
  private readonly providers = new Map<string, PQueue>();
  private readonly heldByProvider = new Map<string, number>();
  private heldCount = 0;
  private queuedCount = 0;
  private disposed = false;

  constructor(private readonly caps: SlotCaps) {
    this.refreshCaps();
  }

  request(providerId: string, signal: AbortSignal): SlotRequest {
    if (this.disposed) throw new Error("execution slots are disposed");
    this.refreshCaps(providerId);
    const providerQueue = this.queueFor(providerId);
    let granted = false;
    let releaseHold!: () => void;
    const hold = new Promise<void>((resolve) => (releaseHold = resolve));
    let released = false;
    const lease: SlotLease = {
      providerId,
      release: () => {
        if (released || !granted) return;
        released = true;
        this.heldCount--;
        this.heldByProvider.set(providerId, (this.heldByProvider.get(providerId) ?? 1) - 1);
        releaseHold();
        this.refreshCaps(providerId);
      },
    };
    this.queuedCount++;
    const leasePromise = new Promise<SlotLease>((resolve, reject) => {
      const onGlobalSlot = () => {
        this.queuedCount--;
        granted = true;
        this.heldCount++;
        this.heldByProvider.set(providerId, (this.heldByProvider.get(providerId) ?? 0) + 1);
        resolve(lease);
        return hold;
      };
      const onProviderSlot = () => this.global.add(onGlobalSlot, { signal });
      providerQueue.add(onProviderSlot, { signal }).then(
        () => lease.release(),
        (reason: unknown) => {
          // Aborted: either while queued (never granted) or while held (p-queue already freed its slot).
          if (granted) lease.release();
          else {
            this.queuedCount--;
            reject(reason);
          }
        },
      );
    });
    // Marked handled here: a caller that got its slot synchronously never awaits this promise.
    leasePromise.catch(() => undefined);
    return { granted: granted ? lease : undefined, lease: leasePromise };
  }

  /** Re-reads the caps; called on every request and release, and by the supervisor on settings changes. */
  refreshCaps(providerId?: string): void {
    const globalCap = Math.max(1, this.caps.global());
    if (this.global.concurrency !== globalCap) this.global.concurrency = globalCap;
    const ids = providerId !== undefined ? [providerId] : [...this.providers.keys()];
    for (const id of ids) {
      const queue = this.providers.get(id);
      if (!queue) continue;
      const cap = Math.max(1, this.caps.provider(id));
      if (queue.concurrency !== cap) queue.concurrency = cap;
    }
  }

  stats(): SlotStats {
    const heldByProvider: Record<string, number> = {};
    for (const [id, n] of this.heldByProvider) if (n > 0) heldByProvider[id] = n;
    return { held: this.heldCount, queued: this.queuedCount, heldByProvider };
  }

  get held(): number {
    return this.heldCount;
  }

  get queued(): number {
    return this.queuedCount;
  }

  /** Queued requests are rejected by their own signals; the supervisor aborts every run before this. */
  dispose(): void {
    this.disposed = true;
    this.global.clear();
    for (const queue of this.providers.values()) queue.clear();
  }

  private queueFor(providerId: string): PQueue {
    let queue = this.providers.get(providerId);
    if (!queue) {
      queue = new PQueue({ concurrency: Math.max(1, this.caps.provider(providerId)) });
      this.providers.set(providerId, queue);
    }
    return queue;
  }
}
