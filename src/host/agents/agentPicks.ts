import { isFinal } from "../../core/agents/status";
import { MAX_TIMEOUT_SECONDS } from "../../core/common/timeLimits";
import type { AgentSnapshot } from "../../core/protocol/agentSnapshot";

/** Codicon per status, shared by quick picks and the status bar tooltip. */
export const STATUS_ICONS: Readonly<Record<AgentSnapshot["status"], string>> = {
  pending_init: "$(loading~spin)",
  queued: "$(clock)",
  running: "$(sync~spin)",
  waiting: "$(watch)",
  completed: "$(pass)",
  failed: "$(error)",
  timed_out: "$(history)",
  interrupted: "$(debug-stop)",
};

export function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** Depth-first tree order: each root followed by its descendants, siblings by creation time. */
export function treeOrder(agents: readonly AgentSnapshot[]): AgentSnapshot[] {
  const children = new Map<string | null, AgentSnapshot[]>();
  const ids = new Set(agents.map((a) => a.id));
  for (const agent of agents) {
    const parent = agent.parentId !== null && ids.has(agent.parentId) ? agent.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(agent);
    children.set(parent, list);
  }
  const out: AgentSnapshot[] = [];
  const visit = (parent: string | null) => {
    for (const agent of (children.get(parent) ?? []).sort((a, b) => a.createdAt - b.createdAt)) {
      out.push(agent);
      visit(agent.id);
    }
  };
  visit(null);
  return out;
}

export interface AgentPickItem {
  label: string;
  description: string;
  detail: string;
  agentId: string;
}

/** Quick pick rows over the live tree; `which` narrows to agents the command can act on. */
export function agentPickItems(agents: readonly AgentSnapshot[], which: "live" | "all"): AgentPickItem[] {
  return treeOrder(agents)
    .filter((a) => which === "all" || !isFinal(a.status))
    .map((a) => ({
      label: `${"\u2003".repeat(Math.min(a.depth, 6))}${STATUS_ICONS[a.status]} ${a.name}`,
      description: [a.status.replace("_", " "), formatElapsed(a.elapsedMs), a.currentTool ? `in ${a.currentTool}` : ""]
        .filter((p) => p !== "")
        .join(" · "),
      detail: firstLine(a.task, 120),
      agentId: a.id,
    }));
}

function firstLine(text: string, max: number): string {
  const line = text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export type TimeoutChange =
  | { kind: "set"; seconds: number }
  | { kind: "extend"; seconds: number }
  | { kind: "remove" };

/**
 * Reads the "Set Agent Timeout" input: `600` sets the limit to 600 s from
 * now, `+300` extends it, `10m` is ten minutes, `0`/`none` removes it
 * (foreground agents only: a background agent nobody waits for must not run
 * forever). Only whole numbers are read, so what passes here is what the
 * supervisor accepts. Returns a message for the input box when the text is not valid.
 */
export function parseTimeoutInput(text: string, removable: boolean): TimeoutChange | string {
  const value = text.trim().toLowerCase();
  if (value === "0" || value === "none" || value === "off") {
    return removable
      ? { kind: "remove" }
      : `A background agent always has a time limit: enter 1–${MAX_TIMEOUT_SECONDS} seconds, or +N to extend.`;
  }
  const match = /^(\+)?\s*(\d+)\s*(s|m|min)?$/.exec(value);
  if (!match) return "Enter seconds (for example 600), +N to extend, or 0 to remove the limit.";
  const seconds = Number(match[2]) * (match[3] === "m" || match[3] === "min" ? 60 : 1);
  if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) return `The limit must be between 1 and ${MAX_TIMEOUT_SECONDS} seconds.`;
  return match[1] ? { kind: "extend", seconds } : { kind: "set", seconds };
}

/** The current limit as the input box explains it. */
export function describeTimeout(agent: AgentSnapshot, now: number): string {
  if (agent.timeoutAt === undefined) return "no time limit";
  const left = agent.timeoutPausedLeftMs ?? Math.max(0, agent.timeoutAt - now);
  return `${formatElapsed(left)} left`;
}
