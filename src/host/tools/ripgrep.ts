import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as nodePath from "node:path";

/**
 * VS Code ships ripgrep for its own search; the place moved between
 * releases and distributions, so look in each known spot.
 */
export function ripgrepCandidates(appRoot: string, platform = process.platform, arch = process.arch): string[] {
  const exe = platform === "win32" ? "rg.exe" : "rg";
  const candidates: string[] = [];
  for (const modules of ["node_modules", "node_modules.asar.unpacked"]) {
    candidates.push(nodePath.join(appRoot, modules, "@vscode", "ripgrep", "bin", exe));
    candidates.push(nodePath.join(appRoot, modules, "@vscode", "ripgrep-universal", "bin", `${platform}-${arch}`, exe));
  }
  return candidates;
}

export function findRipgrep(appRoot: string | undefined): string | undefined {
  if (!appRoot) return undefined;
  return ripgrepCandidates(appRoot).find((p) => existsSync(p));
}

export interface RipgrepMatch {
  /** Path relative to the search folder, `/`-separated. */
  path: string;
  line: number;
  text: string;
}

/** Arguments shared by listing and search: hidden files yes, `.git` and the user's excludes no. */
export function baseArgs(excludeGlobs: readonly string[], glob: string | undefined): string[] {
  const args = ["--hidden", "--no-config", "--no-messages", "--glob", "!.git"];
  for (const pattern of excludeGlobs) args.push("--glob", `!${pattern}`);
  if (glob) args.push("--glob", glob);
  return args;
}

/**
 * Runs rg and returns stdout lines until `limit` of them arrived, then stops
 * rg. Exit code 1 (nothing found) is a normal empty answer.
 */
export function runRipgrepLines(
  rgPath: string,
  args: readonly string[],
  cwd: string,
  limit: number,
  signal?: AbortSignal,
): Promise<{ lines: string[]; limited: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(rgPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    const lines: string[] = [];
    let partial = "";
    let limited = false;
    let stderr = "";
    const stop = () => child.kill();
    signal?.addEventListener("abort", stop, { once: true });
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      if (limited) return;
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) {
        if (lines.length >= limit) {
          limited = true;
          stop();
          return;
        }
        lines.push(line);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < 2000) stderr += chunk;
    });
    child.on("error", (error) => reject(new Error(`ripgrep could not start: ${error.message}`)));
    child.on("close", (code) => {
      signal?.removeEventListener("abort", stop);
      if (!limited && partial !== "" && lines.length < limit) lines.push(partial);
      if (limited || code === 0 || code === 1 || (code === null && signal?.aborted)) {
        resolve({ lines, limited });
      } else {
        reject(new Error(`ripgrep failed (exit ${code}): ${stderr.trim().split("\n")[0] ?? ""}`));
      }
    });
  });
}

/** Parses one `rg --json` line; only `match` records produce results. */
export function parseRipgrepJson(jsonLine: string): RipgrepMatch | undefined {
  let record: unknown;
  try {
    record = JSON.parse(jsonLine);
  } catch {
    return undefined;
  }
  if (typeof record !== "object" || record === null || (record as { type?: unknown }).type !== "match") return undefined;
  const data = (record as { data?: { path?: { text?: string }; lines?: { text?: string }; line_number?: number } }).data;
  const path = data?.path?.text;
  const line = data?.line_number;
  if (path === undefined || line === undefined) return undefined;
  const text = (data?.lines?.text ?? "").replace(/\r?\n$/, "");
  return { path: path.replace(/^\.\//, "").split(nodePath.sep).join("/"), line, text };
}
