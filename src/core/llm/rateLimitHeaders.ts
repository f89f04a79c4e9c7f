import type { RateLimitInfo } from "../keys/keyLease";

/** Longest server-stated wait we honour; beyond it the cooldown ladder decides. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

type HeaderSource = { get(name: string): string | null } | undefined;

/**
 * `x-ratelimit-{limit,remaining,reset}-requests` as the public API sends
 * them (reset is a duration such as "1s", "6m0s", "20ms"). Absent headers
 * leave fields undefined: many compatible servers send none.
 */
export function parseRateLimitHeaders(headers: HeaderSource): RateLimitInfo | undefined {
  if (!headers) return undefined;
  const info: RateLimitInfo = {};
  const limit = parseCount(headers.get("x-ratelimit-limit-requests"));
  const remaining = parseCount(headers.get("x-ratelimit-remaining-requests"));
  const reset = parseDurationMs(headers.get("x-ratelimit-reset-requests"));
  if (limit !== undefined) info.limit = limit;
  if (remaining !== undefined) info.remaining = remaining;
  if (reset !== undefined) info.resetMs = reset;
  return Object.keys(info).length > 0 ? info : undefined;
}

/** `retry-after-ms`, else `retry-after` in seconds or as an HTTP date. */
export function parseRetryAfterMs(headers: HeaderSource, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get("retry-after-ms") ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_AFTER_MS);
  const raw = headers.get("retry-after");
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

export function parseDurationMs(raw: string | null): number | undefined {
  if (!raw) return undefined;
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const unitMs: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let matched = "";
  for (const part of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(part[1]) * (unitMs[part[2] ?? ""] ?? 0);
    matched += part[0];
  }
  return matched.length === text.length && matched.length > 0 ? total : undefined;
}

function parseCount(raw: string | null): number | undefined {
  if (raw === null || raw.trim() === "") return undefined;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}
