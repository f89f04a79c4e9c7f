import { lstat, realpath } from "node:fs/promises";
import * as nodePath from "node:path";

/** A workspace folder as the tools see it: its name (for multi-root paths) and its folder on disk. */
export interface WorkspaceRoot {
  name: string;
  fsPath: string;
}

/** A refusal that the agent sees as the tool's error; the message names the path. */
export class WorkspacePathError extends Error {
  override name = "WorkspacePathError";
}

type PathApi = Pick<typeof nodePath, "resolve" | "relative" | "isAbsolute" | "sep" | "normalize">;

/** True when `target` is `root` or below it (both absolute, already resolved). */
export function isInside(root: string, target: string, pathApi: PathApi = nodePath): boolean {
  const rel = pathApi.relative(root, target);
  return rel === "" || (!rel.startsWith("..") && !pathApi.isAbsolute(rel));
}

/**
 * Maps an agent-supplied path to an absolute path inside the workspace.
 * Relative paths are taken from the first folder, or from the folder whose
 * name is the first segment when the workspace has several. Absolute paths
 * are accepted only inside a folder. `..` that leaves the folder is refused.
 */
export function resolveWorkspacePath(
  roots: readonly WorkspaceRoot[],
  requested: string,
  pathApi: PathApi = nodePath,
): { root: WorkspaceRoot; absolute: string } {
  const first = roots[0];
  if (!first) throw new WorkspacePathError("No folder is open, so there is no workspace to work in.");
  if (requested.includes("\0")) throw new WorkspacePathError(`Invalid path ${JSON.stringify(requested)}.`);
  const cleaned = requested.trim() === "" ? "." : requested.trim();

  if (pathApi.isAbsolute(cleaned)) {
    const absolute = pathApi.resolve(cleaned);
    const root = roots.find((r) => isInside(r.fsPath, absolute, pathApi));
    if (!root) throw outside(requested);
    return { root, absolute };
  }

  let root = first;
  let rest = cleaned;
  if (roots.length > 1) {
    const [head, ...tail] = cleaned.split(/[\\/]/);
    const named = roots.find((r) => r.name === head);
    if (named) {
      root = named;
      rest = tail.length > 0 ? tail.join("/") : ".";
    }
  }
  const absolute = pathApi.resolve(root.fsPath, rest);
  if (!isInside(root.fsPath, absolute, pathApi)) throw outside(requested);
  return { root, absolute };
}

/** The path an agent should use for a file: relative to its folder, `/`-separated, prefixed by the folder name in multi-root workspaces. */
export function toWorkspaceRelative(
  roots: readonly WorkspaceRoot[],
  absolute: string,
  pathApi: PathApi = nodePath,
): string | undefined {
  const root = roots.find((r) => isInside(r.fsPath, absolute, pathApi));
  if (!root) return undefined;
  const rel = pathApi.relative(root.fsPath, absolute).split(pathApi.sep).join("/") || ".";
  return roots.length > 1 ? `${root.name}/${rel}` : rel;
}

/**
 * Follows symlinks: the nearest existing ancestor of `absolute` must resolve
 * inside the folder too, or a link in the workspace could point the tools at
 * any file on the machine. A link whose target does not exist (or a loop of
 * links) is refused: writing through it would create its target, wherever
 * that is.
 */
export async function assertRealPathInside(root: WorkspaceRoot, absolute: string, requested: string): Promise<void> {
  const realRoot = await realpath(root.fsPath).catch(() => root.fsPath);
  let probe = absolute;
  for (;;) {
    try {
      const real = await realpath(probe);
      if (!isInside(realRoot, real)) throw outside(requested);
      return;
    } catch (error) {
      if (error instanceof WorkspacePathError) throw error;
      const link = await lstat(probe).then((s) => s.isSymbolicLink(), () => false);
      if (link || (error as NodeJS.ErrnoException).code === "ELOOP") {
        throw new WorkspacePathError(
          `Refused: ${JSON.stringify(requested)} goes through a symbolic link whose target does not exist, so where it leads cannot be checked.`,
        );
      }
      const parent = nodePath.dirname(probe);
      if (parent === probe) return;
      probe = parent;
    }
  }
}

/**
 * Where a path really leads once symbolic links are followed: the real path
 * of its nearest existing ancestor plus the rest. Used to protect a file
 * reached through a link (`cfg -> .vscode`) like the file itself.
 */
export async function realTarget(absolute: string): Promise<string> {
  let probe = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      return nodePath.join(await realpath(probe), ...rest.reverse());
    } catch {
      const parent = nodePath.dirname(probe);
      if (parent === probe) return absolute;
      rest.push(nodePath.basename(probe));
      probe = parent;
    }
  }
}

function outside(requested: string): WorkspacePathError {
  return new WorkspacePathError(
    `Refused: ${JSON.stringify(requested)} is outside the workspace. Use a path relative to the workspace folder.`,
  );
}
