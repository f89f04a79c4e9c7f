import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeOpenAiServerOptions } from "../../fixtures/fakeOpenAiServer";
import { fingerprint } from "../../../src/core/keys/fingerprint";
import { openWindow, type BrowserSession } from "./browser";
import type { CodeServer } from "./codeServer";
import { installIntoRunningCodeServer, uninstallFromRunningCodeServer } from "./hostTests";
import { OUTPUT_DIR } from "./paths";
import { log } from "./provision";
import { countSession, e2eRun } from "./run";
import { redact, registerSecret } from "./secrets";
import { Workbench, type AgentTreeView } from "./workbench";
import { waitUntil } from "../../fakes/polling";

export const PROVIDER_ID = "test";
export const MODEL_REF = "test:scripted";

export interface SessionOptions {
  /** Name used for logs kept after a failure. */
  name: string;
  /** Leave workspace trust on (the fresh folder opens in Restricted Mode). */
  restrictedMode?: boolean;
  /** Extra user settings (approval policies, caps…). */
  settings?: Record<string, unknown>;
  fakeServer?: FakeOpenAiServerOptions;
  /** Files written into the session's workspace copy before its window opens (relative path → text). */
  workspaceFiles?: Record<string, string>;
}

/** A generated test key; only its fingerprint may appear in assertions' messages. */
export interface TestKey {
  readonly raw: string;
  readonly fingerprint: string;
}

export function makeTestKeys(count: number): TestKey[] {
  return Array.from({ length: count }, () => {
    const raw = `sk-e2e-${randomBytes(16).toString("hex")}`;
    registerSecret(raw);
    return { raw, fingerprint: fingerprint(raw) };
  });
}

/**
 * Returns a description of where a key leaked into `text` (by fingerprint and
 * position only), or undefined. Any 8-character run of the key's secret part
 * counts: the only allowed representation is its last-4 fingerprint.
 */
export function findKeyLeak(text: string, keys: readonly TestKey[], where: string): string | undefined {
  for (const key of keys) {
    const secret = key.raw.slice("sk-e2e-".length);
    for (let i = 0; i + 8 <= secret.length; i++) {
      const at = text.indexOf(secret.slice(i, i + 8));
      if (at >= 0) return `${where} contains 8+ characters of key ${key.fingerprint} (at offset ${at})`;
    }
  }
  return undefined;
}

/** The session whose window is open; sessions take turns (they share code-server's user settings). */
let openSession: string | undefined;

/**
 * One test file's window on the run's shared code-server (see run.ts): its
 * own fake model server, temp copy of the sample workspace, user settings
 * and browser context (so its own SecretStorage: no keys from earlier
 * sessions). `scenario()` screenshots the end state (pass or fail) and, on
 * failure, adds the screenshot path and the log tails to the error. `close()`
 * closes the window, the fake server and what the session installed; the
 * code-server itself stops after the last e2e file.
 */
export class E2ESession {
  private readonly installed: string[] = [];
  private closed = false;

  private constructor(
    readonly options: SessionOptions,
    readonly server: FakeOpenAiServer,
    readonly codeServer: CodeServer,
    readonly browser: BrowserSession,
    readonly workbench: Workbench,
    /** This session's folder (a temp copy of test/e2e/sample-workspace), open in its window. */
    readonly workspace: string,
    /** Extension logs of earlier sessions, which this one does not read. */
    private readonly earlierLogs: ReadonlySet<string>,
  ) {}

