import type { ChatMessage, ToolSpec } from "../llm/modelClient";
import {
  applyCompaction,
  fallbackSummary,
  oldToolResults,
  RECENT_MESSAGES_KEPT_WHOLE,
  summaryRequest,
  summarySplit,
  type CompactionMarker,
} from "./compaction";
import type { ContextMeter } from "./contextMeter";

/** A compaction to apply; the conversation stamps its time when it records it. */
export type PlannedCompaction = Omit<CompactionMarker, "at">;

/** After shortening tool results, a conversation under this share of the window needs no summary. */
const SHORTENED_ENOUGH_SHARE = 0.6;
/** The latest turns kept whole after a summary, as a share of the window. */
const KEPT_AFTER_SUMMARY_SHARE = 0.25;
/** The older turns sent to the summary request, as a share of the window. */
const SUMMARY_INPUT_SHARE = 0.5;

export interface CompactionInput {
  messages: readonly ChatMessage[];
  specs: readonly ToolSpec[];
  meter: ContextMeter;
  /** The round this compaction would be (the agent's compactions so far + 1). */
  round: number;
  /** The provider refused the request as too long: compact whatever the count says. */
  force: boolean;
  /** Asks the model for the summary (no tools); undefined when it could not. */
  summarize(request: ChatMessage[]): Promise<string | undefined>;
}

/**
 * Decides whether and how to compact before a request: first old tool
 * results are shortened (cheap, no model call); when that is not enough,
 * the older turns are replaced by a summary the model writes. Returns the
 * marker to apply and record, or undefined when the request fits.
 */
export async function planCompaction(input: CompactionInput): Promise<PlannedCompaction | undefined> {
  const { meter, specs, force } = input;
  const current = meter.request(input.messages, specs);
  if (!force && current <= meter.compactAt) return undefined;
  // A refusal means the real window is smaller than assumed: size the cut by what was sent, not by the window.
  const basis = force ? Math.min(meter.window, current) : meter.window;

  const marker: PlannedCompaction = {
    type: "compaction",
    round: input.round,
    shortenedCallIds: oldToolResults(input.messages, force ? 2 : RECENT_MESSAGES_KEPT_WHOLE),
  };
  const shortened = applyCompaction(input.messages, marker);
  if (!force && meter.request(shortened, specs) <= basis * SHORTENED_ENOUGH_SHARE) {
    return marker.shortenedCallIds.length > 0 ? marker : undefined;
  }

  const keepShare = force ? KEPT_AFTER_SUMMARY_SHARE / 2 : KEPT_AFTER_SUMMARY_SHARE;
  const split = summarySplit(shortened, meter, Math.floor(basis * keepShare));
  if (!split) return marker.shortenedCallIds.length > 0 ? marker : undefined;
  const inputTokens = Math.floor(basis * SUMMARY_INPUT_SHARE);
  // The estimate's characters per token is a floor for real text, so this many characters fit; re-checked below.
  let maxChars = inputTokens * 3;
  let request = summaryRequest(shortened, split.lead, split.tailStart, maxChars);
  for (let tries = 0; tries < 4 && meter.messages(request) > inputTokens; tries++) {
    maxChars = Math.floor(maxChars / 2);
    request = summaryRequest(shortened, split.lead, split.tailStart, maxChars);
  }
  const written = (await input.summarize(request))?.trim();
  marker.summary = written ? written : fallbackSummary(shortened.slice(split.lead, split.tailStart));
  marker.keptMessages = shortened.length - split.tailStart;
  return marker;
}
