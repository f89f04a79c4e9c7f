import { codicon, el } from "./dom";
import type { Anchor } from "./treeView";

export interface MenuItem {
  readonly id: string;
  readonly label: string;
  readonly icon: string;
  readonly ariaLabel: string;
  /** Starts a new group (a separator above it). */
  readonly groupStart?: boolean;
}

/**
 * A small ARIA menu of real buttons: arrows, Home/End move; Enter/Space press;
 * Escape and Tab close and give focus back to where the menu came from.
 * VS Code's own webview context menus would need manifest entries per item,
 * and could not show per-agent availability, so the view draws its own.
 */
export class ContextMenu {
  private element: HTMLElement | undefined;
  private returnFocusTo: HTMLElement | undefined;
  private readonly onDocumentPointer = (event: PointerEvent): void => {
    if (this.element && event.target instanceof Node && !this.element.contains(event.target)) this.close(false);
  };

  constructor(private readonly host: HTMLElement) {}

  get isOpen(): boolean {
    return this.element !== undefined;
  }

  open(label: string, items: readonly MenuItem[], anchor: Anchor, returnFocusTo: HTMLElement, onPick: (id: string) => void): void {
    this.close(false);
    this.returnFocusTo = returnFocusTo;
    const menu = el("div", { className: "context-menu", attrs: { role: "menu", "aria-label": label } });
    for (const item of items) {
      if (item.groupStart && menu.childElementCount > 0) menu.append(el("div", { className: "separator", attrs: { role: "separator" } }));
      const button = el(
        "button",
        { className: "menu-item", attrs: { type: "button", role: "menuitem", "aria-label": item.ariaLabel, tabindex: "-1" } },
        codicon(item.icon),
        el("span", { className: "label" }, item.label),
      );
      button.addEventListener("click", () => {
        this.close(true);
        onPick(item.id);
      });
      menu.append(button);
    }
    menu.addEventListener("keydown", (event) => this.onKeyDown(event));
    this.host.append(menu);
    this.element = menu;
    this.position(menu, anchor);
    this.items()[0]?.focus();
    document.addEventListener("pointerdown", this.onDocumentPointer, true);
  }

  /** Closes the menu; with `restoreFocus`, focus goes back to the row or button that opened it. */
  close(restoreFocus: boolean): void {
    if (!this.element) return;
    this.element.remove();
    this.element = undefined;
    document.removeEventListener("pointerdown", this.onDocumentPointer, true);
    if (restoreFocus && this.returnFocusTo?.isConnected) this.returnFocusTo.focus({ preventScroll: true });
    this.returnFocusTo = undefined;
  }

  private items(): HTMLButtonElement[] {
    return this.element ? [...this.element.querySelectorAll<HTMLButtonElement>(".menu-item")] : [];
  }

  private position(menu: HTMLElement, anchor: Anchor): void {
    const width = menu.offsetWidth;
    const height = menu.offsetHeight;
    const left = Math.max(0, Math.min(anchor.x, window.innerWidth - width - 2));
    const top = anchor.y + height > window.innerHeight ? Math.max(0, anchor.y - height) : anchor.y;
    menu.style.left = `${left}px`;
    menu.style.top = `${top}px`;
  }

  private onKeyDown(event: KeyboardEvent): void {
    const items = this.items();
    const current = items.indexOf(document.activeElement as HTMLButtonElement);
    const focus = (index: number): void => items[(index + items.length) % items.length]?.focus();
    switch (event.key) {
      case "ArrowDown":
        focus(current + 1);
        break;
      case "ArrowUp":
        focus(current - 1);
        break;
      case "Home":
        focus(0);
        break;
      case "End":
        focus(items.length - 1);
        break;
      case "Escape":
      case "Tab":
        this.close(true);
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  }
}
