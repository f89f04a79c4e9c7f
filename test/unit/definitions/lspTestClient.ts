import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { serverConfig } from "../../../esbuild.mjs";
import { IPCMessageReader, IPCMessageWriter, createMessageConnection, type MessageConnection } from "vscode-jsonrpc/node";
import type {
  CompletionItem,
  CompletionList,
  Diagnostic,
  DocumentSymbol,
  Hover,
  InitializeParams,
  Position,
  PublishDiagnosticsParams,
} from "vscode-languageserver/node";

let bundle: Promise<{ path: string; dir: string }> | undefined;

/** Builds src/server/main.ts with esbuild.mjs's server config into a temp folder, once per test process. */
export function serverBundle(): Promise<{ path: string; dir: string }> {
  bundle ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "subagents-lsp-"));
    await build({ ...serverConfig(), outdir: dir, sourcemap: false, logLevel: "silent" });
    return { path: join(dir, "server.js"), dir };
  })();
  return bundle;
}

export function removeServerBundle(): void {
  void bundle?.then(({ dir }) => rmSync(dir, { recursive: true, force: true }));
  bundle = undefined;
}

export interface StartOptions {
  workspace: string;
  /** Sent as initializationOptions.providers. */
  initProviders?: unknown;
  /** Answer to `workspace/configuration` for subagents.providers (undefined = client has no pull support). */
  configuredProviders?: () => unknown;
  /** Answer to the server's `subagents/vscodeOffers` request, as the extension gives it (undefined = not offered). */
  vscodeOffers?: () => unknown;
}

/**
 * A real LSP client over the same transport the extension uses (Node IPC),
 * speaking to the bundled server in a child process.
 */
export class LspTestClient {
  private readonly diagnostics = new Map<string, Diagnostic[]>();
  private readonly waiters = new Set<() => void>();
  private versions = new Map<string, number>();
  readonly registrations: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly connection: MessageConnection,
  ) {}

  static async start(options: StartOptions): Promise<LspTestClient> {
    const { path } = await serverBundle();
    const child = fork(path, ["--node-ipc", `--clientProcessId=${process.pid}`], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const client = new LspTestClient(child, connection);
    connection.onNotification("textDocument/publishDiagnostics", (params: PublishDiagnosticsParams) => {
      client.diagnostics.set(params.uri, params.diagnostics);
      for (const wake of [...client.waiters]) wake();
    });
    connection.onRequest("client/registerCapability", (params: { registrations: Array<{ method: string }> }) => {
      client.registrations.push(...params.registrations.map((r) => r.method));
      return null;
    });
    connection.onRequest("workspace/configuration", (params: { items: Array<{ section?: string }> }) =>
      params.items.map((item) => (item.section === "subagents.providers" ? (options.configuredProviders?.() ?? null) : null)),
    );
    const offers = options.vscodeOffers;
    if (offers) connection.onRequest("subagents/vscodeOffers", () => offers());
    connection.listen();
    const init: InitializeParams = {
      processId: process.pid,
      rootUri: pathToFileURL(options.workspace).href,
      workspaceFolders: [{ uri: pathToFileURL(options.workspace).href, name: "workspace" }],
      capabilities: {
        workspace: { configuration: options.configuredProviders !== undefined, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: {}, completion: { completionItem: { snippetSupport: true } }, hover: {} },
      },
      initializationOptions: {
        ...(options.initProviders === undefined ? {} : { providers: options.initProviders }),
        ...(offers ? { vscodeOffers: true } : {}),
      },
    };
    await withDeadline(connection.sendRequest("initialize", init), "initialize");
    await connection.sendNotification("initialized", {});
    return client;
  }

  open(uri: string, text: string): void {
    this.versions.set(uri, 1);
    void this.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "markdown", version: 1, text } });
  }

  change(uri: string, text: string): void {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  close(uri: string): void {
    void this.connection.sendNotification("textDocument/didClose", { textDocument: { uri } });
  }

  /** Resolves with the latest diagnostics of `uri` once `accept` holds for them. */
  waitForDiagnostics(uri: string, accept: (d: Diagnostic[]) => boolean, what = uri): Promise<Diagnostic[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const current = this.diagnostics.get(uri);
        if (current && accept(current)) {
          cleanup();
          resolve(current);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching diagnostics for ${what}; last: ${JSON.stringify(this.diagnostics.get(uri))}`));
      }, 10_000);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  async completion(uri: string, position: Position): Promise<CompletionItem[]> {
    const result = await withDeadline(
      this.connection.sendRequest<CompletionItem[] | CompletionList | null>("textDocument/completion", { textDocument: { uri }, position }),
      "completion",
    );
    return Array.isArray(result) ? result : (result?.items ?? []);
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return withDeadline(this.connection.sendRequest<Hover | null>("textDocument/hover", { textDocument: { uri }, position }), "hover");
  }

  documentSymbols(uri: string): Promise<DocumentSymbol[]> {
    return withDeadline(this.connection.sendRequest<DocumentSymbol[]>("textDocument/documentSymbol", { textDocument: { uri } }), "documentSymbol");
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once("exit", () => resolve());
    });
    try {
      await withDeadline(this.connection.sendRequest("shutdown"), "shutdown", 3000);
      await this.connection.sendNotification("exit");
    } catch {
      // The kill below ends it anyway.
    }
    const timer = setTimeout(() => this.child.kill(), 3000);
    await exited;
    clearTimeout(timer);
    this.connection.dispose();
  }
}

function withDeadline<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
