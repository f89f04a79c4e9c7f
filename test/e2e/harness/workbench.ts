import { mkdirSync } from "node:fs";
import * as path from "node:path";
import type { Frame, Locator, Page } from "playwright-core";
import { OUTPUT_DIR } from "./paths";
import { log } from "./provision";
import { waitUntil } from "../../fakes/polling";
// Also importable from here (the e2e files did so before the helper moved to test/fakes).
export { waitUntil };

/**
 * The few browser globals the page functions use. The project compiles
 * without the DOM lib (core must not touch it), so they are typed here; the
 * casts vanish when Playwright serialises the functions into the page.
 */
interface BrowserElement {
  readonly value?: string;
  getAttribute(name: string): string | null;
  blur?(): void;
  closest?(selector: string): BrowserElement | null;
}
interface BrowserGlobals {
  document: {
    readonly activeElement: BrowserElement | null;
    readonly body: { readonly innerText: string } | null;
    querySelectorAll(selector: string): Iterable<BrowserElement>;
  };
  navigator: { clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> } };
}

function exactText(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);
}

/**
 * The VS Code workbench in the page, driven only the way a user drives it:
 * F1 and the command palette, input boxes, quick picks, notifications, the
 * activity bar, the Output panel.
 */
export class Workbench {
  constructor(readonly page: Page) {}

  get quickInput(): Locator {
    return this.page.locator(".quick-input-widget");
  }

  private get quickInputBox(): Locator {
    return this.quickInput.locator(".quick-input-box input");
  }

  async waitForReady(): Promise<void> {
    await this.page.waitForSelector(".monaco-workbench", { timeout: 90_000 });
    // The status bar and activity bar render once the workbench has restored.
    await this.page.waitForSelector(".part.statusbar", { timeout: 60_000 });
    await this.page.waitForSelector(".part.activitybar .action-item", { timeout: 60_000 });
  }

  async isQuickInputVisible(): Promise<boolean> {
    return this.quickInput.isVisible();
  }

  async closeQuickInput(): Promise<void> {
    for (let i = 0; i < 3 && (await this.isQuickInputVisible()); i++) {
      await this.page.keyboard.press("Escape");
      await this.quickInput.waitFor({ state: "hidden", timeout: 2_000 }).catch(() => undefined);
    }
  }

