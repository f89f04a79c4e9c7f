import * as vscode from "vscode";
import type { UserControls } from "../../core/agents/userControls";
import { isFinal } from "../../core/agents/status";
import type { Logger } from "../../core/common/logger";
import type { AgentSnapshot } from "../../core/protocol/agentSnapshot";
import { isVscodeLmProvider } from "../../core/llm/vscodeLmRef";
import { isKeyless, modelNames, rootModelRef, splitModelRef, type Settings } from "../../core/settings/schema";
import { AGENT_TREE_VIEW_ID, COMMAND_IDS } from "../commandIds";
import { formatElapsed } from "./agentPicks";
import { askForTask, markTaskStarted, validateTask } from "./taskInput";

export { validateTask };

export interface RunTaskDeps {
  supervisor: UserControls;
  settings: () => Settings;
  /** Keys stored for a provider (0 = probably a mistake, unless it is a local server). */
  storedKeyCount: (providerId: string) => Promise<number>;
  openDocument: (agentId: string, view: "transcript" | "result") => Promise<void>;
  logger: Logger;
  /** Models VS Code offers now (Copilot, other extensions' providers) as `vscode-lm:` refs; listing them asks for no consent. */
  vscodeModels?: () => Promise<string[]>;
}

/** `runTask("text")` or `runTask({ task, model })` from another extension, a keybinding or a test. */
export function parseRunTaskArgument(arg: unknown): { task?: string; modelRef?: string } {
  if (typeof arg === "string") return { task: arg };
  if (typeof arg !== "object" || arg === null) return {};
  const { task, model } = arg as { task?: unknown; model?: unknown };
  return {
    ...(typeof task === "string" ? { task } : {}),
    ...(typeof model === "string" && splitModelRef(model) ? { modelRef: model } : {}),
  };
}

/** Every `provider:model` of the settings, the root default first. */
export function modelChoices(settings: Settings): string[] {
  const first = rootModelRef(settings);
  const all = settings.providers.flatMap((p) => modelNames(p).map((m) => `${p.id}:${m}`));
  return [first, ...all.filter((ref) => ref !== first)].filter((ref) => ref !== "");
}

/** One line of progress for the notification. */
export function progressLine(root: AgentSnapshot, agents: readonly AgentSnapshot[]): string {
  const subagents = agents.filter((a) => a.rootId === root.id && a.id !== root.id);
  const live = subagents.filter((a) => !isFinal(a.status)).length;
  const parts = [root.status.replace("_", " "), formatElapsed(root.elapsedMs)];
  if (subagents.length > 0) parts.push(`${live}/${subagents.length} subagents running`);
  if (root.pendingApproval) parts.push("waiting for your approval");
  else if (root.currentTool) parts.push(root.currentTool);
  return parts.join(" · ");
}

export function outcomeMessage(agent: AgentSnapshot): string {
  const took = formatElapsed(agent.elapsedMs);
  switch (agent.status) {
    case "completed":
      return `Subagents: "${agent.name}" finished in ${took}.`;
    case "timed_out":
      return `Subagents: "${agent.name}" timed out after ${took}; its partial answer is open.`;
    case "interrupted":
      return `Subagents: "${agent.name}" was interrupted after ${took}${agent.statusReason ? ` (${agent.statusReason})` : ""}.`;
    default:
      return `Subagents: "${agent.name}" failed after ${took}: ${agent.error ?? agent.statusReason ?? "no reason given"}`;
  }
}

/** Why a task cannot run in Restricted Mode; Run Task, the language model tools and the chat participant all say this. */
export const RESTRICTED_MODE_MESSAGE =
  "Subagents: running a task needs a trusted workspace, because agents read, edit and run commands in it. " +
  "The agent tree, API keys and transcripts work in Restricted Mode.";

/** Why a task cannot run without a folder. */
export const NO_FOLDER_MESSAGE = "Subagents: open a folder first; agents work inside a workspace folder.";

async function explainRestrictedMode(): Promise<void> {
  const choice = await vscode.window.showWarningMessage(RESTRICTED_MODE_MESSAGE, "Manage Workspace Trust");
  if (choice) await vscode.commands.executeCommand("workbench.trust.manage");
}

