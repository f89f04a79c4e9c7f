import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KeyLimits, type DimensionCosts } from "../../../src/core/keys/keyLimits";

const ONE: DimensionCosts = { requests: 1, tokens: 0, inputTokens: 0, outputTokens: 0 };

/** Sends `count` requests at `at`, each answered at once with the provider's count of a 10-per-second window. */
function burst(limits: KeyLimits, firstSeq: number, count: number, at: number): void {
  for (let i = 0; i < count; i++) {
    assert.equal(limits.readyAt(at, ONE), at, `request ${i + 1} of the burst goes at once`);
    limits.begin(firstSeq + i, ONE, at);
    limits.succeeded(firstSeq + i, { requests: { limit: 10, remaining: 9 - i, resetMs: 1000 } }, undefined, at);
  }
}

describe("KeyLimits", () => {
  it("lets a fresh key use its whole limit at once", () => {
    const limits = new KeyLimits();
    burst(limits, 1, 10, 0);
    assert.equal(limits.readyAt(0, ONE), 1000, "spent: room again when the first request leaves the window");
  });

  it("once a key ran out of room, spaces its requests a little faster than the limit's pace instead of bursting", () => {
    const limits = new KeyLimits();
    burst(limits, 1, 10, 0);
    assert.equal(limits.readyAt(0, ONE), 1000);
    // At 1000 all ten slots are free again, but they go one by one, 85 ms apart (0.85 of 1000 ms ÷ 10).
    const sent: number[] = [];
    let now = 1000;
    for (let seq = 11; seq <= 14; seq++) {
      now = limits.readyAt(now, ONE);
      sent.push(now);
      limits.begin(seq, ONE, now);
      limits.succeeded(seq, { requests: { limit: 10, remaining: 9, resetMs: 1000 } }, undefined, now);
    }
    assert.deepEqual(sent, [1000, 1085, 1170, 1255]);
  });

  it("keeps the pace's grid when a request goes a little late, so a slow timer does not slow the key", () => {
    const limits = new KeyLimits();
    burst(limits, 1, 10, 0);
    assert.equal(limits.readyAt(0, ONE), 1000);
    limits.begin(11, ONE, 1000);
    limits.succeeded(11, { requests: { limit: 10, remaining: 9, resetMs: 1000 } }, undefined, 1000);
    // The next slot is 1085; sent 30 ms late, the one after is still 1170.
    limits.begin(12, ONE, 1115);
    limits.succeeded(12, { requests: { limit: 10, remaining: 8, resetMs: 1000 } }, undefined, 1115);
    assert.equal(limits.readyAt(1115, ONE), 1170);
  });
});
