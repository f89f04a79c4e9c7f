import { DEFAULT_SETTINGS, type SettingKey, type SettingProblem } from "../../core/settings/schema";

export const SETTINGS_SECTION = "subagents";

/** The warning shown for one bad setting: names it, says why, and what is used instead. */
export function describeProblem(problem: SettingProblem): string {
  const fallback = JSON.stringify(DEFAULT_SETTINGS[problem.key]);
  const shown = fallback.length > 60 ? "its default" : `the default ${fallback}`;
  return `Subagents: the setting "${SETTINGS_SECTION}.${problem.key}" is invalid: ${problem.message}. Using ${shown} until it is fixed.`;
}

/**
 * Decides which problems deserve a new warning: each bad value once, not on
 * every configuration change, and again only when it changes to another bad value.
 */
export class ProblemTracker {
  private readonly warned = new Map<SettingKey, string>();

  fresh(problems: readonly SettingProblem[], rawOf: (key: SettingKey) => unknown): SettingProblem[] {
    const bad = new Set(problems.map((p) => p.key));
    for (const key of [...this.warned.keys()]) if (!bad.has(key)) this.warned.delete(key);
    const out: SettingProblem[] = [];
    for (const problem of problems) {
      const raw = JSON.stringify(rawOf(problem.key)) ?? "undefined";
      if (this.warned.get(problem.key) === raw) continue;
      this.warned.set(problem.key, raw);
      out.push(problem);
    }
    return out;
  }
}
