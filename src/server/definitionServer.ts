import { fileURLToPath, pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  DidChangeConfigurationNotification,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeResult,
  type WorkspaceFolder,
} from "vscode-languageserver/node";
import { AgentDefinitions } from "../core/definitions/agentDefinitions";
import { definitionDialectOf } from "../core/definitions/definitionFiles";
import { parseDefinitionFile, type ParsedDefinitionFile } from "../core/definitions/parseDefinition";
import type { ProviderConfig } from "../core/settings/schema";
import { NO_OFFERS, parseVscodeOffers, VSCODE_OFFERS_REQUEST, type VscodeOffers } from "../core/definitions/vscodeOffers";
import type { IDisposable } from "../core/common/disposable";
import { definitionCompletions } from "./completion";
import { DefinitionFilesOnDisk } from "./definitionFilesOnDisk";
import { definitionHover } from "./hover";
import { definitionSymbols, toLspDiagnostic } from "./lspConversions";
import { PROVIDERS_SECTION, canAskOffers, initialProviders, parseProviders, withTimeout } from "./serverSettings";

/** Coalesces bursts of keystrokes and file events into one check of all files. */
const VALIDATE_DELAY_MS = 50;
const CONFIGURATION_TIMEOUT_MS = 5000;
/** How long a completion waits for the extension's list of VS Code's models and tools before it goes with the last one. */
const OFFERS_WAIT_MS = 500;

/**
 * The agent-definition language server: diagnostics for every definition
 * file of the workspace (open documents override their saved text),
 * completion, hover and document symbols.
 */