  /**
   * F1, type the command's title, run the entry whose label is exactly
   * `title`. Throws when the palette has no such entry (e.g. its `when`
   * clause hides it).
   */
  async runCommand(title: string, options: { timeoutMs?: number } = {}): Promise<void> {
    // The palette closes when focus moves (an editor the product opens as an
    // agent ends, say), at any step: then it is opened again, a few times at most.
    const row = this.quickInput.locator(".monaco-list-row").filter({ has: this.page.locator(".label-name", { hasText: exactText(title) }) }).first();
    for (let attempt = 1; ; attempt++) {
      await this.closeQuickInput();
      // Give the key to the workbench, not to a focused webview iframe.
      await this.page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.activeElement?.blur?.()).catch(() => undefined);
      await this.page.keyboard.press("F1");
      try {
        await this.quickInputBox.waitFor({ state: "visible", timeout: 10_000 });
        await this.quickInputBox.fill(`>${title}`, { timeout: 5_000 });
      } catch (error) {
        if (attempt >= 3) throw error;
        continue;
      }
      try {
        await row.waitFor({ state: "visible", timeout: options.timeoutMs ?? 10_000 });
      } catch {
        if (!(await this.isQuickInputVisible()) && attempt < 3) continue;
        const offered = await this.quickPickLabels();
        await this.closeQuickInput();
        throw new Error(`the command palette has no command "${title}" (it offered: ${offered.slice(0, 8).join(" | ") || "nothing"})`);
      }
      try {
        await row.click({ timeout: 5_000 });
        return;
      } catch (error) {
        // A timeout means the row never became clickable, so nothing ran: the
        // palette closed between finding it and clicking it. Anything else is real.
        if ((error as Error).name !== "TimeoutError" || attempt >= 3) throw error;
      }
    }
  }

  /** Waits for an input box (optionally with this title, optionally a password box), types `text`, presses Enter. */
  async typeIntoInputBox(text: string, options: { title?: string | RegExp; password?: boolean; timeoutMs?: number } = {}): Promise<void> {
    await this.waitForInputBox(options);
    if (options.password !== undefined) {
      const type = await this.quickInputBox.getAttribute("type");
      if ((type === "password") !== options.password) {
        throw new Error(`expected ${options.password ? "a password" : "a plain"} input box, found input type="${String(type)}"`);
      }
    }
    await this.quickInputBox.fill(text);
    await this.page.keyboard.press("Enter");
  }

  async waitForInputBox(options: { title?: string | RegExp; password?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 15_000;
    await waitUntil(
      () => `an input box${options.title ? ` titled ${String(options.title)}` : ""}${options.password ? " (password)" : ""}`,
      async () => {
        if (!(await this.quickInputBox.isVisible())) return false;
        if (options.title !== undefined) {
          const title = await textIfVisible(this.quickInput.locator(".quick-input-title"), "textContent");
          const ok = typeof options.title === "string" ? title.includes(options.title) : options.title.test(title);
          if (!ok) return false;
        }
        if (options.password) return (await this.quickInputBox.getAttribute("type")) === "password";
        return true;
      },
      timeoutMs,
    );
  }

  /** The validation message under the input box, if any. */
  async inputBoxMessage(): Promise<string> {
    const message = this.quickInput.locator(".quick-input-message");
    return textIfVisible(message, "textContent");
  }

  /** Labels (aria-labels) of the rows of the open quick pick, separators included as rendered. */
  async quickPickLabels(): Promise<string[]> {
    if (!(await this.isQuickInputVisible())) return [];
    return this.quickInput.locator(".monaco-list-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("aria-label") ?? (r.textContent ?? "").trim()));
  }

  /** The full visible text of the open quick pick (title, rows, separators, descriptions). */
  async quickPickText(): Promise<string> {
    if (!(await this.isQuickInputVisible())) return "";
    return textIfVisible(this.quickInput);
  }

  async waitForQuickPick(options: { title?: string | RegExp; minRows?: number; timeoutMs?: number } = {}): Promise<string[]> {
    return waitUntil(
      () => `a quick pick${options.title ? ` titled ${String(options.title)}` : ""}`,
      async () => {
        if (!(await this.isQuickInputVisible())) return false;
        if (options.title !== undefined) {
          const title = await textIfVisible(this.quickInput.locator(".quick-input-title"), "textContent");
          const ok = typeof options.title === "string" ? title.includes(options.title) : options.title.test(title);
          if (!ok) return false;
        }
        const labels = await this.quickPickLabels();
        return labels.length >= (options.minRows ?? 1) ? labels : false;
      },
      options.timeoutMs ?? 15_000,
    );
  }

  async pickQuickPickItem(label: string | RegExp): Promise<void> {
    const rows = this.quickInput.locator(".monaco-list-row");
    const row = rows.filter({ has: this.page.locator(".label-name", { hasText: typeof label === "string" ? exactText(label) : label }) });
    try {
      await row.first().waitFor({ state: "visible", timeout: 10_000 });
    } catch {
      throw new Error(`the quick pick has no item ${String(label)} (it offered: ${(await this.quickPickLabels()).join(" | ")})`);
    }
    await row.first().click();
  }

  /** Texts of the notifications currently in the page (toasts, and the notification center while it is open). */
  async notifications(): Promise<string[]> {
    return this.page.locator(".notification-list-item-message").evaluateAll((items) => items.map((i) => (i.textContent ?? "").trim()));
  }

  /**
   * Waits for a notification whose text matches, as a toast or in the
   * notification center. A toast hides itself after some seconds, and on a
   * busy machine that can be before the test looks, but the notification
   * stays in the center until cleared. So while no toast matches, the center
   * is opened (from the status bar's bell, and only while no quick input is
   * open, which a click elsewhere would close) and read as well; it is closed
   * again afterwards.
   */
  async waitForNotification(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const find = async () => (await this.notifications()).find((text) => pattern.test(text));
    let openedCenter = false;
    // The centre takes the keyboard focus from the editor, so it is opened only
    // when the toast has not shown for a while (it may have come and gone).
    const centerAfter = Date.now() + 3_000;
    try {
      return await waitUntil(
        async () => `a notification matching ${String(pattern)} in a toast or the notification center (present: ${(await this.notifications()).join(" | ") || "none"})`,
        async () => {
          const shown = await find();
          if (shown !== undefined || openedCenter || Date.now() < centerAfter || (await this.isQuickInputVisible())) return shown;
          openedCenter = await this.toggleNotificationCenter(true);
          return find();
        },
        timeoutMs,
      );
    } finally {
      if (openedCenter) await this.toggleNotificationCenter(false).catch(() => undefined);
    }
  }

  /** Shows or hides the notification center with the status bar's bell; true when it changed. */
  private async toggleNotificationCenter(show: boolean): Promise<boolean> {
    const center = this.page.locator(".notifications-center.visible");
    if ((await center.isVisible()) === show) return false;
    await this.page.locator('.part.statusbar [id="status.notifications"] a, .part.statusbar [id="status.notifications"]').first().click({ timeout: 5_000 });
    await center.waitFor({ state: show ? "visible" : "hidden", timeout: 5_000 });
    return true;
  }

  /** Clicks a button of the notification whose message matches, in its toast or the notification center. */
  async clickNotificationButton(pattern: RegExp, button: string, timeoutMs = 10_000): Promise<void> {
    await clickNotificationAction(this, pattern, button, timeoutMs);
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand("Notifications: Clear All Notifications").catch(() => undefined);
  }

  /** Opens the "Subagents" container from the activity bar and returns the agent tree webview. */
  async openSubagentsView(timeoutMs = 30_000): Promise<AgentTreeView> {
    const item = this.page.locator('.part.activitybar .action-item a.action-label[aria-label^="Subagents"]').first();
    await item.waitFor({ state: "visible", timeout: timeoutMs });
    const open = () => item.evaluate((a) => a.closest(".action-item")?.classList.contains("checked") ?? false);
    // The item toggles the container. Run Task reveals the view by itself, so a
    // click meant to open it can land just after that reveal and close it
    // again: click only while it is closed, and look again after each click.
    const frame = await waitUntil(
      "the Subagents agent-tree webview frame",
      async () => {
        if (!(await open())) {
          await item.click();
          // Give the click time to show before judging it: a second click too soon would close it.
          await waitUntil("the Subagents container to open", open, 2_000).catch(() => undefined);
          return false;
        }
        return this.findTreeFrame();
      },
      timeoutMs,
    );
    const view = new AgentTreeView(frame);
    await view.waitForConnected(timeoutMs);
    return view;
  }

  /** The frame that holds the agent tree's toolbar (webviews are nested iframes). */
  async findTreeFrame(): Promise<Frame | undefined> {
    // Frames are asked together, each for at most 2 s: a frame still being
    // created may not answer, and must not keep the others from being seen.
    const probes = this.page.frames().map(async (frame) => {
      if (frame.isDetached()) return undefined;
      const found = frame
        .locator('[role="group"][aria-label="Agent tree actions"]')
        .count()
        .then((n) => (n > 0 ? frame : undefined))
        .catch(() => undefined); // frame navigated away meanwhile
      let timer: ReturnType<typeof setTimeout> | undefined;
      const giveUp = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 2_000)));
      try {
        return await Promise.race([found, giveUp]);
      } finally {
        clearTimeout(timer);
      }
    });
    return (await Promise.all(probes)).find((frame) => frame !== undefined);
  }

  /** Opens the Output panel on `channel` and returns the text it shows (all of it, via select-all in its editor). */
  async readOutputChannel(channel: string): Promise<string> {
    await this.runCommand("Output: Show Output Channels...");
    await this.waitForQuickPick();
    await this.pickQuickPickItem(channel);
    const editor = this.page.locator(".part.panel .output-view .monaco-editor").first();
    await editor.waitFor({ state: "visible", timeout: 10_000 });
    await waitUntil(`the "${channel}" output channel to show text`, async () => ((await editor.locator(".view-lines").innerText()).trim().length > 0 ? true : false), 15_000);
    // The editor renders only visible lines; select all + copy yields the whole channel.
    await editor.locator(".view-lines").click();
    await this.page.keyboard.press("Control+A");
    await this.page.keyboard.press("Control+C");
    const copied = await this.page.evaluate(async () => {
      try {
        return await (globalThis as unknown as BrowserGlobals).navigator.clipboard.readText();
      } catch {
        return "";
      }
    });
    const visible = await editor.locator(".view-lines").innerText();
    await this.runCommand("View: Hide Panel").catch(() => undefined);
    return copied.trim().length > 0 ? copied : visible;
  }

  /**
   * Replaces the user settings through "Preferences: Open User Settings
   * (JSON)" (a modal editor in this VS Code): select all, paste, save,
   * Escape. `saved` tells when the file on disk holds the new text.
   *
   * The paste lands asynchronously (the web workbench reads the clipboard
   * through a promise), so a Ctrl+S pressed right after it can save the
   * old text and leave the pasted one unsaved (seen on a loaded machine).
   * Saving again is harmless, so until the file holds the new text the
   * editor is saved again every second.
   */
  async replaceUserSettings(text: string, saved: () => boolean): Promise<void> {
    await this.runCommand("Preferences: Open User Settings (JSON)");
    await waitUntil(
      "the settings.json editor to take focus",
      () => this.page.evaluate(() => {
        const { document } = globalThis as unknown as BrowserGlobals;
        const editor = document.activeElement?.closest?.(".editor-instance");
        return (editor?.getAttribute("aria-label") ?? "").startsWith("settings.json");
      }),
      15_000,
    );
    await this.page.evaluate((value) => (globalThis as unknown as BrowserGlobals).navigator.clipboard.writeText(value), text);
    await this.page.keyboard.press("Control+A");
    await this.page.keyboard.press("Control+V");
    let lastSave = 0;
    let saves = 0;
    await waitUntil(
      "settings.json to be saved with the new settings",
      async () => {
        if (saved()) return true;
        if (Date.now() - lastSave >= 1_000) {
          lastSave = Date.now();
          saves++;
          await this.page.keyboard.press("Control+S");
        }
        return false;
      },
      20_000,
    );
    if (saves > 1) log(`settings.json held the new settings after ${saves} saves`);
    await this.page.keyboard.press("Escape");
  }

  /** Every piece of text the page shows, the main document and every frame (webviews). */
  async allText(): Promise<string> {
    const parts: string[] = [];
    for (const frame of this.page.frames()) {
      if (frame.isDetached()) continue;
      try {
        parts.push(
          await frame.evaluate(() => {
            const { document } = globalThis as unknown as BrowserGlobals;
            const values = [...document.querySelectorAll("input, textarea")].map((e) => e.value ?? "");
            const labels = [...document.querySelectorAll("[aria-label], [title]")].map((e) => `${e.getAttribute("aria-label") ?? ""} ${e.getAttribute("title") ?? ""}`);
            return [document.body?.innerText ?? "", ...values, ...labels].join("\n");
          }),
        );
      } catch {
        /* detached meanwhile */
      }
    }
    return parts.join("\n");
  }

  /** Text of the active editor (visible lines). */
  async activeEditorText(): Promise<string> {
    const editor = this.page.locator(".part.editor .editor-instance .monaco-editor .view-lines").first();
    // Monaco renders spaces as U+00A0.
    return (await textIfVisible(editor)).replace(/\u00a0/g, " ");
  }

  async activeTabTitle(): Promise<string> {
    const tab = this.page.locator(".part.editor .tab.active .label-name").first();
    return textIfVisible(tab, "textContent");
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const file = path.join(OUTPUT_DIR, `${name}.png`);
    await this.page.screenshot({ path: file, timeout: 15_000 });
    return file;
  }
}

