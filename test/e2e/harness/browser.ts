import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { provision } from "./provision";

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/** Headless Debian Chromium, with the flags verified on these machines (see the real-vscode notes). */
export async function launchBrowser(): Promise<BrowserSession> {
  const { chromium: executablePath } = await provision();
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
    timeout: 60_000,
  });
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    reducedMotion: "reduce",
    // The Output channel is read through select-all + copy.
    permissions: ["clipboard-read", "clipboard-write"],
  });
  const page = await context.newPage();
  return { browser, context, page };
}
