import * as vscode from "vscode";
import type { UserControls } from "../../core/agents/userControls";
import type { Logger } from "../../core/common/logger";
import type { Settings } from "../../core/settings/schema";
import { NO_FOLDER_MESSAGE, RESTRICTED_MODE_MESSAGE } from "../agents/runTask";
import { parseDelegatedTask, runConfirmation, runDelegatedTask, RUN_TOOL_NAME, statusText, STATUS_TOOL_NAME } from "./delegation";

export interface LanguageModelToolDeps {
  supervisor: UserControls;
  settings: () => Settings;
  redact: (text: string) => string;
  logger: Logger;
}

/** Why no task may start here, or undefined; the same words as Run Task. */
export function cannotRunHere(): string | undefined {
  if (!vscode.workspace.isTrusted) return RESTRICTED_MODE_MESSAGE;
  if (!vscode.workspace.workspaceFolders?.length) return NO_FOLDER_MESSAGE;
  return undefined;
}

function textResult(text: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
}

/** An AbortSignal that follows a CancellationToken, for core code that knows no vscode. */
export function abortSignalOf(token: vscode.CancellationToken): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  const listener = token.onCancellationRequested(() => controller.abort());
  return { signal: controller.signal, dispose: () => listener.dispose() };
}

/**
 * `subagents_run` and `subagents_status` for Copilot agent mode (and any
 * extension, through `vscode.lm.invokeTool`); package.json's
 * `languageModelTools` declares their names and input schemas.
 */
export function registerLanguageModelTools(deps: LanguageModelToolDeps): vscode.Disposable[] {
  const run: vscode.LanguageModelTool<unknown> = {
    prepareInvocation(options) {
      const parsed = parseDelegatedTask(options.input, deps.settings());
      // A bad input is refused by invoke(); nothing to confirm.
      if ("problem" in parsed) return { invocationMessage: "Checking the Subagents task" };
      return { invocationMessage: `Running a Subagents task on ${parsed.modelRef}`, confirmationMessages: runConfirmation(parsed) };
    },
    async invoke(options, token) {
      const refusal = cannotRunHere();
      if (refusal) throw new Error(refusal);
      const parsed = parseDelegatedTask(options.input, deps.settings());
      if ("problem" in parsed) throw new Error(`Subagents: ${parsed.problem}`);
      const abort = abortSignalOf(token);
      try {
        const outcome = await runDelegatedTask(deps.supervisor, parsed, {
          settings: deps.settings,
          redact: deps.redact,
          signal: abort.signal,
          reason: "cancelled in chat",
          onStarted: (id) => deps.logger.info(`${RUN_TOOL_NAME}: root ${id} on ${parsed.modelRef}`),
        });
        deps.logger.info(`${RUN_TOOL_NAME}: root ${outcome.agentId} ended ${outcome.final.status}`);
        return textResult(outcome.text);
      } finally {
        abort.dispose();
      }
    },
  };
  const status: vscode.LanguageModelTool<unknown> = {
    prepareInvocation() {
      return { invocationMessage: "Reading the Subagents tree" };
    },
    invoke() {
      return textResult(statusText(deps.supervisor.snapshot(), deps.redact));
    },
  };
  return [vscode.lm.registerTool(RUN_TOOL_NAME, run), vscode.lm.registerTool(STATUS_TOOL_NAME, status)];
}
