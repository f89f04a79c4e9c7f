import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, type WriteStream } from "node:fs";
import { createServer } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { log, provision, tail } from "./provision";
import { redactTree } from "./secrets";
import { SAMPLE_WORKSPACE } from "./paths";

export interface CodeServerOptions {
  /** Path of the VSIX to install into the fresh extensions dir. */
  vsix: string;
  /** Extra environment of the code-server process (so of every extension host it starts). */
  env?: Record<string, string>;
}

/** A window's settings: workspace trust and whatever the session adds. */
export interface WindowSettings {
  /** true = leave workspace trust on, so a fresh folder opens in Restricted Mode. */
  restrictedMode?: boolean;
  /** Extra user settings (merged over the harness defaults). */
  settings?: Record<string, unknown>;
}

/** Settings every run gets: quiet, offline, and (unless asked otherwise) trusted. */
const QUIET_SETTINGS: Record<string, unknown> = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.enableExperiments": false,
  "extensions.autoCheckUpdates": false,
  // "off", not the older `false`: VS Code migrates `false` by rewriting the
  // user settings file a moment after the window opens, which raced with the
  // settings editor of a scenario that changed settings at once (seen: a
  // save kept failing to match until the migration was gone).
  "extensions.autoUpdate": "off",
  "extensions.ignoreRecommendations": true,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "chat.disableAIFeatures": true,
  "git.enabled": false,
  "git.openRepositoryInParentFolders": "never",
  "window.commandCenter": false,
  "editor.accessibilitySupport": "off",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
};

/**
 * One code-server process (VS Code served to the browser) in its own process
 * group, with a fresh user-data-dir, extensions dir and config, and the VSIX
 * installed. It serves any folder: each test session opens its own temp copy
 * of test/e2e/sample-workspace (`newWorkspace`) in its own window. `stop()`
 * ends only that process group and removes the temp folder.
 */
export class CodeServer {
  private child: ChildProcess | undefined;
  private logStream: WriteStream | undefined;
  private stopped = false;

  private constructor(
    readonly root: string,
    readonly port: number,
    readonly userDataDir: string,
    readonly extensionsDir: string,
    readonly logFile: string,
    private readonly node24: string,
    private readonly entry: string,
    private readonly configFile: string,
    private settings: Record<string, unknown>,
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  /** URL of the workbench with `workspace` open. */
  urlFor(workspace: string): string {
    return `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(workspace)}`;
  }

  /** A fresh copy of test/e2e/sample-workspace, in a folder of its own named after `name`. */
  newWorkspace(name: string): string {
    const workspace = path.join(mkdtempSync(path.join(this.root, `workspace-${name.replace(/[^\w.-]+/g, "-")}-`)), "sample-project");
    cpSync(SAMPLE_WORKSPACE, workspace, { recursive: true });
    return workspace;
  }

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const { node24, codeServer } = await provision();
    const root = mkdtempSync(path.join(os.tmpdir(), "subagents-e2e-"));
    const userDataDir = path.join(root, "user-data");
    const extensionsDir = path.join(root, "extensions");
    for (const dir of [userDataDir, extensionsDir, path.join(userDataDir, "User"), path.join(root, "xdg")]) mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const configFile = path.join(root, "config.yaml");
    writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
    const server = new CodeServer(root, port, userDataDir, extensionsDir, path.join(root, "code-server.log"), node24, codeServer, configFile, {}, options.env);
    try {
      server.resetSettings({});
      await server.installExtension(options.vsix);
      await server.launch();
    } catch (error) {
      const logTail = server.logTail(40);
      await server.stop();
      throw new Error(`${(error as Error).message}\n--- last lines of code-server's log ---\n${logTail}`);
    }
    return server;
  }

  /**
   * Replaces User/settings.json with the harness defaults plus `window`'s, for
   * the next window to open (a window reads the file when it loads).
   */
  resetSettings(window: WindowSettings): void {
    this.settings = { ...QUIET_SETTINGS, "security.workspace.trust.enabled": window.restrictedMode === true, ...window.settings };
    this.writeSettings({});
  }

  /**
   * Writes User/settings.json directly. Use before the window opens: a
   * running code-server window does not notice an outside change to this
   * file (seen: no configuration change within 30 s), so live changes go
   * through the settings editor instead (E2ESession.applySettings).
   */
  writeSettings(changes: Record<string, unknown>): void {
    writeFileSync(path.join(this.userDataDir, "User", "settings.json"), this.settingsText(changes));
  }

  /** The whole settings.json with `changes` merged in (and remembered). */
  settingsText(changes: Record<string, unknown>): string {
    this.settings = { ...this.settings, ...changes };
    return `${JSON.stringify(this.settings, null, 2)}\n`;
  }

