import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { chromium, type Browser } from "playwright-core";

/** The flags verified for headless Debian Chromium on these machines (root, no GPU, offline). */
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

/**
 * The system's Chromium (Debian's `chromium` package, which `npm run
 * provision` installs), or `$CHROMIUM`. Playwright's own browser downloads
 * are not used: they need a host other than the package registries.
 */
export function systemChromium(): string {
  const fromEnv = process.env.CHROMIUM;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "chromium");
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error("The webview tests need Chromium: install Debian's `chromium` package (`npm run provision` does, as root) or set CHROMIUM to its path.");
}

/** Headless Chromium with the project's flags. */
export async function launchHeadlessChromium(executablePath = systemChromium()): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS, timeout: 60_000 });
}
