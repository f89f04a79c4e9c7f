import type * as vscode from "vscode";
import { ShimEventEmitter } from "./vscodeShimClasses";

/**
 * `window.createInputBox` for host tests. The scripted user answers from
 * `inputAnswers`, one after another while the box stays open: a string is
 * typed and Enter pressed, `{ button }` presses the title button with that
 * tooltip, undefined (or an empty queue) is Escape.
 */
export type InputAnswer = string | undefined | { button: string };

/** What a test sees of an input box: its options, and for createInputBox its buttons and every validation message set. */
export interface InputBoxRecord extends vscode.InputBoxOptions {
  buttons?: readonly vscode.QuickInputButton[];
  validationMessages?: string[];
}

export interface InputBoxUser {
  inputAnswers: InputAnswer[];
  inputBoxes: InputBoxRecord[];
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createShimInputBox(user: InputBoxUser): vscode.InputBox {
  const changed = new ShimEventEmitter<string>();
  const accepted = new ShimEventEmitter<void>();
  const hidden = new ShimEventEmitter<void>();
  const triggered = new ShimEventEmitter<vscode.QuickInputButton>();
  let visible = false;
  let message: string | vscode.InputBoxValidationMessage | undefined;
  let record: InputBoxRecord | undefined;

  const type = (text: string) => {
    box.value = text;
    changed.fire(text);
  };
  const play = async () => {
    while (visible) {
      await nextTurn();
      if (!visible) return;
      const answer = user.inputAnswers.shift();
      if (answer === undefined) box.hide();
      else if (typeof answer === "string") {
        type(answer);
        accepted.fire();
      } else {
        const button = box.buttons.find((b) => b.tooltip === answer.button);
        if (!button) throw new Error(`the input box has no button "${answer.button}"`);
        triggered.fire(button);
      }
      // Handlers may hide the box a little later, as the real ones do after an await.
      await nextTurn();
    }
  };

  const box = {
    value: "",
    placeholder: undefined as string | undefined,
    password: false as boolean,
    prompt: undefined as string | undefined,
    title: undefined as string | undefined,
    step: undefined as number | undefined,
    totalSteps: undefined as number | undefined,
    enabled: true,
    busy: false,
    ignoreFocusOut: false as boolean,
    buttons: [] as readonly vscode.QuickInputButton[],
    get validationMessage() {
      return message;
    },
    set validationMessage(value: string | vscode.InputBoxValidationMessage | undefined) {
      message = value;
      if (value !== undefined) record?.validationMessages?.push(typeof value === "string" ? value : value.message);
    },
    onDidChangeValue: changed.event,
    onDidAccept: accepted.event,
    onDidHide: hidden.event,
    onDidTriggerButton: triggered.event,
    show() {
      if (visible) return;
      visible = true;
      const shown: InputBoxRecord = {
        ...(box.title !== undefined ? { title: box.title } : {}),
        ...(box.prompt !== undefined ? { prompt: box.prompt } : {}),
        ...(box.placeholder !== undefined ? { placeHolder: box.placeholder } : {}),
        password: box.password,
        ignoreFocusOut: box.ignoreFocusOut,
        value: box.value,
        buttons: [...box.buttons],
        validationMessages: [],
      };
      record = shown;
      user.inputBoxes.push(shown);
      void play();
    },
    hide() {
      if (!visible) return;
      visible = false;
      hidden.fire();
    },
    dispose() {
      box.hide();
    },
  } satisfies Partial<vscode.InputBox>;
  return box as unknown as vscode.InputBox;
}
