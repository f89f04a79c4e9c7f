import "@vscode-elements/elements/dist/vscode-label/index.js";
import "@vscode-elements/elements/dist/vscode-textarea/index.js";
import "@vscode-elements/elements/dist/vscode-textfield/index.js";
import { MAX_MESSAGE_CHARS } from "../../src/core/protocol/messages";
import { parseTimeoutAnswer } from "../model/format";
import { el } from "./dom";

export type PromptKind = "timeout" | "message";

export interface PromptRequest {
  readonly kind: PromptKind;
  readonly agentId: string;
  readonly agentName: string;
  /** Gives focus back to where the prompt was opened from. */
  readonly returnFocus?: () => void;
}

export type PromptAnswer = { readonly kind: "timeout"; readonly seconds: number } | { readonly kind: "message"; readonly message: string };

/** Returns an error to show, or undefined when the answer was accepted. */
export type PromptSubmit = (request: PromptRequest, answer: PromptAnswer) => string | undefined;

/** The value a `vscode-textfield`/`vscode-textarea` holds. */
interface ValueElement extends HTMLElement {
  value: string;
}

/**
 * "Set timeout…" and "Send message…" ask for their value inside the view, not
 * through a host input box: the user stays in the view's keyboard flow, the
 * agent they are acting on stays visible, and the answer goes to the host as
 * one ordinary, schema-checked message.
 */
export class InlinePrompt {
  readonly element: HTMLFormElement;
  private readonly title: HTMLElement;
  private readonly fieldSlot: HTMLElement;
  private readonly hint: HTMLElement;
  private readonly submitButton: HTMLButtonElement;
  private field: ValueElement | undefined;
  private request: PromptRequest | undefined;

  constructor(private readonly onSubmit: PromptSubmit) {
    this.title = el("vscode-label", { attrs: { for: "prompt-field" } });
    this.fieldSlot = el("div", { className: "prompt-field" });
    this.hint = el("div", { className: "prompt-hint", attrs: { id: "prompt-hint", "aria-live": "polite" } });
    this.submitButton = el("button", { className: "text-button primary", attrs: { type: "submit" } });
    const cancel = el("button", { className: "text-button", attrs: { type: "button" } }, "Cancel");
    cancel.addEventListener("click", () => this.close());
    this.element = el(
      "form",
      // The page turns VS Code's Cut/Copy/Paste menu off; a text field needs it back.
      { className: "prompt", attrs: { role: "dialog", "data-vscode-context": JSON.stringify({ preventDefaultContextMenuItems: false }) } },
      this.title,
      this.fieldSlot,
      this.hint,
      el("div", { className: "prompt-buttons" }, this.submitButton, cancel),
    );
    this.element.hidden = true;
    this.element.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    // Capture phase, and the default prevented: focus goes back to the button that opened the
    // prompt while Enter is still down, and that button must not see the key press and reopen it.
    this.element.addEventListener(
      "keydown",
      (event) => {
        const submitKey = event.key === "Enter" && (this.request?.kind === "timeout" || event.ctrlKey || event.metaKey);
        if (event.key !== "Escape" && !submitKey) return;
        event.preventDefault();
        event.stopPropagation();
        if (submitKey) this.submit();
        else this.close();
      },
      true,
    );
  }

  get openFor(): string | undefined {
    return this.request?.agentId;
  }

  open(request: PromptRequest): void {
    this.request = request;
    const isTimeout = request.kind === "timeout";
    const title = isTimeout ? `Set timeout of ${request.agentName}` : `Send message to ${request.agentName}`;
    this.title.textContent = title;
    this.element.setAttribute("aria-label", title);
    this.submitButton.textContent = isTimeout ? "Set Timeout" : "Send";
    this.hint.textContent = isTimeout
      ? "A duration from now, such as 90s, 10m or 1h."
      : "The agent reads it next; a finished agent runs again. Ctrl+Enter sends.";
    this.hint.classList.remove("error");
    const field: ValueElement = document.createElement(isTimeout ? "vscode-textfield" : "vscode-textarea");
    field.id = "prompt-field";
    field.setAttribute("aria-describedby", "prompt-hint");
    if (isTimeout) field.setAttribute("placeholder", "10m");
    else field.setAttribute("rows", "3");
    this.field = field;
    this.fieldSlot.replaceChildren(field);
    this.element.hidden = false;
    // The custom element renders its inner input on the next microtask.
    void customElements.whenDefined(field.localName).then(() => requestAnimationFrame(() => field.focus()));
  }

  close(): void {
    if (!this.request) return;
    const returnFocus = this.request.returnFocus;
    this.request = undefined;
    this.field = undefined;
    this.fieldSlot.replaceChildren();
    this.element.hidden = true;
    returnFocus?.();
  }

  private submit(): void {
    const request = this.request;
    if (!request || !this.field) return;
    const raw = this.field.value;
    let answer: PromptAnswer;
    if (request.kind === "timeout") {
      const parsed = parseTimeoutAnswer(raw);
      if ("error" in parsed) {
        this.showError(parsed.error);
        return;
      }
      answer = { kind: "timeout", seconds: parsed.seconds };
    } else {
      const message = raw.trim();
      if (message === "" || message.length > MAX_MESSAGE_CHARS) {
        this.showError(message === "" ? "Type a message first." : `Keep the message under ${MAX_MESSAGE_CHARS} characters.`);
        return;
      }
      answer = { kind: "message", message };
    }
    const error = this.onSubmit(request, answer);
    if (error) this.showError(error);
    else this.close();
  }

  private showError(message: string): void {
    this.hint.textContent = message;
    this.hint.classList.add("error");
    this.field?.focus();
  }
}
