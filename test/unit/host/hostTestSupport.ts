import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import * as nodePath from "node:path";
import type { AgentSnapshot } from "../../../src/core/protocol/agentSnapshot";
import { findRipgrep } from "../../../src/host/tools/ripgrep";

/** A throw-away workspace folder with the given files (path → content). */
export function makeWorkspace(files: Record<string, string | Uint8Array> = {}): { root: string; cleanup(): void } {
  const root = realpathSync(mkdtempSync(nodePath.join(tmpdir(), "subagents-host-")));
  for (const [path, content] of Object.entries(files)) writeFile(root, path, content);
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function writeFile(root: string, path: string, content: string | Uint8Array): void {
  const file = nodePath.join(root, path);
  mkdirSync(nodePath.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

export function readText(root: string, path: string): string {
  return readFileSync(nodePath.join(root, path), "utf8");
}

export function gitInit(root: string): void {
  execFileSync("git", ["init", "-q"], { cwd: root });
}

/**
 * VS Code's bundled ripgrep, from the code-server the end-to-end tests
 * provision (scripts/e2e/provision.sh); undefined on a machine without it,
 * where the ripgrep variants of the tests are skipped.
 */
export function vscodeAppRootWithRipgrep(): string | undefined {
  const cache = process.env.SUBAGENTS_E2E_CACHE ?? nodePath.join(homedir(), ".cache", "subagents-e2e");
  const candidates = [process.env.SUBAGENTS_TEST_VSCODE_APP_ROOT, nodePath.join(cache, "code-server", "node_modules", "code-server", "lib", "vscode")];
  return candidates.find((c): c is string => c !== undefined && findRipgrep(c) !== undefined);
}

/** Alive and not a zombie (a container's init may not reap orphans at once). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/** A valid agent snapshot for tests; override what matters. */
export function snapshot(id: string, overrides: Partial<AgentSnapshot> = {}): AgentSnapshot {
  return {
    id, name: id, parentId: null, rootId: id, depth: 0, role: "root", task: "t", providerId: "openai", model: "m",
    status: "running", background: false, createdAt: 1, elapsedMs: 5, tokensIn: 1, tokensOut: 2, subtreeTokensIn: 1,
    subtreeTokensOut: 2, toolCount: 0, timeoutRemovable: true, stale: false, ...overrides,
  };
}
