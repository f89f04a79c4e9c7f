import * as vscode from "vscode";
import { AgentTreeViewProvider } from "./host/agentTreeView";
import { AGENT_TREE_VIEW_ID } from "./host/commandIds";
import { registerCommands } from "./host/commands";

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.window.registerWebviewViewProvider(AGENT_TREE_VIEW_ID, new AgentTreeViewProvider(context.extensionUri), {
      webviewOptions: { retainContextWhenHidden: false },
    }),
    ...registerCommands({}),
  );
}

export function deactivate(): void {}
