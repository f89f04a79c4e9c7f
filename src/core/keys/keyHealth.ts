import type { IDisposable } from "../common/disposable";
import { fingerprint } from "./fingerprint";
import type { KeyFailureClass, LeaseOutcome } from "./keyLease";
import { KeyLimits, type KeyPacing } from "./keyLimits";

export const DEFAULT_COOLDOWN_SECONDS: readonly number[] = [30, 300, 1800];
/** 429s in a row, however well paced, before the key goes on the cooldown ladder after all. */
export const THROTTLES_BEFORE_COOLDOWN = 5;

export type KeyState = "healthy" | "cooling" | "invalid";

/** What the UI may know about one key: never the key, only its fingerprint. */
export interface KeyHealthSnapshot {
  fingerprint: string;
  state: KeyState;
  /** Epoch ms; set while cooling. */
  coolingUntil?: number;
  /** Why the provider rejected the key; set while invalid. */
  invalidReason?: string;
  consecutiveFailures: number;
  lastErrorClass?: KeyFailureClass | "auth";
  lastErrorAt?: number;
  /** Successful requests since the key was loaded. */
  requestsServed: number;
  inFlight: number;
  /** Epoch ms; set while the key waits out a 429's Retry-After (pacing, not ill health). */
  pacedUntil?: number;
  /** What the pool learned paces this key; absent while nothing does. */
  pacing?: KeyPacing;
}

/**
 * One key of a pool: its health (the cooldown ladder, an invalid mark) and
 * its pacing (KeyLimits). Health changes only here, from what answers said.
 */
export interface KeyRecord {
  readonly key: string;
  readonly fingerprint: string;
  consecutiveFailures: number;
  /** 429s since the last success, counting a burst refused together once; many mean pacing is not working. */
  throttleStreak: number;
  /** When the last 429 that counted in the streak came. */
  lastThrottleAt: number;
  coolingUntil: number;
  /** Server-stated "not before" (Retry-After); honoured even in fallback. */
  retryAfterUntil: number;
  invalidReason: string | undefined;
  lastErrorClass: KeyFailureClass | "auth" | undefined;
  lastErrorAt: number | undefined;
  requestsServed: number;
  readonly limits: KeyLimits;
  /** Leases issued so far (their sequence numbers). */
  issued: number;
  coolingTimer: IDisposable | undefined;
}

export function newRecord(key: string): KeyRecord {
  return {
    key,
    fingerprint: fingerprint(key),
    consecutiveFailures: 0,
    throttleStreak: 0,
    lastThrottleAt: -Infinity,
    coolingUntil: 0,
    retryAfterUntil: 0,
    invalidReason: undefined,
    lastErrorClass: undefined,
    lastErrorAt: undefined,
    requestsServed: 0,
    limits: new KeyLimits(),
    issued: 0,
    coolingTimer: undefined,
  };
}

export function stateOf(record: KeyRecord, now: number): KeyState {
  if (record.invalidReason !== undefined) return "invalid";
  return record.coolingUntil > now ? "cooling" : "healthy";
}

export function snapshotOf(record: KeyRecord, now: number): KeyHealthSnapshot {
  const state = stateOf(record, now);
  const snap: KeyHealthSnapshot = {
    fingerprint: record.fingerprint,
    state,
    consecutiveFailures: record.consecutiveFailures,
    requestsServed: record.requestsServed,
    inFlight: record.limits.inFlightCount,
  };
  if (state === "cooling") snap.coolingUntil = record.coolingUntil;
  if (state === "healthy" && record.limits.notBefore > now) snap.pacedUntil = record.limits.notBefore;
  const pacing = record.limits.pacing();
  if (pacing) snap.pacing = pacing;
  if (record.invalidReason !== undefined) snap.invalidReason = record.invalidReason;
  if (record.lastErrorClass !== undefined) snap.lastErrorClass = record.lastErrorClass;
  if (record.lastErrorAt !== undefined) snap.lastErrorAt = record.lastErrorAt;
  return snap;
}

/** The user re-added or re-enabled the key: forget what was held against it. */
export function forgive(record: KeyRecord): void {
  record.invalidReason = undefined;
  record.consecutiveFailures = 0;
  record.throttleStreak = 0;
  record.coolingUntil = 0;
  record.retryAfterUntil = 0;
}

export function toLadderMs(seconds: readonly number[]): number[] {
  const steps = seconds.filter((s) => Number.isFinite(s) && s > 0).map((s) => s * 1000);
  return steps.length > 0 ? steps : DEFAULT_COOLDOWN_SECONDS.map((s) => s * 1000);
}

/**
 * What an answer does to a key's health. `issuedAt`: when the request was
 * handed its key. Returns whether the key went on the cooldown ladder (its
 * end must be scheduled) and whether anything "Show Key Pool" says changed.
 */
export function applyOutcome(record: KeyRecord, outcome: LeaseOutcome, issuedAt: number, now: number, ladderMs: readonly number[]): { cooled: boolean; changed: boolean } {
  const before = stateOf(record, now);
  let cooled = false;
  switch (outcome.kind) {
    case "unused":
      return { cooled, changed: false };
    case "success":
      record.requestsServed++;
      record.consecutiveFailures = 0;
      record.throttleStreak = 0;
      record.coolingUntil = 0;
      record.retryAfterUntil = 0;
      record.coolingTimer?.dispose();
      record.coolingTimer = undefined;
      break;
    case "throttled":
      record.lastErrorClass = "rate_limit";
      record.lastErrorAt = now;
      if (outcome.retryAfterMs !== undefined) record.retryAfterUntil = Math.max(record.retryAfterUntil, now + outcome.retryAfterMs);
      // Requests sent before the last 429 was known were refused together with it: one event.
      if (issuedAt < record.lastThrottleAt) return { cooled, changed: false };
      record.lastThrottleAt = now;
      // Pacing, not ill health: nothing "Show Key Pool" shows changes.
      if (++record.throttleStreak < THROTTLES_BEFORE_COOLDOWN) return { cooled, changed: false };
      // Pacing has not helped: something else is wrong with this key.
      coolDown(record, "rate_limit", outcome.retryAfterMs, now, ladderMs);
      cooled = true;
      break;
    case "failure":
      coolDown(record, outcome.errorClass, outcome.retryAfterMs, now, ladderMs);
      cooled = true;
      break;
    case "invalid":
      record.invalidReason = outcome.reason;
      record.lastErrorClass = "auth";
      record.lastErrorAt = now;
      break;
  }
  // Each failure changes what "Show Key Pool" says (until when, how many failures).
  return { cooled, changed: stateOf(record, now) !== before || outcome.kind === "failure" || outcome.kind === "throttled" };
}

function coolDown(record: KeyRecord, errorClass: KeyFailureClass, retryAfterMs: number | undefined, now: number, ladderMs: readonly number[]): void {
  record.consecutiveFailures++;
  record.lastErrorClass = errorClass;
  record.lastErrorAt = now;
  const step = ladderMs[Math.min(record.consecutiveFailures, ladderMs.length) - 1] ?? 0;
  const retryAfter = retryAfterMs ?? 0;
  // Retry-After wins when it is longer than the ladder step.
  record.coolingUntil = Math.max(record.coolingUntil, now + Math.max(step, retryAfter));
  record.retryAfterUntil = Math.max(record.retryAfterUntil, now + retryAfter);
}
