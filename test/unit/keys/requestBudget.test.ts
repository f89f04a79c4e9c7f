import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RequestBudget } from "../../../src/core/keys/requestBudget";

/** Stated resets count from the middle of the request's round trip, plus this allowance for network jitter. */
const JITTER = 10;

describe("RequestBudget", () => {
  it("follows the stated remaining until the reset, then is full again", () => {
    const b = new RequestBudget();
    assert.equal(b.readyAt(0, 1), 0, "nothing known: no limit");
    b.spend(1, 1, 0);
    b.settle(1, { limit: 5, remaining: 4, resetMs: 1000 }, 10);
    for (let seq = 2; seq <= 5; seq++) {
      assert.equal(b.readyAt(10, 1), 10);
      b.spend(seq, 1, 10);
    }
    // Sent at 0, answered at 10: the provider answered about at 5.
    assert.equal(b.readyAt(10, 1), 1005 + JITTER, "spent: wait for the stated reset");
  });

  it("counts costs in the limit's units, and lets a request bigger than the limit go only when it is full", () => {
    const b = new RequestBudget();
    b.spend(1, 300, 0);
    b.settle(1, { limit: 1000, remaining: 700, resetMs: 2000 }, 0);
    assert.equal(b.readyAt(0, 700), 0);
    assert.equal(b.readyAt(0, 701), 2000 + JITTER);
    assert.equal(b.readyAt(0, 5000), 2000 + JITTER, "too big for the window: at the reset, when it is full");
  });

  it("counts sent requests whose answers are still out as not yet counted by the provider", () => {
    const b = new RequestBudget();
    b.spend(1, 1, 0);
    b.settle(1, { limit: 10, remaining: 9, resetMs: 1000 }, 0);
    for (let seq = 2; seq <= 6; seq++) b.spend(seq, 1, 0);
    // Request 6 overtook 2..5 on the way: the provider counted only 1 and 6.
    b.settle(6, { limit: 10, remaining: 8, resetMs: 1000 }, 5);
    assert.equal(countRoom(b, 7, 5), 4, "8 remaining minus 4 requests possibly not counted yet");
  });

  it("ignores a higher 'remaining' that arrives just after a lower one", () => {
    const b = new RequestBudget();
    b.spend(1, 1, 0);
    b.settle(1, { limit: 10, remaining: 9, resetMs: 1000 }, 0);
    b.spend(2, 1, 0);
    b.spend(3, 1, 0);
    b.settle(3, { limit: 10, remaining: 7, resetMs: 1000 }, 10);
    b.settle(2, { limit: 10, remaining: 8, resetMs: 1000 }, 12);
    assert.equal(countRoom(b, 4, 12), 7, "the stale 8 must not add a request");
  });

  it("learns the window from a spent limit and, without further statements, paces by its own log", () => {
    const b = new RequestBudget();
    // Two requests answered at 0 and 400 (no headers), then a 429 at 500 saying the window is full until 1400.
    b.spend(1, 1, 0);
    b.settle(1, undefined, 0);
    b.spend(2, 1, 400);
    b.settle(2, undefined, 400);
    b.spend(3, 1, 500);
    b.settle(3, { limit: 2, remaining: 0, resetMs: 900 }, 500, false);
    assert.equal(b.readyAt(500, 1), 1400 + 2 * JITTER, "the stated reset; a refusal doubles the allowance for network jitter");
    const window = b.learnedWindowMs;
    assert.ok(window >= 1000 && window < 1100, `window ${window}`);
    // After the reset, successes state nothing: each request holds its slot a window from its answer.
    b.spend(4, 1, 1400);
    b.settle(4, undefined, 1400);
    b.spend(5, 1, 1450);
    b.settle(5, undefined, 1450);
    assert.equal(b.readyAt(1500, 1), 1400 + window, "the first slot frees a window after it was sent");
  });

  it("takes a sibling key's limit as its first guess, but keeps its own", () => {
    const b = new RequestBudget();
    b.adopt(3, 1000);
    for (let seq = 1; seq <= 3; seq++) {
      b.spend(seq, 1, 0);
      b.settle(seq, undefined, 0);
    }
    assert.ok(b.readyAt(0, 1) >= 1000);
    b.adopt(50, 10);
    assert.equal(b.learnedLimit, 3);
  });

  it("learns a token window from reset times of answers that leave some room, not only from a spent limit", () => {
    const b = new RequestBudget();
    // A sliding window of 1000 tokens per second (Anthropic style): each answer says the limit is full again a window after it.
    for (let seq = 1; seq <= 4; seq++) {
      const at = seq * 200;
      b.spend(seq, 230, at);
      b.settle(seq, { limit: 1000, remaining: 1000 - 230 * seq, resetAt: at + 1000 }, at);
    }
    const window = b.learnedWindowMs;
    assert.ok(window >= 1000 && window <= 1025, `window ${window} learned though 80 tokens remain`);
    // Spent for a request of 230: the oldest slot frees a window after its answer, long before the stated reset.
    assert.equal(b.readyAt(900, 230), 200 + window, "paced by its own log once the window measured the same several times");
  });

  it("does not take a fixed window's reset durations with room left for a sliding window", () => {
    const b = new RequestBudget();
    // A fixed window from 0 to 1000, requests early in it: every answer says "full again in about a second".
    for (let seq = 1; seq <= 4; seq++) {
      const at = seq * 3;
      b.spend(seq, 230, at);
      b.settle(seq, { limit: 1000, remaining: 1000 - 230 * seq, resetMs: 1000 - at }, at);
    }
    assert.equal(b.learnedWindowMs, 0, "nothing learned from durations with room left");
    assert.ok(b.readyAt(100, 230) >= 1000, "spent until the stated reset, not earlier");
  });

  it("frees each request's room at the reset its own answer stated, long before a sliding window is full again", () => {
    const b = new RequestBudget({ countedOnAcceptance: true });
    // A sliding window of 3 per second; each answer is read 20 ms after its request went.
    for (let seq = 1; seq <= 3; seq++) {
      const at = (seq - 1) * 100;
      b.spend(seq, 1, at);
      b.settle(seq, { limit: 3, remaining: 3 - seq, resetMs: 1000 }, at + 20);
    }
    // Full again only after the newest (1220 and more), but the oldest stops counting a second after its answer was read.
    assert.equal(b.readyAt(300, 1), 1020, "the first request's own reset, counted from when its answer was read");
    assert.equal(b.readyAt(1020, 1), 1020);
  });

  it("takes a reset stated as a time as it is, without counting the answer's delay", () => {
    const b = new RequestBudget({ countedOnAcceptance: true });
    b.spend(1, 600, 0);
    // The provider counted it at 5 and says so (a window after); the answer was read at 40.
    b.settle(1, { limit: 1000, remaining: 400, resetAt: 1005 }, 40);
    b.spend(2, 400, 40);
    b.settle(2, { limit: 1000, remaining: 0, resetAt: 1045 }, 45);
    assert.equal(b.readyAt(100, 500), 1005, "room for 500 when the first request's 600 leave the window");
  });

  it("holds room a statement counted that its log does not know of until the stated reset", () => {
    const b = new RequestBudget({ countedOnAcceptance: true });
    b.spend(1, 1, 0);
    // Another client used four of five: only one of them is ours.
    b.settle(1, { limit: 5, remaining: 0, resetMs: 800 }, 0);
    assert.equal(b.readyAt(0, 1), 800, "ours frees at its own reset, the others' at the stated one");
    assert.equal(countRoom(b, 2, 800), 1, "ours is gone at 800, but the others' four still count until told otherwise");
  });

  it("without the cost counted on acceptance (output tokens), waits for the stated reset", () => {
    const b = new RequestBudget();
    b.spend(1, 1, 0);
    b.settle(1, { limit: 1, remaining: 0, resetMs: 500 }, 0);
    assert.equal(b.readyAt(0, 1), 500 + JITTER);
  });
});

function countRoom(b: RequestBudget, firstSeq: number, now: number): number {
  let n = 0;
  while (b.readyAt(now, 1) <= now && n < 1000) b.spend(firstSeq + n++, 1, now);
  return n;
}