/** Asks for what is missing, then returns the task and model, or undefined when the user backed out. */
async function collectInput(
  deps: RunTaskDeps,
  arg: unknown,
): Promise<{ task: string; modelRef: string; document?: vscode.TextDocument } | undefined> {
  const given = parseRunTaskArgument(arg);
  const answer = given.task !== undefined ? { kind: "text" as const, text: given.task } : await askForTask();
  if (answer?.kind !== "text") return undefined;
  const task = answer.text;
  const problem = validateTask(task);
  if (problem) {
    void vscode.window.showWarningMessage(`Subagents: ${problem}`);
    return undefined;
  }

  let modelRef = given.modelRef;
  if (modelRef === undefined) {
    const configured = modelChoices(deps.settings());
    const offered = await (deps.vscodeModels?.() ?? Promise.resolve([])).catch((error: unknown) => {
      deps.logger.warn(`could not list VS Code's models: ${String(error)}`);
      return [];
    });
    const choices = [...configured, ...offered.filter((ref) => !configured.includes(ref))];
    if (choices.length > 1) {
      const picked = await vscode.window.showQuickPick(
        choices.map((ref, i) => ({
          label: ref,
          ...(i === 0 ? { description: "default (subagents.model)" } : isVscodeLmProvider(splitModelRef(ref)?.providerId ?? "") ? { description: "offered by VS Code, no key needed" } : {}),
        })),
        { title: "Subagents: model for the root agent", placeHolder: "Enter keeps the default" },
      );
      if (!picked) return undefined;
      modelRef = picked.label;
    } else {
      modelRef = choices[0] ?? "";
    }
  }
  return { task: task.trim(), modelRef, ...("document" in answer && answer.document ? { document: answer.document } : {}) };
}

/**
 * A keyless provider (`auth: "none"`) starts at once; a provider that takes
 * keys and has none would fail at its first call, so this offers to add one
 * or says how to mark the server keyless.
 */
async function confirmKeys(deps: RunTaskDeps, modelRef: string): Promise<boolean> {
  const providerId = splitModelRef(modelRef)?.providerId;
  // VS Code's own models need no key of ours (VS Code asks for consent itself).
  if (!providerId || isVscodeLmProvider(providerId)) return true;
  const provider = deps.settings().providers.find((p) => p.id === providerId);
  if (provider && isKeyless(provider)) return true;
  if ((await deps.storedKeyCount(providerId)) > 0) return true;
  const choice = await vscode.window.showWarningMessage(
    `Subagents: there is no API key for "${providerId}". Add one; for a server that needs no key (e.g. a local server), set "auth": "none" on its entry in subagents.providers.`,
    "Add API Key…",
    "Open Settings",
  );
  if (choice === "Open Settings") {
    await vscode.commands.executeCommand("workbench.action.openSettings", "subagents.providers");
    return false;
  }
  if (choice !== "Add API Key…") return false;
  await vscode.commands.executeCommand(COMMAND_IDS.addApiKey, providerId);
  return (await deps.storedKeyCount(providerId)) > 0;
}

/** Subagents: Run Task… — several may run at once; each has its own progress notification. */
export async function runTask(deps: RunTaskDeps, arg?: unknown): Promise<void> {
  if (!vscode.workspace.isTrusted) return explainRestrictedMode();
  if (!vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showWarningMessage(NO_FOLDER_MESSAGE);
    return;
  }
  const input = await collectInput(deps, arg);
  if (!input || !(await confirmKeys(deps, input.modelRef))) return;

  let started: ReturnType<UserControls["runRoot"]>;
  try {
    started = deps.supervisor.runRoot({ task: input.task, ...(input.modelRef ? { modelRef: input.modelRef } : {}) });
    markTaskStarted(input.document);
  } catch (error) {
    void vscode.window.showErrorMessage(`Subagents: ${(error as Error).message}`);
    return;
  }
  const { agentId, done } = started;
  deps.logger.info(`run task: root ${agentId} on ${input.modelRef}`);
  void vscode.commands.executeCommand(`${AGENT_TREE_VIEW_ID}.focus`);

  const final = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Subagents: ${deps.supervisor.get(agentId)?.name ?? "task"}`, cancellable: true },
    async (progress, token) => {
      const cancel = token.onCancellationRequested(() => deps.supervisor.interrupt(agentId, "cancelled by the user"));
      let last = "";
      let timer: ReturnType<typeof setTimeout> | undefined;
      const report = () => {
        timer = undefined;
        const root = deps.supervisor.get(agentId);
        const line = root ? progressLine(root, deps.supervisor.snapshot()) : "";
        if (line !== last) progress.report({ message: (last = line) });
      };
      const watch = deps.supervisor.onDidChange(() => (timer ??= setTimeout(report, 300)));
      // Elapsed time advances without tree events (a root waiting on its children), so tick too.
      const ticker = setInterval(report, 1000);
      report();
      try {
        return await done;
      } finally {
        clearInterval(ticker);
        clearTimeout(timer);
        watch.dispose();
        cancel.dispose();
      }
    },
  );

  // The window is closing (the supervisor stopped the run without a final status), or the agent is gone.
  if (!isFinal(final.status) || !deps.supervisor.get(agentId)) return;
  await deps.openDocument(agentId, "result").catch((error: unknown) => deps.logger.warn(`could not open the result: ${String(error)}`));
  const choice =
    final.status === "completed"
      ? await vscode.window.showInformationMessage(outcomeMessage(final), "Open Transcript")
      : await vscode.window.showWarningMessage(outcomeMessage(final), "Open Transcript");
  if (choice) await deps.openDocument(agentId, "transcript");
}
