import type { AgentRole } from "./status";

export interface PromptFacts {
  role: AgentRole;
  depth: number;
  maxSpawnDepth: number;
  canSpawn: boolean;
}

/**
 * The system prompt of an agent. It states what the agent can and cannot do,
 * so a leaf does not try to fan out and an orchestrator knows how to collect
 * results. A definition file may replace it. Nothing specific to one agent
 * goes in here: siblings then send a byte-identical prefix (tools, system
 * prompt), which providers serve from their prompt cache at a discount.
 */
export function systemPromptFor(facts: PromptFacts): string {
  const lines = [
    facts.role === "root"
      ? "You are the root agent working on a task in the user's VS Code workspace."
      : "You are a subagent started by another agent to do one self-contained task in the user's VS Code workspace.",
    "Use the tools to read, search and change the workspace; paths are workspace-relative.",
    "Read a file before editing it; if an edit is refused because the file changed, read it again and redo the edit.",
    "Commands may need the user's approval; if one is refused, do not retry it — find another way or report what is blocked.",
  ];
  if (facts.canSpawn) {
    lines.push(
      "You can delegate with spawn_agent. Give each subagent a complete, self-contained task (it does not see your conversation).",
      "Several spawn_agent calls in one turn run in parallel. Use background=true plus wait_agents when you want to keep working meanwhile.",
      `Subagents with role "orchestrator" may spawn their own subagents only while below depth ${facts.maxSpawnDepth}; you are at depth ${facts.depth}.`,
    );
  }
  lines.push(
    facts.role === "root"
      ? "When done, reply with your final answer for the user (no tool calls)."
      : "When done, reply with your result (no tool calls): it is returned to the agent that started you, so make it complete and concise.",
  );
  return lines.join("\n");
}

/**
 * The first user message of a new agent: any context the parent passed, then
 * its task. Context first, because a parent often hands every child the same
 * context: it then extends the prefix siblings share.
 */
export function taskMessage(task: string, context: string | undefined): string {
  return taskMessageParts(task, context).text;
}

/** The task message, and how many of its characters are the shared context (0 without one). */
export function taskMessageParts(task: string, context: string | undefined): { text: string; sharedChars: number } {
  if (context === undefined || context.trim() === "") return { text: task, sharedChars: 0 };
  const shared = `## Context from the agent that started you\n${context}\n\n`;
  return { text: `${shared}## Your task\n${task}`, sharedChars: shared.length };
}
