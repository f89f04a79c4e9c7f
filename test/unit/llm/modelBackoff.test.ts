import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ModelBackoff, QuotaExhaustedError } from "../../../src/core/llm/modelBackoff";
import { ManualClock } from "../../fakes/manualClock";
import { waitUntil } from "../../fakes/polling";

class QuotaAnswer extends Error {}
const isQuota = (error: unknown) => error instanceof QuotaAnswer;

describe("ModelBackoff: waiting after quota answers", () => {
  it("retries after each step of the ladder, each longer than the last, and resets on success", async () => {
    const clock = new ManualClock();
    const backoff = new ModelBackoff(clock, [1_000, 4_000]);
    const signal = new AbortController().signal;
    const sentAt: number[] = [];
    let failuresLeft = 2;
    const first = backoff.run("m", signal, () => {
      sentAt.push(clock.now());
      return failuresLeft-- > 0 ? Promise.reject(new QuotaAnswer("429")) : Promise.resolve("ok");
    }, isQuota);

    await waitUntil("the first back-off timer", () => clock.pendingTimers === 1);
    assert.equal(backoff.remainingMs("m"), 1_000);
    clock.advance(1_000);
    await waitUntil("the second step's timer", () => sentAt.length === 2 && clock.pendingTimers === 1);
    assert.equal(backoff.remainingMs("m"), 4_000, "a second answer in a row waits longer");
    clock.advance(4_000);
    assert.equal(await first, "ok");
    assert.deepEqual(sentAt, [0, 1_000, 5_000]);
    assert.equal(backoff.remainingMs("m"), 0, "a success resets the back-off");
    assert.equal(clock.pendingTimers, 0);
  });

  it("holds every other request to that model back until the wait is over, but not requests to other models", async () => {
    const clock = new ManualClock();
    const backoff = new ModelBackoff(clock, [1_000]);
    const signal = new AbortController().signal;
    let answered = false;
    const first = backoff.run("m", signal, () => (answered ? Promise.resolve("ok") : ((answered = true), Promise.reject(new QuotaAnswer("quota")))), isQuota);
    await waitUntil("the back-off timer", () => clock.pendingTimers === 1);
    const otherSent: number[] = [];
    const second = backoff.run("m", signal, () => (otherSent.push(clock.now()), Promise.resolve("other")), isQuota);
    assert.equal(await backoff.run("n", signal, () => Promise.resolve("free"), isQuota), "free");
    await waitUntil("the second request waiting", () => clock.pendingTimers === 2);
    clock.advance(999);
    assert.deepEqual(otherSent, [], "nothing goes to the limited model before its wait ends");
    clock.advance(1);
    assert.equal(await second, "other");
    assert.equal(await first, "ok");
    assert.deepEqual(otherSent, [1_000]);
  });

  it("gives up with a clear error after the last step, and passes other errors through at once", async () => {
    const clock = new ManualClock();
    const backoff = new ModelBackoff(clock, [1_000]);
    const signal = new AbortController().signal;
    let calls = 0;
    const run = backoff.run("vscode-lm:copilot/x", signal, () => (calls++, Promise.reject(new QuotaAnswer("rate limited"))), isQuota);
    const settled = run.catch((error: unknown) => error);
    await waitUntil("the back-off timer", () => clock.pendingTimers === 1);
    clock.advance(1_000);
    const error = await settled;
    assert.ok(error instanceof QuotaExhaustedError);
    assert.match(error.message, /"vscode-lm:copilot\/x" kept answering with a quota or rate limit \(rate limited\); gave up after 2 attempts/);
    assert.equal(calls, 2);

    let plainCalls = 0;
    await assert.rejects(backoff.run("p", signal, () => (plainCalls++, Promise.reject(new Error("bad request"))), isQuota), /bad request/);
    assert.equal(plainCalls, 1);
  });

  it("stops waiting when the request is aborted", async () => {
    const clock = new ManualClock();
    const backoff = new ModelBackoff(clock, [60_000]);
    const controller = new AbortController();
    const run = backoff.run("m", controller.signal, () => Promise.reject(new QuotaAnswer("quota")), isQuota);
    const settled = run.catch((error: unknown) => error);
    await waitUntil("the back-off timer", () => clock.pendingTimers === 1);
    controller.abort(new Error("interrupted by the user"));
    assert.match(String(await settled), /interrupted by the user/);
    assert.equal(clock.pendingTimers, 0);
  });
});
