import type { TranscriptEvent } from "../../core/agents/transcript";
import type { AgentSnapshot } from "../../core/protocol/agentSnapshot";

const MAX_TOOL_TEXT = 4000;
const MAX_SYSTEM_TEXT = 2000;

/** A fence longer than any backtick run in the text, so content can never close it. */
export function fence(text: string, info = ""): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  return `${ticks}${info}\n${text}\n${ticks}`;
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n… [${text.length - max} more characters not shown]`;
}

function time(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function header(agent: AgentSnapshot | undefined, agentId: string): string[] {
  if (!agent) return [`# Transcript of ${agentId}`, "", "_This agent is no longer in the tree; the transcript below is what was saved._", ""];
  const status = agent.statusReason ? `${agent.status} (${agent.statusReason})` : agent.status;
  const rows: Array<[string, string]> = [
    ["Agent", `\`${agent.id}\` (${agent.role}${agent.background ? ", background" : ""})`],
    ["Status", status],
    ["Model", `${agent.providerId}:${agent.model}`],
    ["Elapsed", seconds(agent.elapsedMs)],
    ["Tokens", `${agent.tokensIn} in / ${agent.tokensOut} out (subtree ${agent.subtreeTokensIn} / ${agent.subtreeTokensOut})`],
    ["Tool calls", String(agent.toolCount)],
  ];
  if (agent.parentId) rows.splice(1, 0, ["Parent", `\`${agent.parentId}\``]);
  return [
    `# ${agent.name}`,
    "",
    "| | |",
    "|---|---|",
    ...rows.map(([k, v]) => `| ${k} | ${v.replace(/\|/g, "\\|")} |`),
    "",
  ];
}

/** The readable form of a transcript: one section per message, tool calls with their arguments and results. */
export function renderTranscriptMarkdown(agentId: string, agent: AgentSnapshot | undefined, events: readonly TranscriptEvent[]): string {
  const out = header(agent, agentId);
  if (events.length === 0) out.push("_No transcript lines yet._", "");
  for (const event of events) {
    switch (event.type) {
      case "spawned":
        out.push(`## Task`, "", `_${time(event.at)} · spawned as ${event.role} on ${event.model}_`, "", event.task, "");
        break;
      case "message":
        out.push(`### ${event.role} · ${time(event.at)}`, "");
        out.push(event.role === "system" ? fence(clip(event.content, MAX_SYSTEM_TEXT)) : event.content || "_(empty)_", "");
        break;
      case "tool_call":
        out.push(`#### → \`${event.name}\` · ${time(event.at)}`, "", fence(clip(prettyJson(event.arguments), MAX_TOOL_TEXT), "json"), "");
        break;
      case "tool_result":
        out.push(`#### ${event.ok ? "✓" : "✗"} \`${event.name}\` result`, "", fence(clip(event.content, MAX_TOOL_TEXT)), "");
        break;
      case "status":
        out.push(`_${time(event.at)} · status **${event.status}**${event.reason ? ` — ${event.reason}` : ""}_`, "");
        break;
      case "usage":
        out.push(
          `_${time(event.at)} · ${event.promptTokens} prompt${event.cachedTokens ? ` (${event.cachedTokens} cached)` : ""} + ${event.completionTokens} completion tokens (key ${event.keyFingerprint})_`,
          "",
        );
        break;
      case "compaction": {
        const what = [
          event.shortenedCallIds.length > 0 ? `${event.shortenedCallIds.length} old tool result(s) shortened` : "",
          event.summary !== undefined ? `older turns replaced by a summary (${event.keptMessages ?? 0} latest messages kept)` : "",
        ].filter(Boolean).join("; ");
        out.push(`## Compacted (×${event.round}) · ${time(event.at)}`, "", `_${what}. The messages above stay here in full._`, "");
        if (event.summary !== undefined) out.push(event.summary, "");
        break;
      }
    }
  }
  if (agent?.result) out.push("## Result", "", agent.result, "");
  if (agent?.error) out.push("## Error", "", fence(agent.error), "");
  return out.join("\n");
}

/** The document opened when a root ends: its answer, or what went wrong, with the numbers. */
export function renderResultMarkdown(agentId: string, agent: AgentSnapshot | undefined): string {
  if (!agent) return `# ${agentId}\n\n_This agent is no longer in the tree._\n`;
  const status = agent.statusReason ? `${agent.status} (${agent.statusReason})` : agent.status;
  const facts = `_${status} · ${seconds(agent.elapsedMs)} · ${agent.subtreeTokensIn} in / ${agent.subtreeTokensOut} out tokens (with subagents) · ${agent.providerId}:${agent.model}_`;
  const body = agent.result?.trim()
    ? agent.result
    : agent.error
      ? `The agent ended without an answer:\n\n${fence(agent.error)}`
      : "_The agent ended without an answer._";
  return [`# ${agent.name}`, "", facts, "", body, "", "---", "", "## Task", "", agent.task, ""].join("\n");
}
