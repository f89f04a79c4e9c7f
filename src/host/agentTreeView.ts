import * as vscode from "vscode";
import { renderWebviewHtml } from "./webviewHtml";

/** The sidebar webview view `subagents.agentTree`. */
export class AgentTreeViewProvider implements vscode.WebviewViewProvider {
  constructor(private readonly extensionUri: vscode.Uri) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, "dist")],
    };
    view.webview.html = renderWebviewHtml(view.webview, this.extensionUri);
  }
}
