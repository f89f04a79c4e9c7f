import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { provision } from "./provision";

/** One session's window: its own browser context (storage, secrets, trust state) and page. */
export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/** Headless Debian Chromium, with the flags verified on these machines (see the real-vscode notes). */
export async function launchChromium(): Promise<Browser> {
  const { chromium: executablePath } = await provision();
  return chromium.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
    timeout: 60_000,
  });
}

/**
 * A fresh browser context and page. VS Code in the browser keeps SecretStorage
 * and other application state in the page's origin storage, so a new context
 * starts with no keys, whatever an earlier session added.
 */
export async function openWindow(browser: Browser): Promise<BrowserSession> {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    reducedMotion: "reduce",
    // The Output channel is read through select-all + copy.
    permissions: ["clipboard-read", "clipboard-write"],
  });
  const page = await context.newPage();
  return { browser, context, page };
}
