import * as vscode from "vscode";
import type { Logger } from "../core/common/logger";
import { COMMAND_IDS, type CommandId } from "./commandIds";

export type CommandHandlers = Record<CommandId, (...args: unknown[]) => unknown>;

/** What the user reads when a command fails unexpectedly: the command's title and what went wrong. */
export function commandFailureMessage(id: CommandId, error: unknown): string {
  const what = error instanceof Error ? error.message : String(error);
  return `Subagents: ${id.replace(/^subagents\./, "")} failed: ${what}`;
}

/**
 * Registers every contract command (the Record type makes a missing one a
 * compile error). A handler that throws or rejects is reported once, to the
 * user and to the log, instead of as an unhandled rejection.
 */
export function registerCommands(handlers: CommandHandlers, logger: Logger): vscode.Disposable[] {
  return (Object.values(COMMAND_IDS) as CommandId[]).map((id) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handlers[id](...args);
      } catch (error) {
        const message = commandFailureMessage(id, error);
        logger.error(message);
        void vscode.window.showErrorMessage(message);
        return undefined;
      }
    }),
  );
}