export interface TreeRow {
  name: string;
  status: string;
  label: string;
  level: number;
}

/** The agent tree webview, found by its toolbar; rows are role="treeitem" named "<name>, <status>". */
export class AgentTreeView {
  constructor(readonly frame: Frame) {}

  async waitForConnected(timeoutMs = 30_000): Promise<void> {
    await waitUntil(
      "the agent tree to finish loading",
      async () => !(await this.frame.locator(".connecting").isVisible().catch(() => true)),
      timeoutMs,
    );
  }

  async rows(): Promise<TreeRow[]> {
    return this.frame.locator('[role="treeitem"]').evaluateAll((items) =>
      items.map((item) => {
        const label = item.getAttribute("aria-label") ?? "";
        const cut = label.lastIndexOf(", ");
        return {
          label,
          name: cut >= 0 ? label.slice(0, cut) : label,
          status: cut >= 0 ? label.slice(cut + 2) : "",
          level: Number(item.getAttribute("aria-level") ?? "0"),
        };
      }),
    );
  }

  async row(name: string): Promise<TreeRow | undefined> {
    return (await this.rows()).find((r) => r.name === name);
  }

  async waitForRow(name: string, status?: string | RegExp, timeoutMs = 30_000): Promise<TreeRow> {
    let last: TreeRow | undefined;
    return waitUntil(
      () => `tree row "${name}"${status ? ` with status ${String(status)}` : ""} (last seen: ${last ? last.label : "no such row"})`,
      async () => {
        last = await this.row(name);
        if (!last) return undefined;
        if (status === undefined) return last;
        const ok = typeof status === "string" ? last.status === status : status.test(last.status);
        return ok ? last : undefined;
      },
      timeoutMs,
    );
  }

