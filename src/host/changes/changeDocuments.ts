import * as vscode from "vscode";
import type { ChangeReview } from "../../core/changes/changeReview";

/** URI scheme of the read-only sides of an agent's change in the diff editor. */
export const CHANGE_SCHEME = "subagents-change";

/**
 * The saved texts of an agent's change (before its first edit, after its
 * last) as read-only documents for `vscode.diff`. The URI names the agent and
 * the side; the text comes from the change set, never from the URI.
 */
export class ChangeDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly registration: vscode.Disposable;
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** A later edit (or Keep/Revert) changes what an open side shows; VS Code asks again for the ones it has open. */
  readonly onDidChange = this.changed.event;
  private readonly provided = new Map<string, vscode.Uri>();
  private readonly subscription: { dispose(): void };

  constructor(private readonly review: ChangeReview) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(CHANGE_SCHEME, this);
    this.subscription = review.onDidChange(() => {
      for (const uri of this.provided.values()) this.changed.fire(uri);
    });
  }

  static uri(agentId: string, path: string, side: "before" | "after"): vscode.Uri {
    const query = new URLSearchParams({ agent: agentId, side }).toString();
    return vscode.Uri.from({ scheme: CHANGE_SCHEME, path: `/${path}`, query });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    this.provided.set(uri.toString(), uri);
    const query = new URLSearchParams(uri.query);
    const change = this.review.find(query.get("agent") ?? "", uri.path.replace(/^\//, ""));
    if (!change) return "";
    return (query.get("side") === "after" ? change.after : change.before) ?? "";
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
    this.registration.dispose();
  }
}
