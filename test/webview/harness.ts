import { createNonce, webviewContentSecurityPolicy } from "../../src/host/webviewCsp";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import * as esbuild from "esbuild";
import { webviewConfig } from "../../esbuild.mjs";
import type { Browser, Page } from "playwright-core";
import { launchHeadlessChromium } from "../fakes/chromium";
import type { HostToWebviewMessage, WebviewToHostMessage } from "../../src/core/protocol/messages";
import { waitUntil } from "../fakes/polling";

/**
 * Runs the real webview bundle in headless Chromium: builds `media/main.ts`
 * with the `webview` config of esbuild.mjs (production options), serves it behind the same
 * CSP as the extension's page, and stands in for `acquireVsCodeApi` with a
 * stub that records posted messages and, like VS Code, the context of each
 * unprevented contextmenu event (test/webview/page/stub.js).
 */
export const ROOT = join(__dirname, "..", "..");
const PAGE_DIR = join(__dirname, "page");
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript",
  ".css": "text/css",
  ".ttf": "font/ttf",
  ".html": "text/html",
};

export interface WebviewHarness {
  readonly browser: Browser;
  readonly baseUrl: string;
  close(): Promise<void>;
}

export async function buildWebviewBundle(outdir: string): Promise<void> {
  await esbuild.build({ ...webviewConfig({ production: true }), outdir, logLevel: "silent" });
}

