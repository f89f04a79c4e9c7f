import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDurationMs, parseRateLimitHeaders, parseResetTimeMs, parseRetryAfterMs } from "../../../src/core/llm/rateLimitHeaders";

const NOW = Date.parse("2025-01-01T00:00:00Z");

describe("rate-limit headers", () => {
  it("parses the duration format of x-ratelimit-reset-*", () => {
    assert.equal(parseDurationMs("1s"), 1000);
    assert.equal(parseDurationMs("250ms"), 250);
    assert.equal(parseDurationMs("6m0s"), 360_000);
    assert.equal(parseDurationMs("1m30.5s"), 90_500);
    assert.equal(parseDurationMs("59m3.5s"), 3_543_500);
    // One answer parks a key for an hour at most; a number too large to be one is no answer.
    assert.equal(parseDurationMs("1h2m3.5s"), 3_600_000);
    assert.equal(parseDurationMs("99999999h"), 3_600_000);
    assert.equal(parseDurationMs("9".repeat(400)), undefined);
    assert.equal(parseDurationMs("2"), 2000);
    assert.equal(parseDurationMs("soon"), undefined);
    assert.equal(parseDurationMs("5x"), undefined);
    assert.equal(parseDurationMs(null), undefined);
  });

  it("reads OpenAI's requests and tokens limits, and nothing when absent", () => {
    const headers = new Headers({
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "850ms",
      "x-ratelimit-limit-tokens": "150000",
      "x-ratelimit-remaining-tokens": "149984",
      "x-ratelimit-reset-tokens": "6m0s",
    });
    assert.deepEqual(parseRateLimitHeaders(headers, NOW), {
      requests: { limit: 60, remaining: 0, resetMs: 850 },
      tokens: { limit: 150_000, remaining: 149_984, resetMs: 360_000 },
    });
    assert.equal(parseRateLimitHeaders(new Headers(), NOW), undefined);
  });

  it("reads Anthropic's requests, input and output token limits with RFC 3339 reset times", () => {
    const headers = new Headers({
      "anthropic-ratelimit-requests-limit": "50",
      "anthropic-ratelimit-requests-remaining": "49",
      "anthropic-ratelimit-requests-reset": "2025-01-01T00:00:01Z",
      "anthropic-ratelimit-input-tokens-limit": "40000",
      "anthropic-ratelimit-input-tokens-remaining": "39000",
      "anthropic-ratelimit-input-tokens-reset": "2025-01-01T00:00:01.500Z",
      "anthropic-ratelimit-output-tokens-limit": "8000",
      "anthropic-ratelimit-output-tokens-remaining": "8000",
      "anthropic-ratelimit-output-tokens-reset": "2025-01-01T01:00:00+01:00",
      "anthropic-ratelimit-tokens-limit": "48000",
      "anthropic-ratelimit-tokens-remaining": "47000",
      "anthropic-ratelimit-tokens-reset": "2025-01-01T00:00:02Z",
    });
    assert.deepEqual(parseRateLimitHeaders(headers, NOW), {
      // Whole seconds count to the end of the second (they may have been cut short); fractions are taken as they are.
      requests: { limit: 50, remaining: 49, resetAt: NOW + 2000 },
      inputTokens: { limit: 40_000, remaining: 39_000, resetAt: NOW + 1500 },
      outputTokens: { limit: 8000, remaining: 8000, resetAt: NOW + 1000 },
      tokens: { limit: 48_000, remaining: 47_000, resetAt: NOW + 3000 },
    });
  });

  it("accepts only RFC 3339 times as Anthropic resets, and never a negative wait", () => {
    assert.equal(parseResetTimeMs("2025-01-01T00:00:30.250Z", NOW), 30_250);
    assert.equal(parseResetTimeMs("2025-01-01T00:00:30Z", NOW), 31_000, "whole seconds: to the end of that second");
    assert.equal(parseResetTimeMs("2024-12-31T23:59:00Z", NOW), 0);
    assert.equal(parseResetTimeMs("30", NOW), undefined);
    assert.equal(parseResetTimeMs("Wed, 01 Jan 2025 00:00:30 GMT", NOW), undefined);
  });

  it("prefers retry-after-ms, accepts seconds and HTTP dates, and caps absurd waits", () => {
    assert.equal(parseRetryAfterMs(new Headers({ "retry-after-ms": "250", "retry-after": "9" }), NOW), 250);
    assert.equal(parseRetryAfterMs(new Headers({ "retry-after": "2" }), NOW), 2000);
    assert.equal(parseRetryAfterMs(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:30 GMT" }), NOW), 30_000);
    assert.equal(parseRetryAfterMs(new Headers({ "retry-after": "999999" }), NOW), 3_600_000);
    assert.equal(parseRetryAfterMs(new Headers(), NOW), undefined);
  });
});
