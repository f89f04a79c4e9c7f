import type { KeyHealthSnapshot } from "../../core/keys/keyHealth";
import type { LimitDimension } from "../../core/keys/keyLease";
import type { KeyPacing } from "../../core/keys/keyLimits";
import { formatElapsed } from "../agents/agentPicks";

const UNIT_NAMES: Readonly<Record<LimitDimension, string>> = {
  requests: "requests",
  tokens: "tokens",
  inputTokens: "input tokens",
  outputTokens: "output tokens",
};

/** "1 s", "1 min", "90 s": a window as measured (it carries a little margin, so it is rounded). */
function windowText(ms: number): string {
  const seconds = ms / 1000;
  const minutes = Math.round(seconds / 60);
  if (seconds >= 55 && Math.abs(seconds - minutes * 60) <= seconds * 0.05) return minutes === 1 ? "1 min" : `${minutes} min`;
  return seconds < 10 ? `${Number(seconds.toFixed(1))} s` : `${Math.round(seconds)} s`;
}

/** What paces a key, in one line: "Paced to 30 requests / 1 min, 90,000 tokens / 1 min". */
function pacingText(pacing: KeyPacing | undefined): string | undefined {
  if (!pacing) return undefined;
  const parts = pacing.limits.map((l) => `${l.limit.toLocaleString("en-US")} ${UNIT_NAMES[l.dimension]} / ${windowText(l.windowMs)}`);
  if (pacing.perSecond !== undefined) parts.push(`about ${Number(pacing.perSecond.toPrecision(3))} requests / s (adaptive: the provider states no limits)`);
  if (pacing.maxInFlight !== undefined) parts.push(`at most ${pacing.maxInFlight} in flight`);
  return parts.length > 0 ? `Paced to ${parts.join(", ")}.` : undefined;
}

/** One key as Show Key Pool lists it: fingerprint, health, how much it served, and what paces it. */
export function describeKeyHealth(key: KeyHealthSnapshot, now: number): { icon: string; description: string; detail?: string } {
  const served = `${key.requestsServed} request${key.requestsServed === 1 ? "" : "s"} served`;
  const busy = key.inFlight > 0 ? ` · ${key.inFlight} in flight` : "";
  const pacing = pacingText(key.pacing);
  const withPacing = <T extends { icon: string; description: string }>(row: T): T & { detail?: string } => (pacing ? { ...row, detail: pacing } : row);
  switch (key.state) {
    case "healthy": {
      const waiting = key.pacedUntil !== undefined && key.pacedUntil > now ? ` · waiting ${key.pacedUntil - now < 1000 ? "under 1s" : formatElapsed(key.pacedUntil - now)} as the provider asked` : "";
      return withPacing({ icon: "$(pass)", description: `healthy · ${served}${busy}${waiting}` });
    }
    case "cooling": {
      const until = key.coolingUntil ?? now;
      const clock = new Date(until).toLocaleTimeString();
      const why = key.lastErrorClass ? ` after ${key.lastErrorClass.replace("_", " ")}` : "";
      return withPacing({
        icon: "$(clock)",
        description: `cooling down until ${clock} (${formatElapsed(Math.max(0, until - now))} left)${why} · ${served}${busy}`,
      });
    }
    case "invalid":
      return {
        icon: "$(error)",
        description: `invalid · ${served}`,
        detail: `Rejected by the provider: ${key.invalidReason ?? "no reason given"}. Select it to re-enable or remove it.`,
      };
  }
}

export interface ProviderKeys {
  providerId: string;
  keys: readonly KeyHealthSnapshot[];
}

/** Keys of a provider held back because they are bound to another endpoint than its baseUrl now. */
export interface ProviderMisboundKeys {
  providerId: string;
  /** The origin of the provider's baseUrl now (undefined: not configured, or not an http(s) URL). */
  currentOrigin: string | undefined;
  keys: ReadonlyArray<{ fingerprint: string; boundTo: string | undefined }>;
}

