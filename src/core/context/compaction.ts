import type { ChatMessage } from "../llm/modelClient";
import { headAndTail, STORED_OUTPUT_PREFIX } from "../agents/storedToolOutputs";
import { contentText, type ContextMeter } from "./contextMeter";

/**
 * What one compaction did, as the transcript records it. Applying the same
 * marker to the same messages gives the same result, so a resumed agent
 * rebuilds exactly the conversation the live one had (see applyCompaction).
 */
export interface CompactionMarker {
  type: "compaction";
  at: number;
  /** 1 for the agent's first compaction, and so on. */
  round: number;
  /** Tool results shortened to head and tail. */
  shortenedCallIds: string[];
  /** The model's summary that replaced the older turns; absent when only tool results were shortened. */
  summary?: string;
  /** Messages kept after the summary (the most recent ones). */
  keptMessages?: number;
}

/** Tool results longer than this are shortened when they are old. */
export const SHORTEN_TOOL_RESULTS_OVER = 1_500;
/** Characters of head and tail an old tool result keeps. */
const SHORTENED_KEEP = 700;
/** The latest messages whose tool results stay whole (the model is likely still using them). */
export const RECENT_MESSAGES_KEPT_WHOLE = 6;

const SHORTENED_NOTE = "[tool result shortened to save context";
const STORED_PATH = new RegExp(`${STORED_OUTPUT_PREFIX.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}[A-Za-z0-9_.-]+`);

export const SUMMARY_INSTRUCTION =
  "Your conversation is being compacted: the earlier turns below will be replaced by a summary that you write now. " +
  "Write it for yourself, to continue the task without them. Include: the files you read, changed or created (paths); " +
  "decisions made and why; what is done; open items and next steps; facts you will need again (names, numbers, errors). " +
  "Plain text, at most about 600 words. Do not call tools.";

/** An old tool result's head and tail, with a note of what was cut and how to read it again. */
export function shortenedForContext(content: string): string {
  const cut = headAndTail(content, SHORTENED_KEEP);
  const stored = STORED_PATH.exec(content)?.[0];
  const again = stored
    ? `The whole result stays readable with read_file on "${stored}".`
    : "Call the tool again (read_file takes start_line/end_line) to see it whole.";
  return `${cut.head}\n${SHORTENED_NOTE}: ${cut.cutChars.toLocaleString("en-US")} of ${content.length.toLocaleString("en-US")} characters cut. ${again}]\n${cut.tail}`;
}

/** Call ids of tool results outside the latest `keepRecent` messages that are long and not yet shortened. */
export function oldToolResults(messages: readonly ChatMessage[], keepRecent: number): string[] {
  const ids: string[] = [];
  const end = Math.max(0, messages.length - keepRecent);
  for (let i = 0; i < end; i++) {
    const m = messages[i];
    if (m?.role !== "tool") continue;
    const text = contentText(m.content);
    if (text.length > SHORTEN_TOOL_RESULTS_OVER && !text.includes(SHORTENED_NOTE)) ids.push(m.tool_call_id);
  }
  return ids;
}

/** The messages that lead the conversation and are never summarised: the system prompt and the task. */
export function leadingMessages(messages: readonly ChatMessage[]): number {
  const firstUser = messages.findIndex((m) => m.role === "user");
  return firstUser < 0 ? Math.min(1, messages.length) : firstUser + 1;
}

/**
 * Where to cut for a summary: the leading messages stay, then the older
 * turns (to summarise), then the latest messages within `keepTokens`. The
 * cut never separates tool results from the assistant message that asked
 * for them. undefined when there is nothing older to summarise.
 */
