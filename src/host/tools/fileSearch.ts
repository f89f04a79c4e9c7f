import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import * as nodePath from "node:path";
import { looksBinary } from "./fileText";
import { baseArgs, parseRipgrepJson, runRipgrepLines, type RipgrepMatch } from "./ripgrep";

export const MAX_LISTED_FILES = 2000;
export const MAX_SEARCH_MATCHES = 300;
const MAX_MATCH_TEXT = 300;
const FALLBACK_MAX_FILE_BYTES = 1024 * 1024;

/** One folder to list or search: `cwd` is the workspace folder, `target` the part of it asked for. */
export interface SearchScope {
  cwd: string;
  /** Relative to `cwd`, `/`-separated; "." for the whole folder. */
  target: string;
  /** files.exclude patterns that are switched on. */
  excludes: readonly string[];
  glob?: string;
}

export function enabledExcludes(setting: unknown): string[] {
  if (typeof setting !== "object" || setting === null) return [];
  return Object.entries(setting as Record<string, unknown>)
    .filter(([, on]) => on === true)
    .map(([pattern]) => pattern);
}

/** `rg --files`: honours .gitignore, .ignore and the excludes. Paths relative to `cwd`. */
export async function listWithRipgrep(rg: string, scope: SearchScope): Promise<{ files: string[]; limited: boolean }> {
  const args = ["--files", ...baseArgs(scope.excludes, scope.glob), "--", scope.target];
  const { lines, limited } = await runRipgrepLines(rg, args, scope.cwd, MAX_LISTED_FILES);
  const files = lines.filter((l) => l !== "").map((l) => normalizeRel(l));
  return { files: files.sort(), limited };
}

export async function searchWithRipgrep(
  rg: string,
  scope: SearchScope,
  query: string,
  regex: boolean,
): Promise<{ matches: RipgrepMatch[]; limited: boolean }> {
  const args = ["--json", "--smart-case", "--max-columns", String(MAX_MATCH_TEXT), "--max-columns-preview"];
  if (!regex) args.push("--fixed-strings");
  args.push(...baseArgs(scope.excludes, scope.glob), "-e", query, "--", scope.target);
  // --json also prints begin/end/context records; allow room for them.
  const { lines } = await runRipgrepLines(rg, args, scope.cwd, MAX_SEARCH_MATCHES * 4);
  const matches: RipgrepMatch[] = [];
  for (const line of lines) {
    const match = parseRipgrepJson(line);
    if (match) matches.push({ ...match, text: match.text.slice(0, MAX_MATCH_TEXT) });
  }
  return { matches: matches.slice(0, MAX_SEARCH_MATCHES), limited: matches.length > MAX_SEARCH_MATCHES };
}

/**
 * Without ripgrep, .gitignore is applied by asking git which files it would
 * list; outside a git repository nothing is filtered.
 */
export function gitVisibleFiles(cwd: string): Promise<Set<string> | undefined> {
  return new Promise((resolve) => {
    execFile(
      "git",
      ["ls-files", "--cached", "--others", "--exclude-standard", "-z"],
      { cwd, maxBuffer: 64 * 1024 * 1024, windowsHide: true },
      (error, stdout) => {
        if (error) resolve(undefined);
        else resolve(new Set(stdout.split("\0").filter((p) => p !== "")));
      },
    );
  });
}

/** Line-by-line search over an already filtered file list, for when ripgrep is missing. */
export async function searchFiles(
  cwd: string,
  files: readonly string[],
  query: string,
  regex: boolean,
): Promise<{ matches: RipgrepMatch[]; limited: boolean }> {
  const smartCase = query === query.toLowerCase() ? "i" : "";
  let pattern: RegExp;
  try {
    pattern = new RegExp(regex ? query : query.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), smartCase);
  } catch (error) {
    throw new Error(`Invalid regular expression ${JSON.stringify(query)}: ${(error as Error).message}`);
  }
  const matches: RipgrepMatch[] = [];
  for (const file of files) {
    const absolute = nodePath.join(cwd, file);
    const info = await stat(absolute).catch(() => undefined);
    if (!info?.isFile() || info.size > FALLBACK_MAX_FILE_BYTES) continue;
    const bytes = await readFile(absolute).catch(() => undefined);
    if (!bytes || looksBinary(bytes)) continue;
    const lines = bytes.toString("utf8").split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i] ?? "";
      if (!pattern.test(text)) continue;
      if (matches.length >= MAX_SEARCH_MATCHES) return { matches, limited: true };
      matches.push({ path: file, line: i + 1, text: text.slice(0, MAX_MATCH_TEXT) });
    }
  }
  return { matches, limited: false };
}

function normalizeRel(p: string): string {
  return p.replace(/^\.[\\/]/, "").split(nodePath.sep).join("/");
}
