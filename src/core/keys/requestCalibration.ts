import type { RequestCost, TokenUsage } from "./keyLease";
import type { DimensionCosts } from "./keyLimits";

/** Weight of the newest answer in the running averages. */
const SMOOTHING = 0.2;

/**
 * Turns a caller's token estimate into what the provider will count, learned
 * from the usage its answers report: the ratio of counted to estimated input
 * tokens (an estimate by length is off by a steady factor for a given
 * provider and language) and the usual output of a reply, which no one can
 * know before sending.
 */
export class RequestCalibration {
  private inputRatio = 1;
  private outputTokens = 0;

  costs(cost: RequestCost): DimensionCosts {
    const input = Math.ceil(cost.inputTokens * this.inputRatio);
    const output = Math.ceil(cost.outputTokens ?? this.outputTokens);
    return { requests: 1, tokens: input + output, inputTokens: input, outputTokens: output };
  }

  learn(estimate: RequestCost, usage: TokenUsage): void {
    if (estimate.inputTokens > 0 && usage.inputTokens > 0) {
      const ratio = usage.inputTokens / estimate.inputTokens;
      // Never below 1 in effect: under-estimating is what gets a request refused.
      this.inputRatio = Math.max(1, this.inputRatio + SMOOTHING * (ratio - this.inputRatio));
    }
    this.outputTokens += SMOOTHING * (usage.outputTokens - this.outputTokens);
  }
}
