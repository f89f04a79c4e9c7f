import type { NoticeMessage } from "../../src/core/protocol/messages";
import { codicon, el, iconButton } from "./dom";

const SHOW_MS = 6_000;
const ICONS: Readonly<Record<NoticeMessage["level"], string>> = { info: "info", warning: "warning", error: "error" };

/** One short line from the host (e.g. why an action was refused), announced politely, gone after a while. */
export class Notices {
  readonly element: HTMLElement;
  private timer = 0;

  constructor() {
    this.element = el("div", { className: "notices", attrs: { role: "status", "aria-live": "polite" } });
    this.element.addEventListener("click", (event) => {
      if (event.target instanceof Element && event.target.closest("button")) this.clear();
    });
  }

  show(level: NoticeMessage["level"], message: string): void {
    window.clearTimeout(this.timer);
    this.element.replaceChildren(
      el(
        "div",
        { className: `notice notice-${level}` },
        codicon(ICONS[level]),
        el("span", { className: "notice-text" }, message),
        iconButton({ icon: "close", ariaLabel: "Dismiss notice" }),
      ),
    );
    this.timer = window.setTimeout(() => this.clear(), SHOW_MS);
  }

  clear(): void {
    window.clearTimeout(this.timer);
    this.element.replaceChildren();
  }
}
