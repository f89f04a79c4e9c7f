import type { Clock } from "../common/clock";
import type { ChatMessage, ReplayState, ToolCall } from "../llm/modelClient";
import { applyCompaction, type CompactionMarker } from "../context/compaction";
import type { TranscriptEvent, TranscriptStore } from "./transcript";

/** Tool result the model sees for a call whose result was lost (the window closed mid-tool). */
export const LOST_TOOL_RESULT = "This tool call did not finish: the agent was stopped before it returned.";

/**
 * The messages of one agent, written through to its transcript as they are
 * added, so the transcript alone can rebuild the conversation after a window
 * reload (and after the in-memory copy of a finished agent was dropped).
 */
export class Conversation {
  private list: ChatMessage[];
  private compactionRounds: number;

  constructor(
    private readonly agentId: string,
    private readonly transcripts: TranscriptStore,
    private readonly clock: Clock,
    restored: { messages: ChatMessage[]; compactions: number } = { messages: [], compactions: 0 },
  ) {
    this.list = restored.messages;
    this.compactionRounds = restored.compactions;
  }

  /** How often this conversation was compacted (over all runs). */
  get compactions(): number {
    return this.compactionRounds;
  }

  /** Replaces the messages as the marker says, and records the marker (the transcript keeps every earlier message). */
  compact(marker: Omit<CompactionMarker, "at">): void {
    this.list = applyCompaction(this.list, marker);
    this.compactionRounds = marker.round;
    this.record({ ...marker, at: this.clock.now() });
  }

  get messages(): readonly ChatMessage[] {
    return this.list;
  }

  get length(): number {
    return this.list.length;
  }

  system(content: string): void {
    this.list.push({ role: "system", content });
    this.record({ type: "message", at: this.clock.now(), role: "system", content });
  }

  /** `sharedChars`: how much of the content siblings share (kept in memory only, for prompt caches). */
  user(content: string, sharedChars = 0): void {
    this.list.push({ role: "user", content, ...(sharedChars > 0 ? { sharedChars } : {}) });
    this.record({ type: "message", at: this.clock.now(), role: "user", content });
  }

  /**
   * `replay`: provider state the next request must carry (encrypted
   * reasoning); recorded with the turn, so a resumed agent keeps it.
   */
  assistant(content: string, toolCalls: readonly ToolCall[], replay?: ReplayState): void {
    const at = this.clock.now();
    const kept = replay ? { replay } : {};
    if (toolCalls.length === 0) {
      this.list.push({ role: "assistant", content, ...kept });
    } else {
      this.list.push({
        role: "assistant",
        content: content === "" ? null : content,
        tool_calls: toolCalls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })),
        ...kept,
      });
    }
    this.record({ type: "message", at, role: "assistant", content, ...kept });
    for (const call of toolCalls) {
      this.record({ type: "tool_call", at, callId: call.id, name: call.name, arguments: call.arguments });
    }
  }

  toolResult(callId: string, name: string, ok: boolean, content: string): void {
    this.list.push({ role: "tool", tool_call_id: callId, content });
    this.record({ type: "tool_result", at: this.clock.now(), callId, name, ok, content });
  }

  private record(event: TranscriptEvent): void {
    this.transcripts.append(this.agentId, event);
  }
}

/**
 * Rebuilds chat messages from transcript events. Tool calls that never got a
 * result (interrupted mid-tool, window reloaded) get a synthetic one, because
 * the API rejects an assistant tool call without its answer.
 */
export function messagesFromTranscript(events: readonly TranscriptEvent[]): ChatMessage[] {
  return conversationFromTranscript(events).messages;
}

/**
 * The conversation as the agent last had it: every message, with each
 * compaction marker applied where it was recorded, so a resumed agent
 * continues from the compacted conversation, not the full one.
 */
export function conversationFromTranscript(
  events: readonly TranscriptEvent[],
  options: { keepTrailingOpenCalls?: boolean } = {},
): { messages: ChatMessage[]; compactions: number; openCalls: ToolCall[] } {
  let out: ChatMessage[] = [];
  let compactions = 0;
  const calls = new Map<string, ToolCall>();
  let open: Array<{ id: string; answered: boolean }> = [];
  let lastAssistant: Extract<ChatMessage, { role: "assistant" }> | undefined;
  const closeOpenCalls = () => {
    for (const call of open) {
      if (!call.answered) out.push({ role: "tool", tool_call_id: call.id, content: LOST_TOOL_RESULT });
    }
    open = [];
  };
  for (const event of events) {
    switch (event.type) {
      case "message":
        closeOpenCalls();
        if (event.role === "assistant") {
          lastAssistant = { role: "assistant", content: event.content, ...(event.replay ? { replay: event.replay } : {}) };
          out.push(lastAssistant);
        } else {
          lastAssistant = undefined;
          out.push({ role: event.role, content: event.content });
        }
        break;
      case "tool_call":
        if (!lastAssistant) break;
        if (lastAssistant.content === "") lastAssistant.content = null;
        lastAssistant.tool_calls = [
          ...(lastAssistant.tool_calls ?? []),
          { id: event.callId, type: "function", function: { name: event.name, arguments: event.arguments } },
        ];
        open.push({ id: event.callId, answered: false });
        calls.set(event.callId, { id: event.callId, name: event.name, arguments: event.arguments });
        break;
      case "compaction":
        closeOpenCalls();
        out = applyCompaction(out, event);
        compactions = event.round;
        lastAssistant = undefined;
        break;
      case "tool_result": {
        const call = open.find((c) => c.id === event.callId && !c.answered);
        if (!call) break;
        call.answered = true;
        out.push({ role: "tool", tool_call_id: event.callId, content: event.content });
        break;
      }
      default:
        break;
    }
  }
  // The last turn's unanswered calls: left open for the caller to finish (after a reload), or answered as lost.
  const openCalls = options.keepTrailingOpenCalls
    ? open.filter((c) => !c.answered).flatMap((c) => calls.get(c.id) ?? [])
    : [];
  if (openCalls.length === 0) closeOpenCalls();
  else {
    // Answered ones of that turn keep their place; the open ones are answered by the resumed run, in call order.
    open = [];
  }
  return { messages: out, compactions, openCalls };
}