  /** The environment of code-server and of its CLI (extension installs). */
  env(): NodeJS.ProcessEnv {
    // No provider keys or npm settings leak into the product under test; XDG
    // folders point into the temp dir so nothing lands in the user's home.
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) {
      if (/API_KEY|TOKEN|SECRET|PASSWORD|^npm_|^NODE_OPTIONS$|^VSCODE_/i.test(name)) continue;
      env[name] = value;
    }
    const xdg = path.join(this.root, "xdg");
    return {
      ...env,
      XDG_DATA_HOME: path.join(xdg, "data"),
      XDG_CONFIG_HOME: path.join(xdg, "config"),
      XDG_CACHE_HOME: path.join(xdg, "cache"),
      PATH: `${path.dirname(this.node24)}${path.delimiter}${process.env.PATH ?? ""}`,
      ...this.extraEnv,
    };
  }

  /** code-server's entry and the options that select this server's folders. */
  baseArgs(): string[] {
    return [
      this.entry,
      "--config",
      this.configFile,
      "--user-data-dir",
      this.userDataDir,
      "--extensions-dir",
      this.extensionsDir,
      "--disable-telemetry",
      "--disable-update-check",
    ];
  }

  /** Runs code-server's CLI (`--install-extension`, `--uninstall-extension`…) on this server's folders. */
  async cli(args: readonly string[], timeoutMs = 120_000): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const child = spawn(this.node24, [...this.baseArgs(), ...args], {
        env: this.env(),
        cwd: this.root,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      let text = "";
      child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      const timer = setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
        reject(new Error(`code-server ${args.join(" ")} did not finish in ${timeoutMs / 1000} s:\n${tail(text, 20)}`));
      }, timeoutMs);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(text);
        else reject(new Error(`code-server ${args.join(" ")} failed (exit ${String(code)}):\n${tail(text, 30)}`));
      });
    });
  }

  private async installExtension(vsix: string): Promise<void> {
    const output = await this.cli(["--install-extension", vsix, "--force"]);
    writeFileSync(this.logFile, `${output}\n`);
    const installed = readdirSync(this.extensionsDir).filter((name) => name.startsWith("subagents-dev.subagents-"));
    if (installed.length === 0) throw new Error(`the VSIX did not install into ${this.extensionsDir}:\n${tail(output, 20)}`);
  }

  private async launch(): Promise<void> {
    this.logStream = createWriteStream(this.logFile, { flags: "a" });
    // No folder argument: every session opens its own through the URL.
    const child = spawn(this.node24, this.baseArgs(), {
      env: this.env(),
      cwd: this.root,
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so stop() can end code-server and every child
      // it spawned (extension host, watchers, agent host) and nothing else.
      detached: true,
    });
    this.child = child;
    watchForExit(this);
    child.stdout?.pipe(this.logStream, { end: false });
    child.stderr?.pipe(this.logStream, { end: false });
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code, signal) => reject(new Error(`code-server exited during startup (code ${String(code)}, signal ${String(signal)})`))),
    );
    const started = Date.now();
    const ready = (async () => {
      while (Date.now() - started < 60_000) {
        try {
          const response = await fetch(`http://127.0.0.1:${this.port}/healthz`, { signal: AbortSignal.timeout(2000) });
          if (response.ok) return;
        } catch {
          /* not listening yet */
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`code-server did not answer on 127.0.0.1:${this.port} within 60 s`);
    })();
    await Promise.race([ready, exited]);
    log(`code-server up on 127.0.0.1:${this.port} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  logTail(lines: number): string {
    try {
      return tail(readFileSync(this.logFile, "utf8").trimEnd(), lines);
    } catch {
      return "(no code-server log)";
    }
  }

  /** Files under the user-data-dir's logs folder whose name matches, newest first. */
  findLogs(pattern: RegExp): string[] {
    const found: Array<{ file: string; mtime: number }> = [];
    const walk = (dir: string): void => {
      if (!existsSync(dir)) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (pattern.test(entry.name)) found.push({ file: full, mtime: statSync(full).mtimeMs });
      }
    };
    walk(path.join(this.userDataDir, "logs"));
    return found.sort((a, b) => b.mtime - a.mtime).map((f) => f.file);
  }

  /** Copies code-server's log and the window/extension-host logs somewhere that outlives stop(). */
  keepLogs(dest: string): void {
    try {
      mkdirSync(dest, { recursive: true });
      if (existsSync(this.logFile)) cpSync(this.logFile, path.join(dest, "code-server.log"));
      const logs = path.join(this.userDataDir, "logs");
      if (existsSync(logs)) cpSync(logs, path.join(dest, "logs"), { recursive: true });
      redactTree(dest);
    } catch (error) {
      log(`could not keep logs: ${String(error)}`);
    }
  }

  /** Kills the process group at once (used when the test process itself is ending). */
  killNow(): void {
    this.killGroup("SIGKILL");
    rmSync(this.root, { recursive: true, force: true });
  }

  private killGroup(signal: NodeJS.Signals): boolean {
    const pid = this.child?.pid;
    if (!pid) return false;
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  private groupAlive(): boolean {
    const pid = this.child?.pid;
    if (!pid) return false;
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.child && this.killGroup("SIGTERM")) {
      const deadline = Date.now() + 8000;
      while (this.groupAlive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      if (this.groupAlive()) this.killGroup("SIGKILL");
      const hardDeadline = Date.now() + 3000;
      while (this.groupAlive() && Date.now() < hardDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    live.delete(this);
    this.logStream?.end();
    rmSync(this.root, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Servers still running; killed if the test process exits or is interrupted before stop(). */
const live = new Set<CodeServer>();
let hooked = false;

function watchForExit(server: CodeServer): void {
  live.add(server);
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const s of live) s.killNow();
  });
  const exitCodes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
  for (const [signal, code] of Object.entries(exitCodes)) {
    process.once(signal, () => {
      for (const s of live) s.killNow();
      // Exit even though other listeners (Playwright's) keep the default action away.
      process.exit(code);
    });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}
