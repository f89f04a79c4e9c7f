import * as vscode from "vscode";
import type { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";
import { Disposable } from "../../core/common/disposable";
import type { Logger } from "../../core/common/logger";
import { DEFINITION_DOCUMENT_PATTERNS, DEFINITION_FILE_GLOB, definitionDialectOf } from "../../core/definitions/definitionFiles";
import type { ProviderConfig } from "../../core/settings/schema";
import { VSCODE_OFFERS_REQUEST, type VscodeOffers } from "../../core/definitions/vscodeOffers";

export const DEFINITION_CLIENT_ID = "subagentsDefinitions";
export const DEFINITION_CLIENT_NAME = "Subagents Agent Definitions";
/** How long `stop()` waits for the server's shutdown answer before killing it. */
const STOP_TIMEOUT_MS = 2000;

export interface DefinitionClientOptions {
  /** Absolute path of dist/server.js (`context.asAbsolutePath("dist/server.js")`). */
  serverModule: string;
  /** Current `subagents.providers`, sent as initialization options (the server pulls changes itself). */
  providers: () => readonly ProviderConfig[];
  /** VS Code's models and tools now, for completing `model:` and `tools:` (the server asks while completing). */
  vscodeOffers?: () => Promise<VscodeOffers>;
  logger?: Logger;
}

/**
 * Starts the agent-definition language server (dist/server.js) over Node IPC
 * for `.subagents/agents/*.md` and `.claude/agents/*.md`. The server starts
 * lazily, when such a document is first open (or `ensureStarted()` is called),
 * so workspaces without definitions pay for no extra process (and the client
 * library itself is imported only then).
 */
export class AgentDefinitionLanguageClient extends Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private watcher: vscode.FileSystemWatcher | undefined;

  constructor(private readonly options: DefinitionClientOptions) {
    super();
    this.register(vscode.workspace.onDidOpenTextDocument((doc) => this.startFor(doc)));
    for (const doc of vscode.workspace.textDocuments) this.startFor(doc);
  }

  get isRunning(): boolean {
    return this.client?.isRunning() ?? false;
  }

  /** Starts the server once; later calls share the same start. Never rejects (failures are logged). */
  ensureStarted(): Promise<void> {
    if (this.isDisposed) return Promise.resolve();
    this.starting ??= this.start().catch(async (error: unknown) => {
      this.options.logger?.error(`agent definition language server failed to start: ${String(error)}`);
      await this.stop(); // the next definition document opened tries again
    });
    return this.starting;
  }

  /** Stops the server (for `deactivate`, which VS Code awaits). */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.starting = undefined;
    this.watcher?.dispose();
    this.watcher = undefined;
    if (client) await client.stop(STOP_TIMEOUT_MS).catch(() => undefined);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    void this.stop();
  }

  private startFor(doc: vscode.TextDocument): void {
    if (doc.uri.scheme === "file" && definitionDialectOf(doc.uri.path)) void this.ensureStarted();
  }

  private async start(): Promise<void> {
    // Loaded on first use: activation (and host tests under the vscode shim) never pay for the client library.
    const { LanguageClient, TransportKind } = await import("vscode-languageclient/node");
    if (this.isDisposed) return;
    const run = { module: this.options.serverModule, transport: TransportKind.ipc };
    const serverOptions: ServerOptions = { run, debug: run };
    this.watcher = vscode.workspace.createFileSystemWatcher(`**/${DEFINITION_FILE_GLOB}`);
    const clientOptions: LanguageClientOptions = {
      documentSelector: DEFINITION_DOCUMENT_PATTERNS.map((pattern) => ({ scheme: "file", pattern })),
      synchronize: { fileEvents: this.watcher },
      initializationOptions: () => ({ providers: this.options.providers(), vscodeOffers: this.options.vscodeOffers !== undefined }),
      diagnosticCollectionName: "subagents",
    };
    const client = new LanguageClient(DEFINITION_CLIENT_ID, DEFINITION_CLIENT_NAME, serverOptions, clientOptions);
    const offers = this.options.vscodeOffers;
    if (offers) client.onRequest(VSCODE_OFFERS_REQUEST, offers);
    this.client = client;
    await client.start();
    if (this.isDisposed) await this.stop();
  }
}
