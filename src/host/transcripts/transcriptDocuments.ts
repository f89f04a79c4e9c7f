import * as vscode from "vscode";
import type { UserControls } from "../../core/agents/userControls";
import { isFinal } from "../../core/agents/status";
import type { TranscriptStore } from "../../core/agents/transcript";
import { Disposable } from "../../core/common/disposable";
import { renderResultMarkdown, renderTranscriptMarkdown } from "./transcriptMarkdown";

export const TRANSCRIPT_SCHEME = "subagents-transcript";
/** Open transcripts of live agents refresh at most this often. */
const REFRESH_MS = 1000;

/**
 * `subagents-transcript:/<agentId>/<name>.md` (the `.md` makes VS Code open it
 * as Markdown); the query `view=result` shows only the agent's answer.
 */
export function transcriptUri(agentId: string, name: string, view: "transcript" | "result" = "transcript"): vscode.Uri {
  const label = name.replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "agent";
  const suffix = view === "result" ? "-result" : "";
  return vscode.Uri.from({
    scheme: TRANSCRIPT_SCHEME,
    path: `/${encodeURIComponent(agentId)}/${label}${suffix}.md`,
    ...(view === "result" ? { query: "view=result" } : {}),
  });
}

export function agentIdOf(uri: vscode.Uri): string | undefined {
  const first = uri.path.split("/")[1];
  return first ? decodeURIComponent(first) : undefined;
}

/** Read-only Markdown view of an agent's JSONL transcript, kept current while the agent runs. */
export class TranscriptDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changes = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changes.event;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private lastRefreshAt = 0;

  constructor(
    private readonly supervisor: UserControls,
    private readonly transcripts: TranscriptStore,
    /** Applied to every document before it is shown (key redaction). */
    private readonly beforeShow: (text: string) => string = (text) => text,
  ) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(TRANSCRIPT_SCHEME, this));
    this.register(supervisor.onDidChange(() => this.scheduleRefresh()));
    this.register({ dispose: () => clearTimeout(this.refreshTimer) });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const agentId = agentIdOf(uri);
    if (!agentId) return "# Unknown transcript\n";
    if (uri.query === "view=result") return this.beforeShow(renderResultMarkdown(agentId, this.supervisor.get(agentId)));
    const events = await this.transcripts.read(agentId);
    return this.beforeShow(renderTranscriptMarkdown(agentId, this.supervisor.get(agentId), events));
  }

  async open(agentId: string, view: "transcript" | "result" = "transcript"): Promise<void> {
    const name = this.supervisor.get(agentId)?.name ?? agentId;
    const document = await vscode.workspace.openTextDocument(transcriptUri(agentId, name, view));
    await vscode.window.showTextDocument(document, { preview: false });
  }

  private scheduleRefresh(): void {
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      const since = this.lastRefreshAt;
      this.lastRefreshAt = Date.now();
      for (const document of vscode.workspace.textDocuments) {
        if (document.uri.scheme !== TRANSCRIPT_SCHEME) continue;
        const agent = this.supervisor.get(agentIdOf(document.uri) ?? "");
        // A finished agent's transcript changes once more (its final lines), then never.
        if (agent && (!isFinal(agent.status) || (agent.endedAt ?? 0) >= since)) this.changes.fire(document.uri);
      }
    }, REFRESH_MS);
  }
}
