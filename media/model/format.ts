import type { AgentStatus } from "../../src/core/agents/status";
import { isTimeoutSeconds, MAX_TIMEOUT_SECONDS } from "../../src/core/common/timeLimits";

/** How each status looks: an icon (codicon), a theme colour, and a word that works without colour. */
export interface StatusLook {
  readonly label: string;
  readonly icon: string;
  /** Only running agents animate. */
  readonly spin: boolean;
}

export const STATUS_LOOK: Readonly<Record<AgentStatus, StatusLook>> = {
  pending_init: { label: "Starting", icon: "circle-large-outline", spin: false },
  queued: { label: "Queued", icon: "clock", spin: false },
  running: { label: "Running", icon: "loading", spin: true },
  waiting: { label: "Waiting", icon: "debug-pause", spin: false },
  completed: { label: "Completed", icon: "pass", spin: false },
  failed: { label: "Failed", icon: "error", spin: false },
  timed_out: { label: "Timed out", icon: "watch", spin: false },
  interrupted: { label: "Interrupted", icon: "circle-slash", spin: false },
};

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** `42s`, `3m 07s`, `1h 05m`: short enough for a sidebar row, exact enough to see it move. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours > 0) return `${hours}h ${pad2(minutes)}m`;
  if (minutes > 0) return `${minutes}m ${pad2(seconds)}s`;
  return `${seconds}s`;
}

/** Time left before a timeout fires; `0s` once it is due. */
export function formatRemaining(ms: number): string {
  return formatElapsed(Math.max(0, ms) + 999);
}

/** `950`, `1.2k`, `34k`, `1.5M`. */
export function formatTokens(n: number): string {
  const value = Math.max(0, Math.round(n));
  if (value < 1000) return String(value);
  if (value < 10_000) return `${(value / 1000).toFixed(1).replace(/\.0$/, "")}k`;
  if (value < 1_000_000) return `${Math.round(value / 1000)}k`;
  if (value < 10_000_000) return `${(value / 1_000_000).toFixed(1).replace(/\.0$/, "")}M`;
  return `${Math.round(value / 1_000_000)}M`;
}

/** `↑1.2k ↓300` in the row; spelled out for screen readers. */
export function formatTokenPair(tokensIn: number, tokensOut: number): { text: string; spoken: string } {
  return {
    text: `↑${formatTokens(tokensIn)} ↓${formatTokens(tokensOut)}`,
    spoken: `${tokensIn} tokens in, ${tokensOut} tokens out`,
  };
}

/**
 * US dollars at a precision that suits the amount: `$0.0123` below a dollar,
 * `$12.35` below a thousand, `$1,234` above; `<$0.0001` for a cost too small
 * to show (but not nothing).
 */
export function formatCost(usd: number): string {
  const value = Number.isFinite(usd) ? Math.max(0, usd) : 0;
  if (value === 0) return "$0.00";
  if (value < 0.0001) return "<$0.0001";
  if (value < 1) return `$${value.toFixed(4)}`;
  if (value < 1000) return `$${value.toFixed(2)}`;
  return `$${Math.round(value).toLocaleString("en-US")}`;
}

/**
 * The detail pane's cost line, `$0.0123 (subtree $0.0456)`, or undefined when
 * no price applies. The subtree part shows only when it differs from the own cost.
 */
export function formatCostLine(costUsd: number | undefined, subtreeCostUsd: number | undefined): string | undefined {
  if (costUsd === undefined && subtreeCostUsd === undefined) return undefined;
  const own = costUsd === undefined ? "no price" : formatCost(costUsd);
  if (subtreeCostUsd === undefined || subtreeCostUsd === costUsd) return own;
  return `${own} (subtree ${formatCost(subtreeCostUsd)})`;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/**
 * Parses what a user types as a timeout: `90`, `90s`, `10m`, `1h`, `1h 30m`,
 * `2m30s`. Returns whole seconds, or undefined if it is not a positive duration.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return seconds > 0 ? seconds : undefined;
  }
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)\s*([hms])/g)];
  const rest = trimmed.replace(/(\d+(?:\.\d+)?)\s*([hms])/g, "").trim();
  if (parts.length === 0 || rest !== "") return undefined;
  let seconds = 0;
  for (const [, amount, unit] of parts) seconds += Number(amount) * (UNIT_SECONDS[unit ?? "s"] ?? 1);
  const rounded = Math.round(seconds);
  return rounded > 0 ? rounded : undefined;
}

/**
 * What the view's "Set timeout" prompt accepts: a duration that rounds to
 * whole seconds from 1 to MAX_TIMEOUT_SECONDS, the same range the supervisor
 * checks, so the view never sends a value the host would refuse. `0.4s`
 * rounds to 0 and is refused rather than read as "no limit".
 */
export function parseTimeoutAnswer(text: string): { seconds: number } | { error: string } {
  const seconds = parseDuration(text);
  if (seconds !== undefined && isTimeoutSeconds(seconds)) return { seconds };
  return { error: `Type a duration from 1s to ${formatDurationWords(MAX_TIMEOUT_SECONDS)}, such as 90s, 10m or 1h.` };
}

/** `1 hour`, `90 minutes`, `45 seconds`: a bound as a person says it. */
function formatDurationWords(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? "1 hour" : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}