  rowLocator(name: string): Locator {
    return this.frame.locator(`[role="treeitem"][aria-label^="${cssString(name)}, "]`);
  }

  /** Clicks the first button with this accessible name (row controls come before the detail pane's). */
  async clickButton(ariaLabel: string, timeoutMs = 10_000): Promise<void> {
    const button = this.frame.locator(`button[aria-label="${cssString(ariaLabel)}"]`).first();
    try {
      await button.waitFor({ state: "attached", timeout: timeoutMs });
    } catch {
      const labels = await this.buttonLabels();
      throw new Error(`the agent tree has no button "${ariaLabel}" (buttons: ${labels.join(" | ")})`);
    }
    await button.click({ timeout: timeoutMs });
  }

  /** Time left before the agent's timeout, as its row shows it ("" = no limit shown). */
  async remainingText(name: string): Promise<string> {
    const value = this.rowLocator(name).first().locator(".remaining .value");
    return (await value.count()) > 0 ? (await textIfPresent(value, "textContent")).trim() : "";
  }

  /**
   * How many pixels of `selector` (inside the row of `name`) are actually
   * visible: its box clipped by every ancestor that hides overflow, up to the
   * row. 0 when it is missing or squeezed away.
   */
  async visibleWidth(name: string, selector: string): Promise<number> {
    const target = this.rowLocator(name).first().locator(selector).first();
    if ((await target.count()) === 0) return 0;
    return target.evaluate((element) => {
      interface Box {
        left: number;
        right: number;
      }
      interface Node {
        getBoundingClientRect(): Box;
        readonly parentElement: Node | null;
        matches(selector: string): boolean;
      }
      const { getComputedStyle } = globalThis as unknown as { getComputedStyle(e: Node): { overflow: string; overflowX: string; visibility: string; display: string } };
      const start = element as unknown as Node;
      const style = getComputedStyle(start);
      if (style.display === "none" || style.visibility === "hidden") return 0;
      const box = start.getBoundingClientRect();
      let left = box.left;
      let right = box.right;
      for (let node = start.parentElement; node; node = node.parentElement) {
        const overflow = getComputedStyle(node).overflowX;
        if (overflow !== "visible") {
          const clip = node.getBoundingClientRect();
          left = Math.max(left, clip.left);
          right = Math.min(right, clip.right);
        }
        if (node.matches('[role="treeitem"]')) break;
      }
      return Math.max(0, right - left);
    });
  }

