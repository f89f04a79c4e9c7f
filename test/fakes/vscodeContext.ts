import type * as vscode from "vscode";
import { ShimUri } from "./vscodeShimClasses";
import { FakeSecretStorage } from "./vscodeSecrets";

/**
 * The part of ExtensionContext that activation uses. Keeping `secrets` and
 * the storage folder across two contexts is how a test reloads the window.
 */
export interface FakeContext {
  context: vscode.ExtensionContext;
  secrets: FakeSecretStorage;
  /** Disposes what activation registered, as VS Code does when the window closes. */
  deactivate(): void;
}

export function fakeExtensionContext(options: { storage: string; extensionPath: string; secrets?: FakeSecretStorage }): FakeContext {
  const secrets = options.secrets ?? new FakeSecretStorage();
  const subscriptions: Array<{ dispose(): unknown }> = [];
  const partial: Partial<vscode.ExtensionContext> = {
    subscriptions,
    secrets,
    storageUri: ShimUri.file(options.storage),
    globalStorageUri: ShimUri.file(`${options.storage}-global`),
    extensionUri: ShimUri.file(options.extensionPath),
    extensionPath: options.extensionPath,
  };
  return {
    context: partial as vscode.ExtensionContext,
    secrets,
    deactivate: () => {
      for (const s of subscriptions.splice(0)) s.dispose();
    },
  };
}
