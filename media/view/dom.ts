/**
 * Tiny DOM builders. Text always goes in through `textContent`/text nodes,
 * never through `innerHTML`, so agent names, tasks and tool previews cannot
 * become markup.
 */
type Child = Node | string | null | undefined | false;

export interface ElementOptions {
  readonly className?: string;
  readonly attrs?: Readonly<Record<string, string>>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.attrs) for (const [name, value] of Object.entries(options.attrs)) element.setAttribute(name, value);
  for (const child of children) if (child) element.append(child);
  return element;
}

/** A codicon; decorative, so hidden from assistive technology. */
export function codicon(name: string, extraClass = ""): HTMLSpanElement {
  return el("span", {
    className: `codicon codicon-${name}${extraClass ? ` ${extraClass}` : ""}`,
    attrs: { "aria-hidden": "true" },
  });
}

export interface IconButtonOptions {
  readonly icon: string;
  readonly ariaLabel: string;
  readonly title?: string;
  readonly className?: string;
  /** Shown next to the icon; without it the button is icon-only (the aria-label names it). */
  readonly text?: string;
  readonly dataset?: Readonly<Record<string, string>>;
}

export function iconButton(options: IconButtonOptions): HTMLButtonElement {
  const button = el(
    "button",
    {
      className: `icon-button${options.text ? " with-text" : ""}${options.className ? ` ${options.className}` : ""}`,
      attrs: { type: "button", "aria-label": options.ariaLabel, title: options.title ?? options.ariaLabel },
    },
    codicon(options.icon),
    options.text ? el("span", { className: "label" }, options.text) : null,
  );
  if (options.dataset) Object.assign(button.dataset, options.dataset);
  return button;
}