  async hasButton(ariaLabel: string): Promise<boolean> {
    return (await this.frame.locator(`button[aria-label="${cssString(ariaLabel)}"]`).count()) > 0;
  }

  async buttonLabels(): Promise<string[]> {
    return this.frame.locator("button[aria-label]").evaluateAll((buttons) => buttons.map((b) => b.getAttribute("aria-label") ?? ""));
  }

  /** Selects a row (opens its detail pane). */
  async select(name: string): Promise<void> {
    await this.rowLocator(name).first().locator(".name").click();
    await waitUntil(`the detail pane of "${name}"`, async () => (await this.detailName()) === name, 10_000);
  }

  async detailName(): Promise<string> {
    const heading = this.frame.locator(".detail .detail-name");
    return textIfVisible(heading, "textContent");
  }

  async detailText(): Promise<string> {
    const pane = this.frame.locator(".detail");
    return textIfVisible(pane);
  }

  /** Text of one section of the detail pane (e.g. "detail-result"), scrolled into view for screenshots. */
  async detailSectionText(className: string): Promise<string> {
    const section = this.frame.locator(`.detail .${className}`).first();
    if ((await section.count()) === 0) return "";
    await section.scrollIntoViewIfNeeded().catch(() => undefined);
    return textIfPresent(section);
  }