export class DefinitionLanguageServer implements IDisposable {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly disk = new DefinitionFilesOnDisk([]);
  private readonly cache = new Map<string, { text: string; providers: readonly ProviderConfig[]; file: ParsedDefinitionFile }>();
  private readonly published = new Map<string, string>();
  private providers: readonly ProviderConfig[] = [];
  private canPullConfiguration = false;
  private canWatchFolders = false;
  /** The extension answers VSCODE_OFFERS_REQUEST (other clients are not asked). */
  private offersAnswered = false;
  private offers: VscodeOffers = NO_OFFERS;
  private offersAsked: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly connection: Connection) {
    connection.onInitialize((params): InitializeResult => {
      this.providers = initialProviders(params.initializationOptions);
      this.offersAnswered = canAskOffers(params.initializationOptions);
      this.disk.setRoots(rootsOf(params.workspaceFolders ?? undefined, params.rootUri));
      this.canPullConfiguration = params.capabilities.workspace?.configuration === true;
      this.canWatchFolders = params.capabilities.workspace?.workspaceFolders === true;
      return {
        capabilities: {
          textDocumentSync: TextDocumentSyncKind.Incremental,
          completionProvider: { triggerCharacters: ["[", ",", " "] },
          hoverProvider: true,
          documentSymbolProvider: true,
          workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        },
        serverInfo: { name: "Subagents agent definitions" },
      };
    });
    connection.onInitialized(() => void this.onInitialized());
    connection.onDidChangeConfiguration((change) => {
      const pushed = parseProviders((change.settings as { subagents?: { providers?: unknown } } | null)?.subagents?.providers);
      if (pushed) this.setProviders(pushed);
      else void this.pullProviders();
    });
    connection.onDidChangeWatchedFiles(async (change) => {
      for (const event of change.changes) {
        const path = pathOfUri(event.uri);
        if (path) await this.disk.refresh(path);
      }
      this.schedule();
    });
    connection.onCompletion(async (params) => {
      const doc = this.documents.get(params.textDocument.uri);
      if (!doc) return [];
      const offers = await this.currentOffers();
      return definitionCompletions(doc.getText(), params.position, this.providers, offers);
    });
    connection.onHover((params) => {
      const doc = this.documents.get(params.textDocument.uri);
      const path = doc && pathOfUri(doc.uri);
      if (!doc || !path) return null;
      return definitionHover(doc.getText(), params.position, definitionDialectOf(path) ?? "subagents", this.providers);
    });
    connection.onDocumentSymbol((params) => {
      const doc = this.documents.get(params.textDocument.uri);
      const path = doc && pathOfUri(doc.uri);
      return doc && path ? definitionSymbols(this.parse(path, doc.getText())) : [];
    });
    connection.onShutdown(() => this.dispose());

    this.documents.onDidChangeContent(() => this.schedule());
    this.documents.onDidClose(() => this.schedule());
    this.documents.listen(connection);
  }

  private async onInitialized(): Promise<void> {
    if (this.canPullConfiguration) {
      // Ask to be told about settings changes, then read the current value.
      void this.connection.client.register(DidChangeConfigurationNotification.type, { section: "subagents" });
      await this.pullProviders();
    }
    if (this.canWatchFolders) {
      this.connection.workspace.onDidChangeWorkspaceFolders(async () => {
        const folders = await withTimeout(this.connection.workspace.getWorkspaceFolders(), CONFIGURATION_TIMEOUT_MS);
        this.disk.setRoots(rootsOf(folders ?? undefined, null));
        await this.disk.rescan();
        this.schedule();
      });
    }
    await this.disk.rescan();
    this.schedule();
  }

  private async pullProviders(): Promise<void> {
    if (!this.canPullConfiguration) return;
    const value = await withTimeout(this.connection.workspace.getConfiguration(PROVIDERS_SECTION) as Promise<unknown>, CONFIGURATION_TIMEOUT_MS);
    const providers = parseProviders(value);
    if (providers) this.setProviders(providers);
  }

  /**
   * VS Code's models and tools as the extension lists them now. One question
   * at a time; a slow answer (VS Code may still be starting a model
   * provider) leaves this completion with the last list and updates the next.
   */
  private async currentOffers(): Promise<VscodeOffers> {
    if (!this.offersAnswered) return NO_OFFERS;
    if (!this.offersAsked) {
      const asking = this.connection.sendRequest(VSCODE_OFFERS_REQUEST).then(
        (raw: unknown) => {
          this.offers = parseVscodeOffers(raw) ?? this.offers;
        },
        () => undefined,
      );
      // An answer that never comes must not stop every later completion from asking again.
      this.offersAsked = withTimeout(asking, CONFIGURATION_TIMEOUT_MS).then(() => {
        this.offersAsked = undefined;
      });
    }
    await withTimeout(this.offersAsked, OFFERS_WAIT_MS);
    return this.offers;
  }

  private setProviders(providers: readonly ProviderConfig[]): void {
    if (JSON.stringify(providers) === JSON.stringify(this.providers)) return;
    this.providers = providers;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.validate();
    }, VALIDATE_DELAY_MS);
  }

  private parse(path: string, text: string): ParsedDefinitionFile {
    const cached = this.cache.get(path);
    if (cached && cached.text === text && cached.providers === this.providers) return cached.file;
    const file = parseDefinitionFile(path, text, { providers: this.providers });
    this.cache.set(path, { text, providers: this.providers, file });
    return file;
  }

  /** Checks all files together (names must be unique) and publishes what changed. */
  private validate(): void {
    if (this.disposed) return;
    const sources = new Map<string, { uri: string; text: string }>();
    for (const [path, text] of this.disk.entries()) sources.set(path, { uri: pathToFileURL(path).href, text });
    for (const doc of this.documents.all()) {
      const path = pathOfUri(doc.uri);
      if (path && definitionDialectOf(path)) sources.set(path, { uri: doc.uri, text: doc.getText() });
    }
    for (const path of this.cache.keys()) if (!sources.has(path)) this.cache.delete(path);

    const definitions = AgentDefinitions.fromParsed([...sources].map(([path, { text }]) => this.parse(path, text)));
    const next = new Map<string, string>();
    for (const [path, { uri }] of sources) {
      const diagnostics = (definitions.file(path)?.diagnostics ?? []).map(toLspDiagnostic);
      const json = JSON.stringify(diagnostics);
      next.set(uri, json);
      if (this.published.get(uri) !== json) void this.connection.sendDiagnostics({ uri, diagnostics });
    }
    for (const uri of this.published.keys()) {
      if (!next.has(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    }
    this.published.clear();
    for (const [uri, json] of next) this.published.set(uri, json);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Starts serving on a connection (call `connection.listen()` afterwards). */
export function startDefinitionServer(connection: Connection): IDisposable {
  return new DefinitionLanguageServer(connection);
}

function rootsOf(folders: readonly WorkspaceFolder[] | undefined, rootUri: string | null): string[] {
  const uris = folders && folders.length > 0 ? folders.map((f) => f.uri) : rootUri ? [rootUri] : [];
  return uris
    .filter((uri) => uri.startsWith("file:"))
    .map(pathOfUri)
    .filter((path): path is string => path !== undefined);
}

/** File system path of a `file:` URI; for other schemes the URI's path (enough to tell the dialect). */
export function pathOfUri(uri: string): string | undefined {
  try {
    return uri.startsWith("file:") ? fileURLToPath(uri) : decodeURIComponent(new URL(uri).pathname);
  } catch {
    return undefined;
  }
}
