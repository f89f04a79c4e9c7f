import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchHeadlessChromium } from "../../fakes/chromium";
import { provision } from "./provision";

/** One session's window: its own browser context (storage, secrets, trust state) and page. */
export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/** The provisioned Chromium, headless, with the project's flags (test/fakes/chromium.ts). */
export async function launchChromium(): Promise<Browser> {
  const { chromium: executablePath } = await provision();
  return launchHeadlessChromium(executablePath);
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