  async rowText(name: string): Promise<string> {
    const row = this.rowLocator(name).first();
    return (await row.count()) > 0 ? textIfPresent(row) : "";
  }

  /** Types into the view's inline prompt (Send message… / Set timeout…) and submits it. */
  async answerPrompt(text: string): Promise<void> {
    const form = this.frame.locator("form.prompt");
    await form.waitFor({ state: "visible", timeout: 10_000 });
    const field = form.locator("#prompt-field textarea, #prompt-field input").first();
    await field.waitFor({ state: "visible", timeout: 10_000 });
    await field.fill(text);
    await form.locator('button[type="submit"]').click();
    await form.waitFor({ state: "hidden", timeout: 10_000 });
  }

  async clearFinished(): Promise<void> {
    const button = this.frame.locator('button[aria-label="Clear Finished Agents"]');
    if ((await button.count()) > 0 && (await button.isEnabled())) await button.click();
  }

  /** Waits until the tree has no rows; the failure names the rows left. */
  async waitForEmpty(timeoutMs = 15_000): Promise<void> {
    await waitUntil(
      async () => `an empty agent tree (rows: ${(await this.rows().catch(() => [])).map((r) => r.label).join(" | ")})`,
      async () => (await this.rows()).length === 0,
      timeoutMs,
    );
  }

  /** Waits until every row shows a final status (Completed, Failed, Timed out, Interrupted). */
  async waitForNoLiveAgents(timeoutMs = 15_000): Promise<void> {
    const final = /^(Completed|Failed|Timed out|Interrupted)$/i;
    await waitUntil(
      async () => `every agent in the tree to be final (rows: ${(await this.rows().catch(() => [])).map((r) => r.label).join(" | ")})`,
      async () => (await this.rows()).every((row) => final.test(row.status)),
      timeoutMs,
    );
  }
}

