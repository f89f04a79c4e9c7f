import * as vscode from "vscode";
import { Disposable } from "../../core/common/disposable";
import { Emitter } from "../../core/common/emitter";
import type { Logger } from "../../core/common/logger";
import { parseSettings, type SettingKey, type Settings } from "../../core/settings/schema";
import { describeProblem, ProblemTracker, SETTINGS_SECTION } from "./settingProblems";
import { userOnlySettingsInWorkspaceFiles } from "./workspaceSettingFiles";
import {
  describeIgnored,
  isUserOnlySetting,
  userValue,
  workspaceLayersSetting,
  type IgnoredWorkspaceSetting,
  type InspectedValue,
} from "./settingScopes";

/**
 * Reads `subagents.*` through the zod schema and re-reads on change, so a
 * changed cap or policy applies without a window reload. Settings that decide
 * where keys go or what runs unasked come from the user's own settings only
 * (see settingScopes.ts); a workspace that sets one is warned about once.
 */
export class SettingsReader extends Disposable {
  private readonly changes = this.register(new Emitter<Settings>());
  readonly onDidChange = this.changes.event;
  private readonly tracker = new ProblemTracker();
  /** `key|file` of workspace values already warned about, so re-reads stay quiet. */
  private readonly ignoredWarned = new Set<string>();
  private settings: Settings;
  /** The latest scan of the workspace's settings files (tests await it). */
  workspaceFilesChecked: Promise<void>;

  constructor(private readonly logger: Logger) {
    super();
    this.settings = this.read();
    this.workspaceFilesChecked = this.checkWorkspaceFiles();
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration(SETTINGS_SECTION)) return;
        this.settings = this.read();
        this.workspaceFilesChecked = this.checkWorkspaceFiles();
        this.logger.info("settings reloaded");
        this.changes.fire(this.settings);
      }),
    );
    // VS Code does not report a change of a value it ignores, so watch the files themselves.
    const watcher = this.register(vscode.workspace.createFileSystemWatcher("**/{.vscode/settings.json,*.code-workspace}"));
    const recheck = () => void (this.workspaceFilesChecked = this.checkWorkspaceFiles());
    this.register(watcher.onDidCreate(recheck));
    this.register(watcher.onDidChange(recheck));
  }

  get current(): Settings {
    return this.settings;
  }

  private read(): Settings {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const ignored: IgnoredWorkspaceSetting[] = [];
    const rawOf = (key: SettingKey): unknown => {
      if (!isUserOnlySetting(key)) return config.get(key);
      const inspected = config.inspect(key) as InspectedValue | undefined;
      for (const layer of workspaceLayersSetting(inspected)) ignored.push({ key, file: this.fileOf(layer) });
      return userValue(inspected);
    };
    const { settings, problems } = parseSettings(rawOf);
    this.warnIgnored(ignored);
    for (const problem of this.tracker.fresh(problems, rawOf)) {
      const message = describeProblem(problem);
      this.logger.warn(message);
      void vscode.window.showWarningMessage(message, "Open Settings").then((choice) => {
        if (choice) void vscode.commands.executeCommand("workbench.action.openSettings", `${SETTINGS_SECTION}.${problem.key}`);
      });
    }
    return settings;
  }

  private fileOf(layer: "workspace" | "folder"): string {
    const workspaceFile = vscode.workspace.workspaceFile;
    if (layer === "workspace" && workspaceFile && workspaceFile.scheme !== "untitled") {
      return `${workspaceFile.path.split("/").pop() ?? "the .code-workspace file"}`;
    }
    return ".vscode/settings.json";
  }

  private async checkWorkspaceFiles(): Promise<void> {
    try {
      this.warnIgnored(await userOnlySettingsInWorkspaceFiles());
    } catch (error) {
      this.logger.debug(`could not check the workspace settings files: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private warnIgnored(ignored: readonly IgnoredWorkspaceSetting[]): void {
    const fresh = ignored.filter((i) => !this.ignoredWarned.has(`${i.key}|${i.file}`));
    if (fresh.length === 0) return;
    for (const i of fresh) this.ignoredWarned.add(`${i.key}|${i.file}`);
    const message = describeIgnored(fresh);
    this.logger.warn(message);
    void vscode.window.showWarningMessage(message);
  }
}
