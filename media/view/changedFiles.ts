import type { AgentSnapshot } from "../../src/core/protocol/agentSnapshot";
import type { WebviewToHostMessage } from "../../src/core/protocol/messages";
import { codicon, el, iconButton } from "./dom";

const KIND_LOOK = {
  created: { icon: "diff-added", label: "created" },
  modified: { icon: "diff-modified", label: "modified" },
  deleted: { icon: "diff-removed", label: "deleted" },
} as const;

type FileAction = "open" | "revert" | "keep" | "revertAll" | "keepAll";

/**
 * The detail pane's list of the files the agent changed: each opens its diff,
 * and can be reverted or kept on its own; the header acts on all of the
 * agent's own files. Buttons carry `data-file-action` (and the path), which
 * `fileActionMessage` turns into the message for the host.
 */
export function changedFilesSection(agent: AgentSnapshot): HTMLElement | null {
  const files = agent.changes ?? [];
  if (files.length === 0) return null;
  const list = el("ul", { className: "detail-changes", attrs: { "aria-label": `Files changed by ${agent.name}` } });
  for (const file of files) {
    const look = KIND_LOOK[file.kind];
    const open = el(
      "button",
      { className: `change-open change-${file.kind}`, attrs: { type: "button", title: `Open the diff of ${file.path}` } },
      codicon(look.icon),
      el("span", { className: "change-path" }, file.path),
      el("span", { className: "change-kind" }, look.label),
    );
    Object.assign(open.dataset, { fileAction: "open", path: file.path });
    list.append(
      el(
        "li",
        { className: "change" },
        open,
        iconButton({ icon: "discard", ariaLabel: `Revert ${file.path}`, title: "Revert this file", dataset: { fileAction: "revert", path: file.path } }),
        iconButton({ icon: "check", ariaLabel: `Keep ${file.path}`, title: "Keep this change", dataset: { fileAction: "keep", path: file.path } }),
      ),
    );
  }
  const more = (agent.changedFiles ?? files.length) - files.length;
  const header = el(
    "div",
    { className: "detail-changes-header" },
    el("h3", {}, `Changed files (${agent.changedFiles ?? files.length})`),
    iconButton({ icon: "discard", ariaLabel: `Revert all files changed by ${agent.name}`, text: "Revert All", dataset: { fileAction: "revertAll" } }),
    iconButton({ icon: "check-all", ariaLabel: `Keep all files changed by ${agent.name}`, text: "Keep All", dataset: { fileAction: "keepAll" } }),
  );
  return el(
    "section",
    { className: "detail-section detail-changes-section" },
    header,
    list,
    more > 0 ? el("p", { className: "muted" }, `${more} more: Subagents: Review Agent Changes… lists them all.`) : null,
  );
}

/** The host message for a click on one of the section's buttons (undefined for anything else). */
export function fileActionMessage(button: HTMLElement, agentId: string): WebviewToHostMessage | undefined {
  const action = button.dataset["fileAction"] as FileAction | undefined;
  const path = button.dataset["path"];
  switch (action) {
    case "open":
      return path ? { type: "openChange", agentId, path } : undefined;
    case "revert":
      return path ? { type: "revertChanges", agentId, scope: "agent", path } : undefined;
    case "keep":
      return path ? { type: "keepChanges", agentId, scope: "agent", path } : undefined;
    case "revertAll":
      return { type: "revertChanges", agentId, scope: "agent" };
    case "keepAll":
      return { type: "keepChanges", agentId, scope: "agent" };
    default:
      return undefined;
  }
}

/** Where an isolated agent works, until Merge or Discard (the buttons are among the pane's actions). */
export function worktreeSection(agent: AgentSnapshot): HTMLElement | null {
  const worktree = agent.worktree;
  if (!worktree) return null;
  return el(
    "section",
    { className: "detail-section detail-worktree" },
    el("h3", {}, "Worktree"),
    el("p", {}, codicon("git-branch"), " ", el("code", {}, worktree.branch)),
    el("p", { className: "muted" }, "The workspace changes only when you merge this worktree; Discard deletes it with its branch."),
  );
}
