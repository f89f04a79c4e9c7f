import type { LimitDimension, LimitReading, RateLimitInfo } from "../keys/keyLease";

/** Longest server-stated wait we honour; beyond it the cooldown ladder decides. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** How much a reset time written in whole seconds may have been cut short. */
const WHOLE_SECOND_MS = 1000;

type HeaderSource = { get(name: string): string | null } | undefined;

/**
 * The header families providers use to state their limits:
 * - OpenAI: `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, reset a
 *   duration such as `6m0s`, `1s`, `120ms`;
 * - Anthropic: `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`,
 *   reset an RFC 3339 time.
 */
const OPENAI: ReadonlyArray<[LimitDimension, string]> = [
  ["requests", "requests"],
  ["tokens", "tokens"],
];
const ANTHROPIC: ReadonlyArray<[LimitDimension, string]> = [
  ["requests", "requests"],
  ["tokens", "tokens"],
  ["inputTokens", "input-tokens"],
  ["outputTokens", "output-tokens"],
];

/**
 * Every limit the response states; undefined when it states none (many
 * compatible servers send no such headers). `now` turns Anthropic's reset
 * times into durations; it is the clock the pool runs on.
 */
export function parseRateLimitHeaders(headers: HeaderSource, now: number = Date.now()): RateLimitInfo | undefined {
  if (!headers) return undefined;
  const info: RateLimitInfo = {};
  for (const [dimension, name] of OPENAI) {
    const reading = readingOf(
      headers.get(`x-ratelimit-limit-${name}`),
      headers.get(`x-ratelimit-remaining-${name}`),
      parseDurationMs(headers.get(`x-ratelimit-reset-${name}`)),
    );
    if (reading) info[dimension] = reading;
  }
  for (const [dimension, name] of ANTHROPIC) {
    const resetMs = parseResetTimeMs(headers.get(`anthropic-ratelimit-${name}-reset`), now);
    const reading = readingOf(headers.get(`anthropic-ratelimit-${name}-limit`), headers.get(`anthropic-ratelimit-${name}-remaining`), undefined);
    // A stated time stays that time however long the answer took to reach us.
    if (resetMs !== undefined && reading) reading.resetAt = now + resetMs;
    // A provider sends one family; if both came, the stricter reading wins.
    if (reading) info[dimension] = stricter(info[dimension], reading);
  }
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

/** Go-style durations as OpenAI sends them (`6m0s`, `1m30.5s`, `250ms`), or plain seconds. */
export function parseDurationMs(raw: string | null): number | undefined {
  if (!raw) return undefined;
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return honoured(Number(text) * 1000);
  const unitMs: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let matched = "";
  for (const part of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(part[1]) * (unitMs[part[2] ?? ""] ?? 0);
    matched += part[0];
  }
  return matched.length === text.length && matched.length > 0 ? honoured(total) : undefined;
}

/** A stated wait as we honour it: at most MAX_RETRY_AFTER_MS (a key is not parked for days by one answer), nothing when it is not a number. */
function honoured(ms: number): number | undefined {
  return Number.isFinite(ms) ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * An RFC 3339 time (`2025-01-01T00:00:30Z`, fractions and offsets allowed)
 * as milliseconds from `now`. A time in whole seconds may have been cut
 * short by up to a second when it was written: it counts to the end of that
 * second, since a reset read early is a request refused.
 */
export function parseResetTimeMs(raw: string | null, now: number): number | undefined {
  if (!raw) return undefined;
  const text = raw.trim();
  const match = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match) return undefined;
  const at = Date.parse(text) + (match[1] === undefined ? WHOLE_SECOND_MS : 0);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

function readingOf(limitRaw: string | null, remainingRaw: string | null, resetMs: number | undefined): LimitReading | undefined {
  const reading: LimitReading = {};
  const limit = parseCount(limitRaw);
  const remaining = parseCount(remainingRaw);
  if (limit !== undefined) reading.limit = limit;
  if (remaining !== undefined) reading.remaining = remaining;
  if (resetMs !== undefined) reading.resetMs = resetMs;
  return Object.keys(reading).length > 0 ? reading : undefined;
}

function stricter(a: LimitReading | undefined, b: LimitReading): LimitReading {
  if (!a || a.remaining === undefined) return b;
  if (b.remaining === undefined) return a;
  return b.remaining < a.remaining ? b : a;
}

function parseCount(raw: string | null): number | undefined {
  if (raw === null || raw.trim() === "") return undefined;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}
