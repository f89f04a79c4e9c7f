import type { KeyHealthSnapshot } from "../../core/keys/keyPool";
import { formatElapsed } from "../agents/agentPicks";

/** One key as Show Key Pool lists it: fingerprint, health, and how much it served. */
export function describeKeyHealth(key: KeyHealthSnapshot, now: number): { icon: string; description: string; detail?: string } {
  const served = `${key.requestsServed} request${key.requestsServed === 1 ? "" : "s"} served`;
  const busy = key.inFlight > 0 ? ` · ${key.inFlight} in flight` : "";
  switch (key.state) {
    case "healthy":
      return { icon: "$(pass)", description: `healthy · ${served}${busy}` };
    case "cooling": {
      const until = key.coolingUntil ?? now;
      const clock = new Date(until).toLocaleTimeString();
      const why = key.lastErrorClass ? ` after ${key.lastErrorClass.replace("_", " ")}` : "";
      return {
        icon: "$(clock)",
        description: `cooling down until ${clock} (${formatElapsed(Math.max(0, until - now))} left)${why} · ${served}${busy}`,
      };
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

export type KeyPoolRow =
  | { kind: "separator"; label: string }
  | { kind: "key"; providerId: string; fingerprint: string; state: KeyHealthSnapshot["state"]; label: string; description: string; detail?: string }
  | { kind: "empty"; providerId: string; label: string; description: string };

/** Rows of the Show Key Pool list: configured providers first (in settings order), then any others that still hold keys. */
export function keyPoolRows(configured: readonly string[], pools: readonly ProviderKeys[], now: number): KeyPoolRow[] {
  const byId = new Map(pools.map((p) => [p.providerId, p.keys]));
  const ids = [...configured, ...pools.map((p) => p.providerId).filter((id) => !configured.includes(id))];
  const rows: KeyPoolRow[] = [];
  for (const providerId of ids) {
    const keys = byId.get(providerId) ?? [];
    const healthy = keys.filter((k) => k.state === "healthy").length;
    const note = configured.includes(providerId) ? "" : " — not in subagents.providers";
    rows.push({ kind: "separator", label: `${providerId}: ${healthy}/${keys.length} healthy${note}` });
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
