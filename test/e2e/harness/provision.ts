import { spawn } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "./paths";

/** What scripts/e2e/provision.sh prints on success. */
export interface Provisioned {
  chromium: string;
  node24: string;
  codeServer: string;
}

let cached: Promise<Provisioned> | undefined;

/**
 * Runs scripts/e2e/provision.sh (idempotent; a few hundred ms when the cache
 * is warm, a couple of minutes cold) once per test process and parses its
 * CHROMIUM=/NODE24=/CODE_SERVER= lines.
 */
export function provision(): Promise<Provisioned> {
  cached ??= runProvision();
  return cached;
}

async function runProvision(): Promise<Provisioned> {
  const script = path.join(REPO_ROOT, "scripts", "e2e", "provision.sh");
  const started = Date.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn("bash", [script], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      err += text;
      if (process.env.SUBAGENTS_E2E_VERBOSE) process.stderr.write(text);
    });
    child.on("error", reject);
    child.on("close", (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
  });
  if (code !== 0) {
    throw new Error(`scripts/e2e/provision.sh failed (exit ${String(code)}):\n${tail(stderr, 60)}`);
  }
  const values = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const match = /^(CHROMIUM|NODE24|CODE_SERVER)=(.+)$/.exec(line.trim());
    if (match?.[1] && match[2]) values.set(match[1], match[2]);
  }
  const chromium = values.get("CHROMIUM");
  const node24 = values.get("NODE24");
  const codeServer = values.get("CODE_SERVER");
  if (!chromium || !node24 || !codeServer) {
    throw new Error(`scripts/e2e/provision.sh did not print CHROMIUM=, NODE24= and CODE_SERVER= lines. stdout:\n${tail(stdout, 20)}`);
  }
  log(`provisioned in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { chromium, node24, codeServer };
}

export function tail(text: string, lines: number): string {
  return text.split("\n").slice(-lines).join("\n");
}

export function log(message: string): void {
  process.stderr.write(`[e2e] ${message}\n`);
}
