import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { log, tail } from "./provision";
import { REPO_ROOT } from "./paths";

let cached: Promise<string> | undefined;

/**
 * The VSIX under test: `SUBAGENTS_E2E_VSIX` when set (a prebuilt package,
 * e.g. from CI's package step), otherwise a fresh production build packaged
 * into a temp folder (never the shared ./subagents.vsix, so a concurrent
 * `npm run package` cannot swap the file under a running test).
 */
export function vsixPath(): Promise<string> {
  cached ??= buildVsix();
  return cached;
}

async function buildVsix(): Promise<string> {
  const given = process.env.SUBAGENTS_E2E_VSIX;
  if (given) {
    const resolved = path.resolve(given);
    if (!existsSync(resolved)) throw new Error(`SUBAGENTS_E2E_VSIX=${given} does not exist`);
    log(`using prebuilt VSIX ${resolved}`);
    return resolved;
  }
  const started = Date.now();
  const outDir = mkdtempSync(path.join(os.tmpdir(), "subagents-e2e-vsix-"));
  const out = path.join(outDir, "subagents.vsix");
  process.on("exit", () => rmSync(outDir, { recursive: true, force: true }));
  const vsce = path.join(REPO_ROOT, "node_modules", "@vscode", "vsce", "vsce");
  // The same steps as `npm run package`, with the output in a temp folder.
  await run(process.execPath, [path.join(REPO_ROOT, "esbuild.mjs"), "--production"], "esbuild --production");
  await run(process.execPath, [vsce, "package", "--no-dependencies", "--no-rewrite-relative-links", "--out", out], "vsce package");
  log(`built ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

function run(command: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (/^npm_config_nodedir$/i.test(name)) delete env[name];
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], env });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (exit ${String(code)}):\n${tail(output, 40)}`));
    });
  });
}
