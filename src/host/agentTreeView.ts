import * as vscode from "vscode";
import type { AgentActionId } from "../core/protocol/agentActions";
import type { AgentTreeDeps } from "./agentTreeHandlers";
import { AgentTreeSession } from "./agentTreeSession";
import { renderWebviewHtml } from "./webviewHtml";

/**
 * The sidebar webview view `subagents.agentTree`. The page itself lives in
 * `media/`; the conversation with it (ready → snapshot → coalesced patches,
 * parsed actions) lives in `AgentTreeSession`, which does not need `vscode`.
 */
export class AgentTreeViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private session: AgentTreeSession | undefined;
  private viewSubscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: AgentTreeDeps,
    /** Applied to every message before it reaches the page (key redaction). */
    private readonly beforePost: <T>(message: T) => T = (message) => message,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.releaseView();
    view.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, "dist")],
    };
    const session = new AgentTreeSession(this.deps, {
      postMessage: (message) => {
        view.webview.postMessage(this.beforePost(message)).then(undefined, (error: unknown) => {
          this.deps.logger.debug(`agent tree: post failed: ${String(error)}`);
        });
      },
    });
    this.session = session;
    this.viewSubscriptions = [
      view.webview.onDidReceiveMessage((message: unknown) => session.handleMessage(message)),
      view.onDidChangeVisibility(() => session.setVisible(view.visible)),
      view.onDidDispose(() => {
        if (this.session === session) this.releaseView();
      }),
    ];
    // Set last: the page may answer `ready` as soon as it has loaded.
    view.webview.html = renderWebviewHtml(view.webview, this.extensionUri);
  }

  /**
   * Runs a command of a row's native context menu. The menu can only open on
   * a visible view, so a missing session means the view went away meanwhile.
   */
  runAgentAction(action: AgentActionId, menuContext: unknown): void {
    if (this.session) this.session.runAgentAction(action, menuContext);
    else this.deps.logger.info(`agent tree: ${action} ignored, the view is not open`);
  }

  dispose(): void {
    this.releaseView();
  }

  private releaseView(): void {
    for (const subscription of this.viewSubscriptions.splice(0)) subscription.dispose();
    this.session?.dispose();
    this.session = undefined;
  }
}
