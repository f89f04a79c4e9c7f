import type { CompactionMarker } from "../context/compaction";
import type { AgentStatus } from "./status";

/** One line of an agent's append-only transcript (JSONL on disk in the host). */
export type TranscriptEvent =
  | { type: "spawned"; at: number; name: string; task: string; parentId: string | null; model: string; role: string }
  | { type: "message"; at: number; role: "system" | "user" | "assistant"; content: string }
  | { type: "tool_call"; at: number; callId: string; name: string; arguments: string }
  | { type: "tool_result"; at: number; callId: string; name: string; ok: boolean; content: string }
  | { type: "status"; at: number; status: AgentStatus; reason?: string }
  | { type: "usage"; at: number; promptTokens: number; completionTokens: number; keyFingerprint: string; cachedTokens?: number }
  /** The conversation was compacted from here on; the messages before stay in the transcript. */
  | CompactionMarker;

/** Append-only transcript storage; the host writes JSONL under workspace storage. */
export interface TranscriptStore {
  append(agentId: string, event: TranscriptEvent): void;
  read(agentId: string): Promise<TranscriptEvent[]>;
}
