import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDurationMs, parseRateLimitHeaders, parseRetryAfterMs } from "../../../src/core/llm/rateLimitHeaders";

describe("rate-limit headers", () => {
  it("parses the duration format of x-ratelimit-reset-*", () => {
    assert.equal(parseDurationMs("1s"), 1000);
    assert.equal(parseDurationMs("20ms"), 20);
    assert.equal(parseDurationMs("6m0s"), 360_000);
    assert.equal(parseDurationMs("1h2m3.5s"), 3_723_500);
    assert.equal(parseDurationMs("2"), 2000);
    assert.equal(parseDurationMs("soon"), undefined);
    assert.equal(parseDurationMs(null), undefined);
  });

  it("reads limit, remaining and reset, and nothing when absent", () => {
    const headers = new Headers({ "x-ratelimit-limit-requests": "60", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "850ms" });
    assert.deepEqual(parseRateLimitHeaders(headers), { limit: 60, remaining: 0, resetMs: 850 });
    assert.equal(parseRateLimitHeaders(new Headers()), undefined);
  });

  it("prefers retry-after-ms, accepts seconds and HTTP dates, and caps absurd waits", () => {
    assert.equal(parseRetryAfterMs(new Headers({ "retry-after-ms": "250", "retry-after": "9" })), 250);
    assert.equal(parseRetryAfterMs(new Headers({ "retry-after": "2" })), 2000);
    const now = Date.parse("2025-01-01T00:00:00Z");
    assert.equal(parseRetryAfterMs(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:30 GMT" }), now), 30_000);
    assert.equal(parseRetryAfterMs(new Headers({ "retry-after": "999999" })), 3_600_000);
    assert.equal(parseRetryAfterMs(new Headers()), undefined);
  });
});
