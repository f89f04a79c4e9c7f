import type { ToolbarCommand } from "../../src/core/protocol/messages";
import { el, iconButton } from "./dom";

/** What a new user sees before any agent exists: what this view is for and the two steps to start. */
export class EmptyState {
  readonly element: HTMLElement;
  private readonly lead: HTMLElement;
  private readonly addKey: HTMLButtonElement;

  constructor(onCommand: (command: ToolbarCommand) => void) {
    this.lead = el("p", { className: "empty-lead" });
    this.addKey = iconButton({ icon: "key", ariaLabel: "Add API Key…", text: "Add API Key…", className: "text-button", dataset: { command: "addApiKey" } });
    const runTask = iconButton({ icon: "play", ariaLabel: "Run Task…", text: "Run Task…", className: "text-button primary", dataset: { command: "runTask" } });
    this.element = el(
      "div",
      { className: "empty" },
      el("h2", {}, "No agents yet"),
      this.lead,
      el("div", { className: "empty-buttons" }, this.addKey, runTask),
      el(
        "p",
        { className: "muted" },
        "Every agent and subagent appears here with its status, time, tokens and controls. Commands are also in the Command Palette under “Subagents”.",
      ),
    );
    this.element.addEventListener("click", (event) => {
      const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>("button[data-command]") : null;
      const command = button?.dataset["command"];
      if (command === "addApiKey" || command === "runTask") onCommand(command);
    });
    this.element.hidden = true;
  }

  update(visible: boolean, hasKeys: boolean): void {
    this.element.hidden = !visible;
    if (!visible) return;
    this.lead.textContent = hasKeys
      ? "Run a task: a root agent starts, and can fan the work out to subagents that run in parallel."
      : "Add an API key for your provider (OpenAI or any OpenAI-compatible server), then run a task.";
    this.addKey.hidden = hasKeys;
  }
}
