import type * as vscode from "vscode";
import { ShimEventEmitter } from "./vscodeShimClasses";

/**
 * SecretStorage as VS Code gives it to an extension: string values by name,
 * and a change event that also fires for changes made by another window
 * (`changeFromAnotherWindow`).
 */
export class FakeSecretStorage implements vscode.SecretStorage {
  readonly values = new Map<string, string>();
  private readonly changes = new ShimEventEmitter<vscode.SecretStorageChangeEvent>();
  readonly onDidChange = this.changes.event;

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async keys(): Promise<string[]> {
    return [...this.values.keys()];
  }

  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.changes.fire({ key });
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
    this.changes.fire({ key });
  }

  changeFromAnotherWindow(key: string, value: string | undefined): void {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
    this.changes.fire({ key });
  }
}
