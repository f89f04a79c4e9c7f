import * as vscode from "vscode";
import { Disposable } from "../../core/common/disposable";
import type { Event } from "../../core/common/emitter";
import type { Logger } from "../../core/common/logger";
import { AgentDefinitions } from "../../core/definitions/agentDefinitions";
import { DEFINITION_FILE_GLOB, DEFINITION_FOLDERS } from "../../core/definitions/definitionFiles";
import type { ProviderConfig } from "../../core/settings/schema";

export interface AgentDefinitionWatcherOptions {
  /** Current `subagents.providers` (for model checks). */
  providers: () => readonly ProviderConfig[];
  /** Fires when the settings change; definitions are re-checked against the new providers. */
  onDidChangeSettings?: Event<unknown>;
  logger?: Logger;
  /** Coalescing delay for bursts of file events (a git checkout touches many files). */
  delayMs?: number;
}

/**
 * Keeps the workspace's agent definitions loaded: reads `.subagents/agents/*.md`
 * and `.claude/agents/*.md` of every workspace folder, and reloads them when
 * those files, the workspace folders or the settings change, so new types are
 * usable without restarting the extension. Reads saved files only: what an
 * agent gets is what is on disk.
 */
export class AgentDefinitionWatcher extends Disposable {
  private readonly changes = this.register(new vscode.EventEmitter<AgentDefinitions>());
  /** Fires with the new set after each reload that changed anything. */
  readonly onDidChange: vscode.Event<AgentDefinitions> = this.changes.event;
  /** Settles after the first load. */
  readonly ready: Promise<void>;

  private definitions = AgentDefinitions.empty;
  private fingerprint = "";
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: AgentDefinitionWatcherOptions) {
    super();
    const watcher = this.register(vscode.workspace.createFileSystemWatcher(`**/${DEFINITION_FILE_GLOB}`));
    const schedule = () => this.schedule();
    this.register(watcher.onDidCreate(schedule));
    this.register(watcher.onDidChange(schedule));
    this.register(watcher.onDidDelete(schedule));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(schedule));
    if (options.onDidChangeSettings) this.register(options.onDidChangeSettings(schedule));
    this.register({ dispose: () => this.timer && clearTimeout(this.timer) });
    this.ready = this.reload().then(() => undefined);
  }

  /** The latest loaded set (empty until the first load finishes). */
  get current(): AgentDefinitions {
    return this.definitions;
  }

  /** Reads every definition file now; a later reload supersedes an earlier one still reading. */
  async reload(): Promise<AgentDefinitions> {
    const generation = ++this.generation;
    const files = await readDefinitionFiles(this.options.logger);
    if (generation !== this.generation || this.isDisposed) return this.definitions;
    const definitions = AgentDefinitions.parse(files, { providers: this.options.providers() });
    const fingerprint = JSON.stringify(definitions.list());
    this.definitions = definitions;
    if (fingerprint !== this.fingerprint) {
      this.fingerprint = fingerprint;
      this.options.logger?.info(`agent definitions loaded: ${definitions.names().join(", ") || "none"}`);
      this.changes.fire(definitions);
    }
    return definitions;
  }

  private schedule(): void {
    if (this.isDisposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reload();
    }, this.options.delayMs ?? 150);
  }
}

/** Path (fs path for `file:` URIs) → text of each definition file at the root of each workspace folder. */
export async function readDefinitionFiles(logger?: Logger): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const decoder = new TextDecoder();
  for (const workspaceFolder of vscode.workspace.workspaceFolders ?? []) {
    for (const { folder } of DEFINITION_FOLDERS) {
      const dir = vscode.Uri.joinPath(workspaceFolder.uri, ...folder.split("/"));
      let entries: Array<[string, vscode.FileType]>;
      try {
        entries = await vscode.workspace.fs.readDirectory(dir);
      } catch {
        continue; // the folder does not exist
      }
      for (const [name, type] of entries.sort(([a], [b]) => a.localeCompare(b))) {
        if (!name.endsWith(".md") || (type & vscode.FileType.File) === 0) continue;
        const uri = vscode.Uri.joinPath(dir, name);
        try {
          files.set(uri.scheme === "file" ? uri.fsPath : uri.toString(), decoder.decode(await vscode.workspace.fs.readFile(uri)));
        } catch (error) {
          logger?.warn(`could not read agent definition ${uri.toString()}: ${String(error)}`);
        }
      }
    }
  }
  return files;
}