function cssString(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

/**
 * Quick Open (Ctrl+P): types `fileName`, waits until the highlighted row is
 * that file, presses Enter, and waits for its editor tab to become active.
 */
export async function quickOpenFile(wb: Workbench, fileName: string, timeoutMs = 20_000): Promise<void> {
  await wb.closeQuickInput();
  await wb.page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.activeElement?.blur?.()).catch(() => undefined);
  await wb.page.keyboard.press("Control+P");
  const box = wb.quickInput.locator(".quick-input-box input");
  await box.waitFor({ state: "visible", timeout: 10_000 });
  await box.fill(fileName);
  // Enter opens the focused row: wait until it is the file (search results arrive after the typing).
  const focused = wb.quickInput.locator(".monaco-list-row.focused .label-name").first();
  await waitUntil(
    async () => `Quick Open to offer "${fileName}" first (it offered: ${(await wb.quickPickLabels()).slice(0, 6).join(" | ") || "nothing"})`,
    async () => (await focused.isVisible()) && ((await focused.textContent()) ?? "").trim() === fileName,
    timeoutMs,
  );
  await wb.page.keyboard.press("Enter");
  await waitForActiveEditorFile(wb, fileName, timeoutMs);
}

/**
 * File name of the active editor tab (its `data-resource-name`; the tab's
 * label shows the extension in a separate suffix element).
 */
export async function activeTabFileName(wb: Workbench): Promise<string> {
  const tab = wb.page.locator(".part.editor .tab.active").first();
  if (!(await tab.isVisible())) return "";
  return (await tab.getAttribute("data-resource-name", { timeout: 2_000 }).catch(() => null)) ?? "";
}

export async function waitForActiveEditorFile(wb: Workbench, fileName: string, timeoutMs = 15_000): Promise<void> {
  await waitUntil(
    async () => `the editor of "${fileName}" (active tab: "${await activeTabFileName(wb)}")`,
    async () => (await activeTabFileName(wb)) === fileName,
    timeoutMs,
  );
}

/** One row of the Problems panel: a file (resource) or a marker under it. */
export interface ProblemsRow {
  kind: "resource" | "marker";
  /** The row's accessible name (a marker's: "Error: <message> at line …. generated by <source>"). */
  label: string;
  /** A resource row's file name ("" for markers). */
  file: string;
  text: string;
}

/** Opens (and focuses) the Problems panel from the command palette. */
export async function focusProblemsPanel(wb: Workbench): Promise<void> {
  await wb.runCommand("View: Focus Problems (Errors, Warnings, Infos)");
  await wb.page.locator(".part.panel .markers-panel").first().waitFor({ state: "visible", timeout: 10_000 });
}

/** The rows the Problems panel renders (it virtualises long lists; a few markers are all rendered). */
export async function problemsPanelRows(wb: Workbench): Promise<ProblemsRow[]> {
  const rows = wb.page.locator(".part.panel .markers-panel .monaco-list-row");
  return rows.evaluateAll((items) =>
    items.map((item) => {
      const label = item.getAttribute("aria-label") ?? "";
      const marker = /^(Error|Warning|Info|Problem): /.test(label);
      const file = marker ? "" : (item.querySelector(".resource-label-container .label-name")?.textContent ?? "").trim();
      return { kind: marker ? ("marker" as const) : ("resource" as const), label, file, text: (item.textContent ?? "").replace(/\s+/g, " ").trim() };
    }),
  );
}

/** Squiggles (error/warning decorations) the active editor shows. */
export async function activeEditorSquiggles(wb: Workbench): Promise<number> {
  return wb.page.locator(".part.editor .editor-instance .monaco-editor .view-overlays [class*='squiggly-error'], .part.editor .editor-instance .monaco-editor .view-overlays [class*='squiggly-warning']").count();
}

