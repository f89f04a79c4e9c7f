import * as vscode from "vscode";
import type { UserControls } from "../../core/agents/userControls";
import { isFinal } from "../../core/agents/status";
import type { Logger } from "../../core/common/logger";
import type { AgentSnapshot } from "../../core/protocol/agentSnapshot";
import { vscodeLmRef } from "../../core/llm/vscodeLmRef";
import type { Settings } from "../../core/settings/schema";
import { COMMAND_IDS } from "../commandIds";
import { outcomeMessage } from "../agents/runTask";
import { cannotRunHere, abortSignalOf } from "./languageModelTools";
import { parseDelegatedTask, runDelegatedTask } from "./delegation";

export const CHAT_PARTICIPANT_ID = "subagents.chat";

export interface ChatParticipantDeps {
  supervisor: UserControls;
  settings: () => Settings;
  redact: (text: string) => string;
  logger: Logger;
}

/** The part of `vscode.ChatResponseStream` the handler writes to (tests pass a recording fake). */
export type ChatStream = Pick<vscode.ChatResponseStream, "progress" | "markdown">;

/** A markdown line about an agent: its name as plain text and a trusted link to its transcript only. */
function agentLine(agent: AgentSnapshot, what: string, redact: (text: string) => string): vscode.MarkdownString {
  const line = new vscode.MarkdownString("", true);
  line.isTrusted = { enabledCommands: [COMMAND_IDS.openTranscript] };
  line.appendMarkdown("- ");
  line.appendText(`${redact(agent.name)} ${what}`);
  line.appendMarkdown(` ([transcript](command:${COMMAND_IDS.openTranscript}?${encodeURIComponent(JSON.stringify([agent.id]))}))\n`);
  return line;
}

/** The request's part the handler reads; `model` is the one chosen in the Chat view, when VS Code says. */
export type ChatRequestInput = Pick<vscode.ChatRequest, "prompt"> & { model?: Pick<vscode.LanguageModelChat, "vendor" | "family" | "id"> };

/**
 * `@subagents <task>`: the task runs as a root agent on the model chosen in
 * the Chat view (as a `vscode-lm:` ref), else on the configured model;
 * the chat shows each subagent as it starts and ends, then the answer.
 * Cancelling the chat request interrupts the root and its subtree.
 */
export function chatRequestHandler(deps: ChatParticipantDeps) {
  return async (request: ChatRequestInput, _context: unknown, stream: ChatStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> => {
    const refusal = cannotRunHere();
    if (refusal) {
      stream.markdown(refusal);
      return { errorDetails: { message: refusal } };
    }
    const parsed = parseDelegatedTask({ task: request.prompt }, deps.settings());
    if ("problem" in parsed) {
      stream.markdown(`Subagents: ${parsed.problem}`);
      return { errorDetails: { message: parsed.problem } };
    }
    // The user picked the chat's model themselves, so it needs no configured provider.
    if (request.model) parsed.modelRef = vscodeLmRef(request.model);
    stream.progress(`Starting a root agent on ${parsed.modelRef}…`);
    let rootId: string | undefined;
    const announced = new Map<string, "started" | "finished">();
    const follow = () => {
      if (!rootId) return;
      for (const agent of deps.supervisor.snapshot()) {
        if (agent.rootId !== rootId || agent.id === rootId) continue;
        const seen = announced.get(agent.id);
        if (seen === undefined) {
          announced.set(agent.id, "started");
          stream.markdown(agentLine(agent, "started", deps.redact));
        }
        if (isFinal(agent.status) && announced.get(agent.id) !== "finished") {
          announced.set(agent.id, "finished");
          stream.markdown(agentLine(agent, agent.status.replace("_", " "), deps.redact));
        }
      }
    };
    const watch = deps.supervisor.onDidChange(follow);
    const abort = abortSignalOf(token);
    try {
      const { agentId, final } = await runDelegatedTask(deps.supervisor, parsed, {
        settings: deps.settings,
        redact: deps.redact,
        signal: abort.signal,
        reason: "cancelled in chat",
        onStarted: (id) => {
          rootId = id;
          deps.logger.info(`chat: root ${id} on ${parsed.modelRef}`);
          const root = deps.supervisor.get(id);
          if (root) stream.markdown(agentLine(root, `is running on ${parsed.modelRef}`, deps.redact));
        },
      });
      follow();
      // The answer is the model's markdown, rendered untrusted (no command links run from it).
      if (final.status === "completed") stream.markdown(`\n${deps.redact(final.result ?? "")}`);
      else stream.markdown(`\n${deps.redact(outcomeMessage(final))}`);
      return { metadata: { agentId, status: final.status } };
    } finally {
      abort.dispose();
      watch.dispose();
    }
  };
}

export function registerChatParticipant(deps: ChatParticipantDeps, extensionUri: vscode.Uri): vscode.Disposable {
  const participant = vscode.chat.createChatParticipant(CHAT_PARTICIPANT_ID, chatRequestHandler(deps));
  participant.iconPath = vscode.Uri.joinPath(extensionUri, "media", "icons", "subagents.svg");
  return participant;
}
