import { randomBytes } from "node:crypto";
import { after } from "node:test";
import { fingerprint } from "../../../src/core/keys/fingerprint";
import type { Browser } from "playwright-core";
import { launchChromium } from "./browser";
import { CodeServer } from "./codeServer";
import { log } from "./provision";
import { registerSecret } from "./secrets";
import { vsixPath } from "./vsix";

/**
 * What every end-to-end session of a run shares: one VSIX build, one
 * code-server boot (with the VSIX installed) and one Chromium. `npm run
 * test:e2e` loads every e2e file into one process (`--test-isolation=none`),
 * so all their sessions reuse these; a file run on its own boots its own.
 * Each session then opens its own window, folder and settings on top.
 */
export interface E2ERun {
  readonly codeServer: CodeServer;
  readonly browser: Browser;
}

/**
 * The name of a variable in the extension host's environment that holds a
 * canary API key. The environment is the code-server process's, so it is set
 * once for the whole run; a session that tests importing keys from the
 * environment (and that none of them leaks) uses this one.
 */
export const HOST_ENV_KEY_NAME = "SUBAGENTS_E2E_CANARY_API_KEY";
const hostEnvKeyRaw = `sk-e2e-${randomBytes(16).toString("hex")}`;
registerSecret(hostEnvKeyRaw);

/** The canary key in the extension host's environment under HOST_ENV_KEY_NAME. */
export const hostEnvKey = { raw: hostEnvKeyRaw, fingerprint: fingerprint(hostEnvKeyRaw) } as const;

let current: Promise<E2ERun> | undefined;
let boots = 0;
let sessions = 0;

export function e2eRun(): Promise<E2ERun> {
  current ??= boot();
  return current;
}

/** Counts a session for the end-of-run summary. */
export function countSession(): void {
  sessions += 1;
}

async function boot(): Promise<E2ERun> {
  const vsix = await vsixPath();
  boots += 1;
  const started = Date.now();
  const codeServer = await CodeServer.start({ vsix, env: { [HOST_ENV_KEY_NAME]: hostEnvKey.raw } });
  try {
    const browser = await launchChromium();
    log(`code-server boot #${boots} of this run ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { codeServer, browser };
  } catch (error) {
    await codeServer.stop();
    throw error;
  }
}

// Registered when the first e2e file imports the harness, so on the root
// test: it runs once, after every file's tests.
after(async () => {
  if (!current) return;
  const run = await current.catch(() => undefined);
  if (!run) return;
  await run.browser.close().catch(() => undefined);
  await run.codeServer.stop();
  log(`e2e run finished: ${boots} code-server boot(s), ${sessions} session(s)`);
});
