import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RequestBudget } from "../../../src/core/keys/requestBudget";

describe("RequestBudget", () => {
  it("allows one probe until the first answer, then follows the headers", () => {
    const b = new RequestBudget();
    assert.equal(b.hasRoom(0), true);
    b.spend(1);
    assert.equal(b.hasRoom(0), false, "a second request waits for the probe's answer");
    assert.ok(b.readyAt(0) > 0 && b.readyAt(0) <= 50, "and looks again soon");
    b.settle(1, { limit: 5, remaining: 4, resetMs: 1000 }, 10);
    for (let seq = 2; seq <= 5; seq++) {
      assert.equal(b.hasRoom(10), true);
      b.spend(seq);
    }
    assert.equal(b.hasRoom(10), false);
    assert.equal(b.readyAt(10), 1010);
    assert.equal(b.hasRoom(1010), true, "full again after the stated reset");
  });

  it("gives an unlimited budget to a provider without rate-limit headers", () => {
    const b = new RequestBudget();
    b.spend(1);
    b.settle(1, undefined, 0);
    for (let seq = 2; seq < 100; seq++) b.spend(seq);
    assert.equal(b.hasRoom(0), true);
  });

  it("hands the probe back when it taught nothing (aborted, rejected)", () => {
    const b = new RequestBudget();
    b.spend(1);
    b.finish(1);
    assert.equal(b.hasRoom(0), true);
  });

  it("counts sent requests whose headers are still out as not yet counted by the provider", () => {
    const b = new RequestBudget();
    b.spend(1);
    b.settle(1, { limit: 10, remaining: 9, resetMs: 1000 }, 0);
    for (let seq = 2; seq <= 6; seq++) b.spend(seq);
    // Request 6 overtook 2..5 on the way: the provider counted only 1 and 6.
    b.settle(6, { limit: 10, remaining: 8, resetMs: 1000 }, 5);
    const sendable = countRoom(b, 7, 5);
    assert.equal(sendable, 4, "8 remaining minus 4 requests possibly not counted yet");
  });

  it("ignores a higher 'remaining' that arrives just after a lower one", () => {
    const b = new RequestBudget();
    b.spend(1);
    b.settle(1, { limit: 10, remaining: 9, resetMs: 1000 }, 0);
    b.spend(2);
    b.spend(3);
    b.settle(3, { limit: 10, remaining: 7, resetMs: 1000 }, 10);
    b.settle(2, { limit: 10, remaining: 8, resetMs: 1000 }, 12);
    assert.equal(countRoom(b, 4, 12), 7, "the stale 8 must not add a request");
  });

  it("reports requests in flight until they are over", () => {
    const b = new RequestBudget();
    b.spend(1);
    b.settle(1, undefined, 0);
    b.spend(2);
    assert.equal(b.inFlight, 2);
    b.finish(1);
    b.finish(2);
    b.finish(2);
    assert.equal(b.inFlight, 0);
  });
});

function countRoom(b: RequestBudget, firstSeq: number, now: number): number {
  let n = 0;
  while (b.hasRoom(now) && n < 1000) b.spend(firstSeq + n++);
  return n;
}
