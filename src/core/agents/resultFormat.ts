import type { AgentSnapshot } from "../protocol/agentSnapshot";

/** The most text kept in memory for one agent's result or partial output. */
export const MAX_STORED_RESULT_CHARS = 100_000;

export interface Truncated {
  text: string;
  cut: number;
  total: number;
}

/** Keeps the beginning: a final answer states its conclusion first. */
export function truncateHead(text: string, max: number): Truncated {
  if (text.length <= max) return { text, cut: 0, total: text.length };
  return { text: text.slice(0, max), cut: text.length - max, total: text.length };
}

/** Keeps the end: of partial output, the latest work is what a parent can use. */
export function truncateTail(text: string, max: number): Truncated {
  if (text.length <= max) return { text, cut: 0, total: text.length };
  return { text: text.slice(text.length - max), cut: text.length - max, total: text.length };
}

/**
 * Accumulates the text an agent produced during a run, bounded, so that a
 * timeout or interrupt can still hand the parent what was done so far.
 */
export class PartialOutput {
  private text = "";
  private streaming = "";

  constructor(private readonly limit: number = MAX_STORED_RESULT_CHARS) {}

  /** Text of a finished assistant message. */
  appendMessage(content: string): void {
    if (content.trim() === "") return;
    this.append(this.text === "" ? content : `\n\n${content}`);
  }

  /** Streaming text of the current turn; dropped when the turn completes, as it comes back as a message. */
  appendDelta(delta: string): void {
    this.streaming += delta;
    if (this.streaming.length > this.limit) this.streaming = this.streaming.slice(-this.limit);
  }

  endTurn(): void {
    this.streaming = "";
  }

  value(): string {
    if (this.streaming === "") return this.text;
    return this.text === "" ? this.streaming : `${this.text}\n\n${this.streaming}`;
  }

  private append(piece: string): void {
    this.text += piece;
    if (this.text.length > this.limit) this.text = this.text.slice(-this.limit);
  }
}

function formatNumber(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/**
 * What a parent agent receives about a child: status, elapsed
 * time, tokens and the result — truncated to `maxChars` on success and to
 * `maxPartialChars` of partial output otherwise, with a note of what was cut.
 */
export function formatAgentReport(
  agent: AgentSnapshot,
  limits: { maxChars: number; maxPartialChars: number },
): Record<string, unknown> {
  const report: Record<string, unknown> = {
    agent_id: agent.id,
    name: agent.name,
    status: agent.status,
  };
  // A completion's reason is news only when it was not an ordinary one (e.g. the turn budget ran out).
  if (agent.statusReason !== undefined && (agent.status !== "completed" || agent.statusReason !== "finished")) {
    report.reason = agent.statusReason;
  }
  report.elapsed_seconds = Math.round(agent.elapsedMs / 100) / 10;
  report.tokens = { in: agent.subtreeTokensIn, out: agent.subtreeTokensOut };
  if (agent.status === "completed") {
    const t = truncateHead(agent.result ?? "", limits.maxChars);
    report.result = t.text;
    if (t.cut > 0) {
      report.note = `result truncated: showing the first ${formatNumber(limits.maxChars)} of ${formatNumber(t.total)} characters (${formatNumber(t.cut)} cut)`;
    }
  } else if (agent.status === "failed" || agent.status === "timed_out" || agent.status === "interrupted") {
    if (agent.error !== undefined) report.error = agent.error;
    const t = truncateTail(agent.result ?? "", limits.maxPartialChars);
    if (t.total > 0) {
      report.partial_output = t.text;
      if (t.cut > 0) {
        report.note = `partial output truncated: showing the last ${formatNumber(limits.maxPartialChars)} of ${formatNumber(t.total)} characters (${formatNumber(t.cut)} cut)`;
      }
    }
  } else {
    report.note = "still running";
  }
  return report;
}

export function reportText(report: Record<string, unknown> | Array<Record<string, unknown>>): string {
  return JSON.stringify(report, null, 2);
}