/**
 * Names in the active editor's breadcrumbs (folders, file, then the symbols a
 * language service reports), without a symbol's detail text.
 */
export async function editorBreadcrumbs(wb: Workbench): Promise<string[]> {
  return wb.page
    .locator(".part.editor .editor-group-container.active .breadcrumbs-control .monaco-breadcrumb-item")
    .evaluateAll((items) => items.map((i) => ((i.querySelector(".label-name") ?? i).textContent ?? "").trim()));
}

/**
 * Clicks a button of the open input box or quick pick (title-bar or inline)
 * by its tooltip, which VS Code also gives it as its accessible name.
 */
export async function clickQuickInputButton(wb: Workbench, tooltip: string, timeoutMs = 10_000): Promise<void> {
  const button = wb.quickInput.locator(`.action-label[aria-label="${cssString(tooltip)}"], .action-label[title="${cssString(tooltip)}"]`).first();
  try {
    await button.waitFor({ state: "visible", timeout: timeoutMs });
  } catch {
    const offered = await wb.quickInput.locator(".action-label").evaluateAll((items) => items.map((i) => i.getAttribute("aria-label") ?? i.getAttribute("title") ?? "?"));
    throw new Error(`the quick input has no button "${tooltip}" (buttons: ${offered.join(" | ") || "none"})`);
  }
  await button.click();
}

/** True when the keyboard focus is inside an editor of the editor area (typing goes into it). */
export async function editorHasFocus(wb: Workbench): Promise<boolean> {
  return wb.page.evaluate(() => {
    const active = (globalThis as unknown as BrowserGlobals).document.activeElement;
    return Boolean(active?.closest?.(".part.editor .monaco-editor"));
  });
}

/**
 * Clicks `button` of the notification whose message matches, in its toast or,
 * once the toast has hidden itself, in the notification center.
 */
export async function clickNotificationAction(wb: Workbench, pattern: RegExp, button: string, timeoutMs = 10_000): Promise<void> {
  const item = wb.page.locator(".notification-list-item").filter({ has: wb.page.locator(".notification-list-item-message", { hasText: pattern }) });
  const action = item.first().locator(".monaco-button", { hasText: exactText(button) }).first();
  if (!(await action.isVisible())) {
    await wb.runCommand("Notifications: Show Notifications").catch(() => undefined);
  }
  try {
    await action.waitFor({ state: "visible", timeout: timeoutMs });
  } catch {
    throw new Error(`no notification matching ${String(pattern)} with a "${button}" button (notifications: ${(await wb.notifications()).join(" | ") || "none"})`);
  }
  await action.click();
}

/**
 * The text of an element that was there a moment ago, or "" once it is gone:
 * a re-render can remove it between a count and a read, and a plain read would
 * then wait for it to come back (Playwright's 30 s) instead of saying it left.
 */
async function textIfPresent(locator: Locator, how: TextRead = "innerText"): Promise<string> {
  try {
    return await readText(locator, how);
  } catch (error) {
    if ((await locator.count()) === 0) return "";
    throw error;
  }
}

/** The same for an element that is visible now, or "" when it is not (or stops being so before it can be read). */
export async function textIfVisible(locator: Locator, how: TextRead = "innerText"): Promise<string> {
  if (!(await locator.isVisible())) return "";
  try {
    return await readText(locator, how);
  } catch (error) {
    if (!(await locator.isVisible())) return "";
    throw error;
  }
}

type TextRead = "innerText" | "textContent";

/** A read that gives up after a moment rather than Playwright's 30 s wait for the element. */
async function readText(locator: Locator, how: TextRead): Promise<string> {
  return how === "innerText" ? locator.innerText({ timeout: 2_000 }) : ((await locator.textContent({ timeout: 2_000 })) ?? "");
}