export function summarySplit(
  messages: readonly ChatMessage[],
  meter: ContextMeter,
  keepTokens: number,
): { lead: number; tailStart: number } | undefined {
  const lead = leadingMessages(messages);
  let tailStart = messages.length;
  let tokens = 0;
  while (tailStart > lead) {
    const cost = meter.message(messages[tailStart - 1] as ChatMessage);
    if (tokens + cost > keepTokens && tailStart < messages.length) break;
    tokens += cost;
    tailStart--;
  }
  while (tailStart < messages.length && messages[tailStart]?.role === "tool") tailStart++;
  while (tailStart > lead && messages[tailStart]?.role === "tool") tailStart--;
  if (tailStart >= messages.length) {
    // The last turn alone is over budget: keep at least that turn whole.
    tailStart = messages.length - 1;
    while (tailStart > lead && messages[tailStart]?.role === "tool") tailStart--;
  }
  return tailStart > lead ? { lead, tailStart } : undefined;
}

/** The older turns as plain text for the summary request, cut to about `maxChars` (head and tail kept). */
export function renderTurns(messages: readonly ChatMessage[], maxChars: number): string {
  const parts: string[] = [];
  for (const m of messages) {
    const text = contentText(m.content);
    if (m.role === "assistant") {
      if (text.trim() !== "") parts.push(`ASSISTANT: ${text}`);
      for (const call of m.tool_calls ?? []) {
        if (call.type === "function") parts.push(`TOOL CALL ${call.function.name} ${clip(call.function.arguments, 600)}`);
      }
    } else if (m.role === "tool") {
      parts.push(`TOOL RESULT: ${clip(text, 1_200)}`);
    } else {
      parts.push(`${m.role.toUpperCase()}: ${clip(text, 4_000)}`);
    }
  }
  return clip(parts.join("\n"), maxChars);
}

/** A request that asks the model for the summary: its own system prompt, then the instruction and the turns. */
export function summaryRequest(messages: readonly ChatMessage[], lead: number, tailStart: number, maxChars: number): ChatMessage[] {
  const system = messages[0]?.role === "system" ? [messages[0]] : [];
  const task = contentText(messages[lead - 1]?.content ?? "");
  const turns = renderTurns(messages.slice(lead, tailStart), maxChars);
  return [
    ...system,
    { role: "user", content: `${SUMMARY_INSTRUCTION}\n\n<task>\n${clip(task, 4_000)}\n</task>\n\n<earlier-turns>\n${turns}\n</earlier-turns>` },
  ];
}

/** What stands in for a summary when the model could not write one: the tool calls of the older turns. */
export function fallbackSummary(messages: readonly ChatMessage[]): string {
  const calls: string[] = [];
  for (const m of messages) {
    if (m.role !== "assistant") continue;
    for (const call of m.tool_calls ?? []) if (call.type === "function") calls.push(`- ${call.function.name} ${clip(call.function.arguments, 160)}`);
  }
  const listed = calls.length > 60 ? [...calls.slice(0, 20), `- … ${calls.length - 40} more …`, ...calls.slice(-20)] : calls;
  return ["(No summary could be written; these are the tool calls of the earlier turns.)", ...listed].join("\n");
}

/** The message that replaces the older turns. */
export function summaryMessage(summary: string, round: number): ChatMessage {
  return {
    role: "user",
    content:
      `[Conversation compacted (×${round}): earlier turns were replaced by this summary, which you wrote. ` +
      `The full record stays in the transcript; read files again if you need their exact content.]\n\n${summary}`,
  };
}

/**
 * The conversation after a compaction: listed tool results shortened, and
 * with a summary, the leading messages + summary + the kept latest messages.
 */
export function applyCompaction(messages: readonly ChatMessage[], marker: Omit<CompactionMarker, "at">): ChatMessage[] {
  const shorten = new Set(marker.shortenedCallIds);
  let next = messages.map((m) =>
    m.role === "tool" && shorten.has(m.tool_call_id) ? { ...m, content: shortenedForContext(contentText(m.content)) } : m,
  );
  if (marker.summary !== undefined && marker.keptMessages !== undefined) {
    const lead = leadingMessages(next);
    const kept = Math.min(marker.keptMessages, next.length - lead);
    next = [...next.slice(0, lead), summaryMessage(marker.summary, marker.round), ...next.slice(next.length - kept)];
  }
  return next;
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = headAndTail(text, max);
  return `${cut.head}\n[… ${cut.cutChars} characters cut …]\n${cut.tail}`;
}
