import * as vscode from "vscode";
import { COMMAND_IDS, type CommandId } from "./commandIds";

/**
 * Registers every contract command. Commands whose capability has not landed
 * yet say so plainly instead of failing silently; each such entry is removed
 * by the change that implements the command.
 */
const NOT_YET_AVAILABLE: Partial<Record<CommandId, string>> = {
  [COMMAND_IDS.runTask]: "running tasks",
  [COMMAND_IDS.addApiKey]: "adding API keys",
  [COMMAND_IDS.removeApiKey]: "removing API keys",
  [COMMAND_IDS.importApiKeys]: "importing API keys",
  [COMMAND_IDS.showKeyPool]: "the key pool view",
  [COMMAND_IDS.interruptAgent]: "interrupting agents",
  [COMMAND_IDS.interruptAll]: "interrupting agents",
  [COMMAND_IDS.setAgentTimeout]: "agent timeouts",
  [COMMAND_IDS.togglePauseSpawning]: "pausing spawns",
  [COMMAND_IDS.openTranscript]: "transcripts",
  [COMMAND_IDS.clearFinished]: "clearing finished agents",
};

export function registerCommands(
  handlers: Partial<Record<CommandId, (...args: unknown[]) => unknown>>,
): vscode.Disposable[] {
  return Object.values(COMMAND_IDS).map((id) => {
    const handler =
      handlers[id] ??
      (() =>
        void vscode.window.showInformationMessage(
          `Subagents: ${NOT_YET_AVAILABLE[id] ?? id} is not available in this version yet.`,
        ));
    return vscode.commands.registerCommand(id, handler);
  });
}