function pageHtml(theme: string): string {
  const nonce = createNonce();
  const csp = webviewContentSecurityPolicy("'self'", nonce);
  const known = theme === "light" || theme === "high-contrast" ? theme : "dark";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="/page/theme-${known}.css">
<link rel="stylesheet" href="/bundle/webview.css">
<title>Subagents</title>
</head>
<body class="vscode-${known}" data-vscode-context='{"preventDefaultContextMenuItems": true}'>
<div id="app"></div>
<script nonce="${nonce}" src="/page/stub.js"></script>
<script nonce="${nonce}" src="/bundle/webview.js"></script>
<script nonce="${nonce}" src="/page/probe.js"></script>
</body>
</html>`;
}

function serve(bundleDir: string): Server {
  return createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    void (async () => {
      if (url.pathname === "/favicon.ico") {
        response.writeHead(204);
        response.end();
        return;
      }
      if (url.pathname === "/index.html") {
        response.writeHead(200, { "content-type": "text/html" });
        response.end(pageHtml(url.searchParams.get("theme") ?? "dark"));
        return;
      }
      const [, area, ...rest] = url.pathname.split("/");
      const base = area === "bundle" ? bundleDir : area === "page" ? PAGE_DIR : undefined;
      const relative = normalize(rest.join("/"));
      if (!base || relative.startsWith("..")) throw new Error("not found");
      const body = await readFile(join(base, relative));
      response.writeHead(200, { "content-type": CONTENT_TYPES[extname(relative)] ?? "application/octet-stream" });
      response.end(body);
    })().catch(() => {
      response.writeHead(404);
      response.end();
    });
  });
}

/**
 * The webview bundle of this test run, built once: every webview test file
 * runs as a child of the same test runner, so the files share a folder named
 * after the runner (its pid and start time, so a reused pid never picks up a
 * stale build). Folders of runners that have ended are removed.
 */
async function sharedBundle(): Promise<string> {
  const outputs = join(ROOT, "test-output");
  await mkdir(outputs, { recursive: true });
  const runner = runnerId(process.ppid);
  for (const name of await readdir(outputs)) {
    const match = /^webview-bundle-(\d+)-\d+$/.exec(name);
    if (match && `webview-bundle-${runnerId(Number(match[1]))}` !== name) await rm(join(outputs, name), { recursive: true, force: true });
  }
  const dir = join(outputs, `webview-bundle-${runner}`);
  if (existsSync(join(dir, "webview.js"))) return dir;
  const temp = await mkdtemp(join(outputs, "webview-build-"));
  await buildWebviewBundle(temp);
  // Two files may build at once; the first rename wins and the other build is dropped.
  await rename(temp, dir).catch(() => rm(temp, { recursive: true, force: true }));
  return dir;
}

/** `<pid>-<start time>` of a live process, or just its pid when /proc cannot tell. */
function runnerId(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return `${pid}-${stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "0"}`;
  } catch {
    return `${pid}-0`;
  }
}

export async function startHarness(): Promise<WebviewHarness> {
  const bundleDir = await sharedBundle();
  const server = serve(bundleDir);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await launchHeadlessChromium();
  return {
    browser,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ViewOptions {
  readonly theme?: "dark" | "light" | "high-contrast";
  readonly width?: number;
  readonly height?: number;
  /**
   * Load the page on Playwright's fake clock, paused at this time (ms since
   * the epoch): its timers, intervals and animation frames then run only
   * when the test advances the clock (`advanceAndPaint`), so time-based
   * behaviour is checked without waiting and with exact results.
   */
  readonly pausedClockAt?: number;
}

const pageErrorLog = new WeakMap<Page, string[]>();

/** Uncaught errors and console errors of the page so far. */
export function pageErrors(page: Page): string[] {
  return [...(pageErrorLog.get(page) ?? [])];
}

/** Opens the view in a fresh page and waits for its `ready` message. */
export async function openView(harness: WebviewHarness, options: ViewOptions = {}): Promise<Page> {
  const page = await harness.browser.newPage({
    viewport: { width: options.width ?? 380, height: options.height ?? 640 },
  });
  const errors: string[] = [];
  pageErrorLog.set(page, errors);
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  if (options.pausedClockAt !== undefined) {
    // The installed clock runs at real speed until paused, so it starts an hour
    // early: pauseAt() cannot move back if a loaded machine took longer than a
    // moment between the two calls. No page is loaded yet, so no timer fires.
    await page.clock.install({ time: options.pausedClockAt - 3_600_000 });
    await page.clock.pauseAt(options.pausedClockAt);
  }
  await page.goto(`${harness.baseUrl}/index.html?theme=${options.theme ?? "dark"}`);
  await waitForPosted(page, (m) => m.type === "ready");
  return page;
}

/** Delivers a host message the way VS Code does: a `message` event on the page's window. */
export async function postToView(page: Page, message: HostToWebviewMessage | Record<string, unknown>): Promise<void> {
  await page.evaluate((m) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(m, "*"), message);
}

/** Posts a message and waits until the app has painted after it. */
export async function postAndPaint(page: Page, message: HostToWebviewMessage): Promise<void> {
  await postToView(page, message);
  await nextPaint(page);
}

/** Waits until the page has painted its next frame (what the app scheduled so far has rendered). */
export async function nextPaint(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const g = globalThis as unknown as { requestAnimationFrame(cb: () => void): void; setTimeout(cb: () => void, ms: number): void };
        g.requestAnimationFrame(() => g.setTimeout(resolve, 0));
      }),
  );
}

/**
 * On a page opened with `pausedClockAt`: moves its fake clock forward by
 * `ms`, running every timer and animation frame due, so the last frame has
 * painted. (postAndPaint would wait forever for a frame there.)
 */
export async function advanceAndPaint(page: Page, ms: number): Promise<void> {
  // One more frame's worth, so a frame requested by the last timer paints too.
  await page.clock.runFor(ms + 20);
}

export async function postedMessages(page: Page): Promise<WebviewToHostMessage[]> {
  return page.evaluate(() => (globalThis as unknown as { __posted: WebviewToHostMessage[] }).__posted.slice());
}

export async function clearPosted(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as { __posted: unknown[] }).__posted.length = 0;
  });
}

export async function waitForPosted(
  page: Page,
  predicate: (message: WebviewToHostMessage) => boolean,
  timeoutMs = 5_000,
): Promise<WebviewToHostMessage> {
  return waitUntil(
    async () => `a matching message from the webview; posted: ${JSON.stringify(await postedMessages(page))}`,
    async () => (await postedMessages(page)).find(predicate),
    timeoutMs,
  );
}

/** A native context menu VS Code would have opened: the merged row context, where, and which row had focus. */
export interface ContextMenuRequest {
  readonly context: Record<string, unknown>;
  readonly x: number;
  readonly y: number;
  readonly focused: string | null;
}

export async function contextMenuRequests(page: Page): Promise<ContextMenuRequest[]> {
  return page.evaluate(() => (globalThis as unknown as { __contextMenus: ContextMenuRequest[] }).__contextMenus.slice());
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations.slice());
}
