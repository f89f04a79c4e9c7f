import { readdir, readFile } from "node:fs/promises";
import * as nodePath from "node:path";
import type { TranscriptEvent } from "../../core/agents/transcript";
import { agentSnapshotSchema, type AgentSnapshot } from "../../core/protocol/agentSnapshot";

const FINAL = new Set(["completed", "failed", "timed_out", "interrupted"]);
const ROLES = new Set(["root", "orchestrator", "leaf"]);
export const REBUILT_REASON = "rebuilt from its transcript";

/**
 * The agent tree as far as the transcripts on disk allow: id (the file
 * name), name, task, parent, model, tokens, and the final status, or
 * `interrupted` when the transcript ends without one. Used when the index is
 * lost, so that nothing is pruned for want of an index entry.
 */
export async function rebuildTreeFromTranscripts(directory: string, now: number): Promise<AgentSnapshot[]> {
  const names = (await readdir(directory).catch(() => [] as string[])).filter((n) => n.endsWith(".jsonl")).sort();
  const agents = new Map<string, AgentSnapshot>();
  for (const name of names) {
    const text = await readFile(nodePath.join(directory, name), "utf8").catch(() => "");
    const id = name.slice(0, -".jsonl".length);
    const snapshot = snapshotFromTranscript(id, parseTranscript(text), now);
    if (snapshot) agents.set(id, snapshot);
  }
  return linkParents([...agents.values()]);
}

/** Lines that are not a JSON event are skipped, one by one. */
export function parseTranscript(text: string): TranscriptEvent[] {
  const events: TranscriptEvent[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string") events.push(value as TranscriptEvent);
    } catch {
      // a damaged line damages only itself
    }
  }
  return events;
}

export function snapshotFromTranscript(id: string, events: readonly TranscriptEvent[], now: number): AgentSnapshot | undefined {
  if (events.length === 0) return undefined;
  const spawned = events.find((e): e is Extract<TranscriptEvent, { type: "spawned" }> => e.type === "spawned");
  const statuses = events.filter((e): e is Extract<TranscriptEvent, { type: "status" }> => e.type === "status");
  const last = statuses.at(-1);
  const final = last && FINAL.has(last.status) ? last : undefined;
  const atOf = (e: TranscriptEvent) => (typeof e.at === "number" && Number.isFinite(e.at) ? e.at : now);
  const createdAt = spawned ? atOf(spawned) : atOf(events[0] as TranscriptEvent);
  const endedAt = final ? atOf(final) : atOf(events.at(-1) as TranscriptEvent);
  let tokensIn = 0;
  let cachedTokensIn = 0;
  let tokensOut = 0;
  let toolCount = 0;
  let answer: string | undefined;
  for (const e of events) {
    if (e.type === "usage") {
      tokensIn += Number(e.promptTokens) || 0;
      cachedTokensIn += Number(e.cachedTokens) || 0;
      tokensOut += Number(e.completionTokens) || 0;
    }
    if (e.type === "tool_call") toolCount++;
    if (e.type === "message" && e.role === "assistant" && typeof e.content === "string" && e.content.trim() !== "") answer = e.content;
  }
  const modelRef = typeof spawned?.model === "string" ? spawned.model : "";
  const at = modelRef.indexOf(":");
  const status = final ? final.status : "interrupted";
  const reason = final ? (final.reason ?? REBUILT_REASON) : `${REBUILT_REASON}; it ended without a final status`;
  const candidate: AgentSnapshot = {
    id,
    name: typeof spawned?.name === "string" && spawned.name !== "" ? spawned.name : id,
    parentId: typeof spawned?.parentId === "string" ? spawned.parentId : null,
    rootId: id,
    depth: 0,
    role: spawned && ROLES.has(spawned.role) ? (spawned.role as AgentSnapshot["role"]) : "leaf",
    task: typeof spawned?.task === "string" ? spawned.task : "(task unknown: rebuilt from an incomplete transcript)",
    providerId: at > 0 ? modelRef.slice(0, at) : "",
    model: at > 0 ? modelRef.slice(at + 1) : modelRef,
    status,
    statusReason: reason,
    background: false,
    createdAt,
    endedAt,
    elapsedMs: Math.max(0, endedAt - createdAt),
    tokensIn,
    tokensOut,
    subtreeTokensIn: tokensIn,
    subtreeTokensOut: tokensOut,
    ...(cachedTokensIn > 0 ? { cachedTokensIn, subtreeCachedTokensIn: cachedTokensIn } : {}),
    toolCount,
    lastEvent: reason,
    timeoutRemovable: false,
    stale: false,
    ...(status === "completed" && answer !== undefined ? { result: answer } : {}),
    ...(status !== "completed" ? { error: reason } : {}),
  };
  const parsed = agentSnapshotSchema.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}

/** Parents that did not survive make their children roots; depth and rootId follow the links that remain. */
function linkParents(agents: AgentSnapshot[]): AgentSnapshot[] {
  const byId = new Map(agents.map((a) => [a.id, a]));
  for (const agent of agents) if (agent.parentId !== null && !byId.has(agent.parentId)) agent.parentId = null;
  const place = (agent: AgentSnapshot, seen: Set<string>): { rootId: string; depth: number } => {
    if (agent.parentId === null || seen.has(agent.id)) return { rootId: agent.id, depth: 0 };
    seen.add(agent.id);
    const parent = byId.get(agent.parentId) as AgentSnapshot;
    const up = place(parent, seen);
    return { rootId: up.rootId, depth: up.depth + 1 };
  };
  for (const agent of agents) {
    const { rootId, depth } = place(agent, new Set());
    agent.rootId = rootId;
    agent.depth = rootId === agent.id ? 0 : depth;
    if (agent.depth === 0) {
      agent.parentId = null;
      agent.role = "root";
    }
  }
  return agents.sort((a, b) => a.depth - b.depth || a.createdAt - b.createdAt);
}
