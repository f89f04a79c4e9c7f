import * as vscode from "vscode";
import { Disposable } from "../../core/common/disposable";
import { Emitter } from "../../core/common/emitter";
import type { Logger } from "../../core/common/logger";
import { parseSettings, type SettingKey, type Settings } from "../../core/settings/schema";
import { describeProblem, ProblemTracker, SETTINGS_SECTION } from "./settingProblems";

/**
 * Reads `subagents.*` through the zod schema and re-reads on change, so a
 * changed cap or policy applies without a window reload.
 */
export class SettingsReader extends Disposable {
  private readonly changes = this.register(new Emitter<Settings>());
  readonly onDidChange = this.changes.event;
  private readonly tracker = new ProblemTracker();
  private settings: Settings;

  constructor(private readonly logger: Logger) {
    super();
    this.settings = this.read();
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration(SETTINGS_SECTION)) return;
        this.settings = this.read();
        this.logger.info("settings reloaded");
        this.changes.fire(this.settings);
      }),
    );
  }

  get current(): Settings {
    return this.settings;
  }

  private read(): Settings {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const rawOf = (key: SettingKey): unknown => config.get(key);
    const { settings, problems } = parseSettings(rawOf);
    for (const problem of this.tracker.fresh(problems, rawOf)) {
      const message = describeProblem(problem);
      this.logger.warn(message);
      void vscode.window.showWarningMessage(message, "Open Settings").then((choice) => {
        if (choice) void vscode.commands.executeCommand("workbench.action.openSettings", `${SETTINGS_SECTION}.${problem.key}`);
      });
    }
    return settings;
  }
}
