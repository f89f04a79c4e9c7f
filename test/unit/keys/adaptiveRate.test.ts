import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AdaptiveRate } from "../../../src/core/keys/adaptiveRate";

/** Sends at every moment the rate allows, from `from` for `ms`; each send succeeds. */
function run(rate: AdaptiveRate, from: number, ms: number): { sends: number[]; end: number } {
  const sends: number[] = [];
  let now = from;
  while (now < from + ms) {
    now = rate.readyAt(now);
    rate.sent(now);
    rate.onWire(now);
    rate.success(now);
    sends.push(now);
  }
  return { sends, end: now };
}

describe("AdaptiveRate", () => {
  it("after the first refusal paces just under what was accepted in the second before it", () => {
    const rate = new AdaptiveRate();
    for (let i = 0; i < 10; i++) rate.success(i * 10);
    rate.throttled(100, 100);
    const perSecond = rate.perSecond ?? 0;
    assert.ok(perSecond >= 9 && perSecond < 10, `first rate ${perSecond}/s, just under the 10 accepted`);
  });

  it("counts requests accepted before the first refusal but answered after it (a refusal comes back first)", () => {
    const rate = new AdaptiveRate();
    // Ten requests sent in the first 100 ms were accepted; only four have finished streaming when the eleventh's 429 comes.
    for (let i = 0; i < 4; i++) rate.success(150 + i, i * 10);
    rate.throttled(110, 100);
    assert.ok((rate.perSecond ?? 0) < 4, `measured from the four answered so far: ${rate.perSecond}/s`);
    const raised: boolean[] = [];
    for (let i = 4; i < 10; i++) raised.push(rate.success(200 + i, i * 10));
    assert.deepEqual(raised, [true, true, true, true, true, true], "each late answer from before the refusal raises the measurement");
    const perSecond = rate.perSecond ?? 0;
    assert.ok(perSecond >= 9 && perSecond < 10, `then just under the 10 accepted: ${perSecond}/s`);
    // A request sent after the refusal says nothing about that moment.
    assert.equal(rate.success(400, 300), false);
  });

  it("follows another key's measurement while it rises, until a refusal of its own", () => {
    const adopter = new AdaptiveRate();
    adopter.adopt(4);
    adopter.adopt(9);
    assert.equal(adopter.perSecond, 9, "a key with no refusal of its own follows the other key's corrected rate");
    adopter.adopt(5);
    assert.equal(adopter.perSecond, 9, "never down: a lower figure is an older one");
    for (let i = 0; i < 9; i++) adopter.success(i * 10);
    adopter.throttled(2000, 2000);
    const own = adopter.perSecond;
    adopter.adopt(20);
    assert.equal(adopter.perSecond, own, "after its own refusal the key keeps what it measured");
  });

  it("after a burst is refused, waits until the burst's first request leaves the window, not a 429 per interval", () => {
    const rate = new AdaptiveRate();
    for (let i = 0; i < 10; i++) rate.success(i * 10);
    rate.throttled(100, 100);
    assert.ok(rate.readyAt(100) >= 1000, `next try at ${rate.readyAt(100)}, when the oldest of the burst has left a one-second window`);
  });

  it("climbs back quickly toward the rate last refused, then creeps past it slowly", () => {
    const rate = new AdaptiveRate();
    for (let i = 0; i < 10; i++) rate.success(i * 10);
    rate.throttled(100, 100);
    const first = rate.perSecond ?? 0;
    const { end } = run(rate, 2000, 1000);
    const afterOneSecond = rate.perSecond ?? 0;
    assert.ok(afterOneSecond > first, "successes raise the rate");
    assert.ok(afterOneSecond <= 10, `no faster than the refused rate after a second: ${afterOneSecond}`);
    run(rate, end, 1000);
    const afterTwo = rate.perSecond ?? 0;
    // Near the edge each success adds a tenth of a percent: at most a few percent a second.
    assert.ok(afterTwo - afterOneSecond < 0.05 * afterOneSecond, `slow near the edge: ${afterOneSecond} → ${afterTwo}`);
  });

  it("keeps rising past a rate last refused that was measured low, while nothing is refused", () => {
    const rate = new AdaptiveRate();
    // Refused with only 5 accepted in the second before (a first burst still in the window): the edge reads 5/s.
    for (let i = 0; i < 5; i++) rate.success(i * 10);
    rate.throttled(100, 100);
    run(rate, 2000, 20_000);
    const perSecond = rate.perSecond ?? 0;
    assert.ok(perSecond > 6, `past the edge after twenty seconds without a refusal: ${perSecond}/s`);
  });

  it("a new refusal cuts the rate below the one just refused", () => {
    const rate = new AdaptiveRate();
    for (let i = 0; i < 10; i++) rate.success(i * 10);
    rate.throttled(100, 100);
    const { end } = run(rate, 2000, 3000);
    const refused = rate.perSecond ?? 0;
    rate.throttled(end, end);
    const cut = rate.perSecond ?? 0;
    assert.ok(cut < refused && cut >= 0.9 * refused, `cut from ${refused} to ${cut}`);
  });

  it("keeps its grid when sends come a little late: lateness does not lower the rate", () => {
    const rate = new AdaptiveRate();
    rate.adopt(10);
    const sends: number[] = [];
    let now = 0;
    for (let i = 0; i < 50; i++) {
      // Every send 7 ms after the moment it was allowed, as on a busy event loop.
      now = rate.readyAt(now) + 7;
      rate.sent(now);
      sends.push(now);
    }
    const span = (sends[sends.length - 1] ?? 0) - (sends[0] ?? 0);
    const perSecond = ((sends.length - 1) * 1000) / span;
    assert.ok(perSecond > 9.9 && perSecond <= 10.01, `paced at ${perSecond}/s despite late sends`);
  });

  it("never sends two requests closer than one interval apart after an idle gap", () => {
    const rate = new AdaptiveRate();
    rate.adopt(10);
    rate.sent(0);
    // Idle for a while, then two callers at once.
    const first = rate.readyAt(5000);
    rate.sent(first);
    const second = rate.readyAt(first);
    assert.ok(second - first >= 100 - 1e-9, `spacing after idle ${second - first} ms`);
  });

  it("a key paced after a burst of its own waits until enough of the burst has left the window", () => {
    const rate = new AdaptiveRate();
    // Unpaced, the key carried ten requests in the first 90 ms; then a sibling key measured 10/s.
    for (let i = 0; i < 10; i++) {
      rate.sent(i * 10);
      rate.onWire(i * 10);
    }
    rate.adopt(10);
    assert.ok(rate.readyAt(100) >= 1000, `the eleventh goes once the first has left a one-second window, not at ${rate.readyAt(100)}`);
  });

  it("probes a limit more rarely each time a refusal comes at about the rate refused before", () => {
    const rate = new AdaptiveRate();
    for (let i = 0; i < 10; i++) rate.success(i * 10);
    rate.throttled(100, 100);
    // A hidden limit of 10/s: a request goes at the pace allowed and is refused when that pace is above the limit.
    const refusals: number[] = [];
    let now = 100;
    while (now < 120_000) {
      now = rate.readyAt(now);
      rate.sent(now);
      rate.onWire(now);
      if ((rate.perSecond ?? 0) > 10) {
        rate.throttled(now, now);
        refusals.push(now);
      } else rate.success(now);
    }
    const gaps = refusals.slice(1).map((t, i) => t - (refusals[i] ?? 0));
    assert.ok(gaps.length >= 3, `several probes in two minutes: ${gaps.length}`);
    assert.ok((gaps.at(-1) ?? 0) > 2 * (gaps[0] ?? 0), `the gaps between refusals grow: ${gaps.map((g) => Math.round(g)).join(", ")} ms`);
  });
});