  static async start(options: SessionOptions): Promise<E2ESession> {
    if (openSession !== undefined) {
      throw new Error(`e2e session "${options.name}" cannot start while "${openSession}" is open: sessions share code-server's user settings, so close() the previous one first`);
    }
    const started = Date.now();
    const { codeServer, browser: chromium } = await e2eRun();
    openSession = options.name;
    countSession();
    const server = await startFakeOpenAiServer(options.fakeServer ?? {});
    let browser: BrowserSession | undefined;
    try {
      codeServer.resetSettings({
        restrictedMode: options.restrictedMode === true,
        settings: {
          "subagents.providers": [{ id: PROVIDER_ID, baseUrl: server.baseUrl, models: ["scripted"] }],
          "subagents.model": MODEL_REF,
          ...options.settings,
        },
      });
      const workspace = codeServer.newWorkspace(options.name);
      for (const [file, text] of Object.entries(options.workspaceFiles ?? {})) {
        mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
        writeFileSync(path.join(workspace, file), text);
      }
      const earlierLogs = new Set(codeServer.findLogs(/Subagents\.log$/));
      browser = await openWindow(chromium);
      const session = new E2ESession(options, server, codeServer, browser, new Workbench(browser.page), workspace, earlierLogs);
      await session.openWorkbench();
      log(`session "${options.name}" ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return session;
    } catch (error) {
      const logTail = codeServer.logTail(40);
      if (browser) {
        await new Workbench(browser.page).screenshot(`${options.name}-startup-failure`).catch(() => undefined);
        await browser.context.close().catch(() => undefined);
      }
      codeServer.keepLogs(path.join(OUTPUT_DIR, `${options.name}-logs`));
      await server.close();
      openSession = undefined;
      throw new Error(`could not start the e2e session "${options.name}": ${(error as Error).message}${logTail ? `\n--- last lines of code-server's log ---\n${logTail}` : ""}`);
    }
  }

  get page() {
    return this.browser.page;
  }

  /** Opens the workbench on the session's folder; in Restricted Mode answers the trust prompt with "No". */
  async openWorkbench(): Promise<void> {
    await this.page.goto(this.codeServer.urlFor(this.workspace), { timeout: 60_000 });
    await this.workbench.waitForReady();
    if (this.options.restrictedMode) await this.declineTrust();
    await this.waitForExtension();
  }

  /**
   * code-server opens a new folder straight in Restricted Mode (seen: no
   * prompt); VS Code may ask first, in which case this answers "No". Either
   * way it returns once the status bar shows "Restricted Mode".
   */
  private async declineTrust(): Promise<void> {
    const no = this.page.locator(".monaco-dialog-box .monaco-button", { hasText: /No, I don.t trust the authors/ }).first();
    const indicator = this.page.locator(".part.statusbar .statusbar-item", { hasText: "Restricted Mode" }).first();
    await waitUntil(
      'Restricted Mode (the trust prompt or the "Restricted Mode" status bar item)',
      async () => {
        if (await no.isVisible()) await no.click();
        return indicator.isVisible();
      },
      30_000,
    );
  }

  /** The extension activated (onStartupFinished): its "Subagents" log channel has written something. */
  async waitForExtension(timeoutMs = 60_000): Promise<void> {
    await waitUntil(
      'the Subagents extension to activate (its "Subagents" log file to appear)',
      () => this.extensionLog().trim().length > 0,
      timeoutMs,
    );
  }

  /** Everything the extension wrote to its "Subagents" log output channel in this session (its window and reloads). */
  extensionLog(): string {
    return this.extensionLogFiles()
      .map((file) => {
        try {
          return readFileSync(file, "utf8");
        } catch {
          return "";
        }
      })
      .join("\n");
  }

  private extensionLogFiles(): string[] {
    return this.codeServer.findLogs(/Subagents\.log$/).filter((file) => !this.earlierLogs.has(file));
  }

  /**
   * Installs another extension (a VSIX) into the running code-server; the
   * open window picks it up. It is uninstalled again by close(), so later
   * sessions do not load it.
   */
  async installExtension(vsix: string, extensionId: string): Promise<void> {
    this.installed.push(extensionId);
    await installIntoRunningCodeServer(this.codeServer, vsix, extensionId);
  }

  async tree(): Promise<AgentTreeView> {
    return this.workbench.openSubagentsView();
  }

  /** Developer: Reload Window, then wait for the workbench and extension again. */
  async reloadWindow(): Promise<void> {
    const before = this.extensionLogFiles().length;
    await this.workbench.runCommand("Developer: Reload Window");
    await this.page.waitForLoadState("domcontentloaded", { timeout: 60_000 });
    await waitUntil("the reloaded window's extension host to start a new Subagents log", () => this.extensionLogFiles().length > before, 60_000);
    await this.workbench.waitForReady();
  }

  /**
   * Changes user settings live, through the settings editor, and waits until
   * the extension logged that it re-read them.
   */
  async applySettings(changes: Record<string, unknown>): Promise<void> {
    const count = () => (this.extensionLog().match(/settings reloaded/g) ?? []).length;
    const before = count();
    const previous = this.codeServer.settingsText({});
    const text = this.codeServer.settingsText(changes);
    // VS Code fires no configuration change when nothing changed.
    if (text === previous) return;
    const file = path.join(this.codeServer.userDataDir, "User", "settings.json");
    const onDisk = (): Record<string, unknown> | undefined => {
      try {
        return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
      } catch {
        return undefined; // mid-write: VS Code truncates, then writes
      }
    };
    await this.workbench.replaceUserSettings(text, () => JSON.stringify(onDisk()) === JSON.stringify(JSON.parse(text))).catch((error: unknown) => {
      // Name the settings that differ: something else writing the file (a migration, say) shows here.
      const disk = onDisk() ?? {};
      const wanted = JSON.parse(text) as Record<string, unknown>;
      const differ = [...new Set([...Object.keys(disk), ...Object.keys(wanted)])].filter((k) => JSON.stringify(disk[k]) !== JSON.stringify(wanted[k]));
      throw new Error(`${(error as Error).message}; settings on disk that differ: ${differ.map((k) => `${k} (${JSON.stringify(disk[k])} on disk)`).join(", ") || "(unreadable file)"}`);
    });
    await waitUntil(`the extension to re-read its settings (${Object.keys(changes).join(", ")})`, () => count() > before, 15_000);
  }

  /** Adds keys through "Add API Key…" (typed into the password box). */
  async addKeys(keys: readonly TestKey[]): Promise<void> {
    for (const key of keys) {
      await this.workbench.runCommand("Subagents: Add API Key…");
      await this.workbench.typeIntoInputBox(key.raw, { password: true, title: /API key/i });
      await this.workbench.waitForNotification(new RegExp(`added key ${escapeRegExp(key.fingerprint)}`));
    }
  }

  /**
   * Runs `body`; screenshots the end state to test-output/e2e/<name>.png
   * either way. On failure, the error names the screenshot and carries
   * code-server's log tail, and the logs are kept under test-output/e2e.
   */
  async scenario(name: string, body: () => Promise<void>): Promise<void> {
    const started = Date.now();
    try {
      await body();
    } catch (error) {
      const shot = await this.workbench.screenshot(name).catch((e: unknown) => `(screenshot failed: ${String(e)})`);
      const logs = path.join(OUTPUT_DIR, `${name}-logs`);
      this.codeServer.keepLogs(logs);
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      const ext = this.extensionLog().trimEnd().split("\n").slice(-25).join("\n");
      throw new Error(
        redact(`${message}\n  screenshot: ${shot}\n  logs kept in: ${logs}\n--- last lines of the Subagents log ---\n${ext}\n--- last lines of code-server's log ---\n${this.codeServer.logTail(25)}`),
      );
    }
    await this.workbench.screenshot(name);
    log(`${name} passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.browser.context.close().catch(() => undefined);
      for (const id of this.installed) {
        await uninstallFromRunningCodeServer(this.codeServer, id).catch((error: unknown) => log(`could not uninstall ${id}: ${String(error)}`));
      }
      await this.server.close();
    } finally {
      if (openSession === this.options.name) openSession = undefined;
    }
  }
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
