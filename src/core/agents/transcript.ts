import type { CompactionMarker } from "../context/compaction";
import type { ReplayState } from "../llm/modelClient";
import type { AgentStatus } from "./status";

/** One line of an agent's append-only transcript (JSONL on disk in the host). */
export type TranscriptEvent =
  | { type: "spawned"; at: number; name: string; task: string; parentId: string | null; model: string; role: string }
  /**
   * `replay` (assistant turns only): the provider state the next request must
   * carry, such as encrypted reasoning items, so a conversation rebuilt from
   * the transcript after a reload continues with its reasoning.
   */
  | { type: "message"; at: number; role: "system" | "user" | "assistant"; content: string; replay?: ReplayState }
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
