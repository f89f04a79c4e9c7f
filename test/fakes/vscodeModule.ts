import Module from "node:module";
import * as nodePath from "node:path";

/**
 * Import this first in a host test: it makes `import * as vscode from "vscode"`
 * in host code load the typed shim (test/fakes/vscodeShim.ts) instead of the
 * real API, which only exists inside VS Code's extension host.
 */
const shimPath = nodePath.join(__dirname, "vscodeShim.ts");
type Resolve = (request: string, ...rest: unknown[]) => string;
const moduleInternals = Module as unknown as { _resolveFilename: Resolve };
const original = moduleInternals._resolveFilename;
moduleInternals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return request === "vscode" ? shimPath : original.call(this, request, ...rest);
};