export type KeyPoolRow =
  | { kind: "separator"; label: string }
  | {
      kind: "misbound";
      providerId: string;
      fingerprint: string;
      boundTo: string | undefined;
      currentOrigin: string | undefined;
      label: string;
      description: string;
      detail: string;
    }
  | { kind: "key"; providerId: string; fingerprint: string; state: KeyHealthSnapshot["state"]; label: string; description: string; detail?: string }
  | { kind: "empty"; providerId: string; label: string; description: string };

/** Rows of the Show Key Pool list: configured providers first (in settings order), then any others that still hold keys. */
export function keyPoolRows(
  configured: readonly string[],
  pools: readonly ProviderKeys[],
  now: number,
  misbound: readonly ProviderMisboundKeys[] = [],
): KeyPoolRow[] {
  const byId = new Map(pools.map((p) => [p.providerId, p.keys]));
  const heldBack = new Map(misbound.filter((m) => m.keys.length > 0).map((m) => [m.providerId, m]));
  const others = [...pools.map((p) => p.providerId), ...heldBack.keys()].filter((id) => !configured.includes(id));
  const ids = [...configured, ...new Set(others)];
  const rows: KeyPoolRow[] = [];
  for (const providerId of ids) {
    const keys = byId.get(providerId) ?? [];
    const held = heldBack.get(providerId);
    const healthy = keys.filter((k) => k.state === "healthy").length;
    const note = configured.includes(providerId) ? "" : " — not in subagents.providers";
    const elsewhere = held ? ` · ${held.keys.length} bound to another endpoint` : "";
    rows.push({ kind: "separator", label: `${providerId}: ${healthy}/${keys.length} healthy${elsewhere}${note}` });
    for (const key of held?.keys ?? []) rows.push(misboundRow(providerId, key, held?.currentOrigin));
    if (keys.length === 0 && held) continue;
    if (keys.length === 0) {
      rows.push({ kind: "empty", providerId, label: "$(add) No keys", description: `Add a key for ${providerId}` });
      continue;
    }
    for (const key of keys) {
      const health = describeKeyHealth(key, now);
      rows.push({
        kind: "key",
        providerId,
        fingerprint: key.fingerprint,
        state: key.state,
        label: `${health.icon} ${key.fingerprint}`,
        description: health.description,
        ...(health.detail !== undefined ? { detail: health.detail } : {}),
      });
    }
  }
  return rows;
}

function misboundRow(
  providerId: string,
  key: { fingerprint: string; boundTo: string | undefined },
  currentOrigin: string | undefined,
): KeyPoolRow {
  const bound = key.boundTo ?? "no endpoint (stored before keys were bound)";
  const now = currentOrigin ?? "no usable endpoint";
  return {
    kind: "misbound",
    providerId,
    fingerprint: key.fingerprint,
    boundTo: key.boundTo,
    currentOrigin,
    label: `$(debug-disconnect) ${key.fingerprint}`,
    description: `bound to ${bound} · not used: ${providerId} now points to ${now}`,
    detail: currentOrigin
      ? `Select to re-bind it to ${currentOrigin} (you will be asked to confirm), or remove it.`
      : `Configure ${providerId} in subagents.providers (user settings) to use it.`,
  };
}

/** The confirmation before keys are allowed to go to a new endpoint; names both origins. */
export function rebindQuestion(providerId: string, count: number, from: string | undefined, to: string): { message: string; detail: string } {
  const keys = count === 1 ? "1 key" : `${count} keys`;
  return {
    message: `Send ${keys} of ${providerId} to ${to}?`,
    detail:
      `${count === 1 ? "This key was" : "These keys were"} added for ${from ?? "no endpoint"}; ${providerId}'s baseUrl now points to ${to}. ` +
      `Only re-bind if you changed the baseUrl yourself and trust ${to} with ${count === 1 ? "this key" : "these keys"}.`,
  };
}
