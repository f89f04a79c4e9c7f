import picomatch from "picomatch";
import * as posixPath from "node:path/posix";

export type ProtectedPathMatcher = (workspacePath: string) => string | undefined;

/**
 * Returns the glob that protects a workspace-relative path, or undefined.
 * Matching ignores case (macOS and Windows file systems do) and is tried on
 * every tail of the path as well, so `app/.vscode/settings.json` in a
 * multi-root workspace (or a nested repository's `.git`) is protected too.
 */
export function protectedPathMatcher(globs: readonly string[]): ProtectedPathMatcher {
  const matchers = globs.map((glob) => ({ glob, test: picomatch(glob, { dot: true, nocase: true }) }));
  return (workspacePath) => {
    const normal = normalizeWorkspacePath(workspacePath);
    if (normal === undefined) return undefined;
    // Windows drops trailing dots and spaces of a name and reads `name:stream` as `name`.
    const segments = normal.split("/").map((s) => (s === "." || s === ".." ? s : s.replace(/:.*$/, "").replace(/[. ]+$/, "")));
    for (let start = 0; start < segments.length; start++) {
      const tail = segments.slice(start).join("/");
      const hit = matchers.find((m) => m.test(tail) || m.test(`${tail}/`));
      if (hit) return hit.glob;
    }
    return undefined;
  };
}

/** `/`-separated, no `./`, `..` resolved; undefined when it climbs out of the workspace. */
export function normalizeWorkspacePath(path: string): string | undefined {
  const slashed = path.replace(/\\/g, "/");
  const normal = posixPath.normalize(slashed).replace(/\/+$/, "");
  if (normal === ".." || normal.startsWith("../")) return undefined;
  return normal.replace(/^\.\//, "").replace(/^\/+/, "");
}
