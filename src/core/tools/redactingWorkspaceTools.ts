import type { SecretRedactor } from "../keys/redact";
import type { WorkspaceTools } from "./workspaceTools";

/**
 * The workspace tools with every result and error redacted for the keys of
 * every pool, so a key in a file, in the environment of a command or in a
 * diagnostic never reaches the conversation, the transcript or the tree.
 * Arguments pass through unchanged: they come from the model, which only
 * ever saw redacted text.
 */
export function redactingWorkspaceTools(inner: WorkspaceTools, redactor: SecretRedactor): WorkspaceTools {
  const guard = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return redactor.redactDeep(await run());
    } catch (error) {
      throw redactedError(error, redactor);
    }
  };
  return {
    readFile: (path, range) => guard(() => inner.readFile(path, range)),
    statVersion: (path) => guard(() => inner.statVersion(path)),
    ...(inner.readText ? { readText: (path: string) => guard(() => inner.readText!(path)) } : {}),
    // Dropping it would switch off the approval of protected files reached through a link.
    ...(inner.realPath ? { realPath: (path: string) => guard(() => inner.realPath!(path)) } : {}),
    listFiles: (options) => guard(() => inner.listFiles(options)),
    searchText: (options) => guard(() => inner.searchText(options)),
    editFile: (options) => guard(() => inner.editFile(options)),
    writeFile: (options) => guard(() => inner.writeFile(options)),
    runCommand: (request) => guard(() => inner.runCommand(request)),
    getDiagnostics: (path) => guard(() => inner.getDiagnostics(path)),
  };
}

/** The same error with its message redacted (name and class kept, so callers still recognise it). */
function redactedError(error: unknown, redactor: SecretRedactor): unknown {
  if (!(error instanceof Error)) return typeof error === "string" ? redactor.redact(error) : error;
  const message = redactor.redact(error.message);
  if (message === error.message) return error;
  try {
    error.message = message;
    if (typeof error.stack === "string") error.stack = redactor.redact(error.stack);
    return error;
  } catch {
    return new Error(message);
  }
}
