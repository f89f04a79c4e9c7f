import type { AgentStatus } from "../../src/core/agents/status";
import type { KeyPoolSummary } from "../../src/core/protocol/agentSnapshot";
import type { ToolbarCommand } from "../../src/core/protocol/messages";
import { STATUS_LOOK } from "../model/format";
import { codicon, el, iconButton } from "./dom";

export interface ToolbarCallbacks {
  readonly onCommand: (command: ToolbarCommand) => void;
  readonly onSetSpawningPaused: (paused: boolean) => void;
}

export interface ToolbarModel {
  readonly keys: readonly KeyPoolSummary[];
  readonly spawningPaused: boolean;
  readonly counts: Readonly<Record<AgentStatus, number>>;
}

const LIVE: readonly AgentStatus[] = ["pending_init", "queued", "running", "waiting"];
const FINAL: readonly AgentStatus[] = ["completed", "failed", "timed_out", "interrupted"];

/** Run Task, Interrupt All, Pause/Resume Spawning, Clear Finished, and the key-pool summary. */
export class Toolbar {
  readonly element: HTMLElement;
  private readonly interruptAll: HTMLButtonElement;
  private readonly pause: HTMLButtonElement;
  private readonly clearFinished: HTMLButtonElement;
  private readonly keyButton: HTMLButtonElement;
  private readonly summary: HTMLElement;
  private paused = false;
  private lastKey = "";

  constructor(callbacks: ToolbarCallbacks) {
    const runTask = iconButton({ icon: "play", ariaLabel: "Run Task…", dataset: { command: "runTask" } });
    this.interruptAll = iconButton({ icon: "stop-circle", ariaLabel: "Interrupt All Agents", dataset: { command: "interruptAll" } });
    this.pause = iconButton({ icon: "debug-pause", ariaLabel: "Pause Spawning" });
    this.clearFinished = iconButton({ icon: "clear-all", ariaLabel: "Clear Finished Agents", dataset: { command: "clearFinished" } });
    this.keyButton = el("button", { className: "key-summary", attrs: { type: "button" } });
    this.summary = el("div", { className: "summary" });
    this.element = el(
      "div",
      { className: "toolbar-area" },
      el(
        "div",
        { className: "toolbar", attrs: { role: "group", "aria-label": "Agent tree actions" } },
        runTask,
        this.interruptAll,
        this.pause,
        this.clearFinished,
        el("span", { className: "spacer" }),
        this.keyButton,
      ),
      this.summary,
    );
    this.element.addEventListener("click", (event) => {
      const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>("button") : null;
      if (!button || button.disabled) return;
      if (button === this.pause) callbacks.onSetSpawningPaused(!this.paused);
      else if (button === this.keyButton) callbacks.onCommand(this.keyButton.dataset["command"] === "addApiKey" ? "addApiKey" : "showKeyPool");
      else if (button.dataset["command"]) callbacks.onCommand(button.dataset["command"] as ToolbarCommand);
    });
  }

  update(model: ToolbarModel): void {
    const key = JSON.stringify(model);
    if (key === this.lastKey) return;
    this.lastKey = key;
    const live = LIVE.reduce((sum, status) => sum + model.counts[status], 0);
    const finished = FINAL.reduce((sum, status) => sum + model.counts[status], 0);
    this.interruptAll.disabled = live === 0;
    this.clearFinished.disabled = finished === 0;

    this.paused = model.spawningPaused;
    const pauseLabel = model.spawningPaused ? "Resume Spawning" : "Pause Spawning";
    this.pause.setAttribute("aria-label", pauseLabel);
    this.pause.title = pauseLabel;
    this.pause.setAttribute("aria-pressed", String(model.spawningPaused));
    this.pause.replaceChildren(codicon(model.spawningPaused ? "debug-start" : "debug-pause"));

    this.renderKeys(model.keys);
    const parts = (Object.keys(model.counts) as AgentStatus[])
      .filter((status) => model.counts[status] > 0)
      .map((status) => `${model.counts[status]} ${STATUS_LOOK[status].label.toLowerCase()}`);
    if (model.spawningPaused) parts.unshift("spawning paused");
    this.summary.textContent = parts.join(" · ");
    this.summary.hidden = parts.length === 0;
  }

  private renderKeys(keys: readonly KeyPoolSummary[]): void {
    const total = keys.reduce((sum, k) => sum + k.healthy + k.cooling + k.invalid, 0);
    if (total === 0) {
      this.keyButton.dataset["command"] = "addApiKey";
      this.keyButton.setAttribute("aria-label", "No API keys. Add API Key…");
      this.keyButton.title = "No API keys yet: add one";
      this.keyButton.replaceChildren(codicon("key"), el("span", { className: "label" }, "Add key"));
      return;
    }
    this.keyButton.dataset["command"] = "showKeyPool";
    const spoken = keys.map((k) => `${k.providerId} ${k.healthy} healthy, ${k.cooling} cooling, ${k.invalid} invalid`);
    this.keyButton.setAttribute("aria-label", `Key pool: ${spoken.join("; ")}. Show Key Pool`);
    this.keyButton.title = `${spoken.join("\n")}\nShow Key Pool`;
    const parts: Node[] = [codicon("key")];
    for (const k of keys) {
      parts.push(
        el(
          "span",
          { className: "key-provider" },
          el("span", { className: "provider" }, k.providerId),
          el("span", { className: "healthy" }, String(k.healthy)),
          k.cooling > 0 ? el("span", { className: "cooling" }, `/${k.cooling}`) : null,
          k.invalid > 0 ? el("span", { className: "invalid" }, `/${k.invalid}`) : null,
        ),
      );
    }
    this.keyButton.replaceChildren(...parts);
  }
}
