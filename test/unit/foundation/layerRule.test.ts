import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ESLint } from "eslint";

const root = join(__dirname, "..", "..", "..");

async function restrictedImportErrors(filePath: string, code: string): Promise<string[]> {
  // The files linted here do not exist, so no tsconfig holds them: lint them
  // without type information, and without the rules that need it.
  const eslint = new ESLint({
    cwd: root,
    overrideConfig: {
      languageOptions: { parserOptions: { projectService: false } },
      rules: {
        "@typescript-eslint/no-floating-promises": "off",
        "@typescript-eslint/no-misused-promises": "off",
        "@typescript-eslint/await-thenable": "off",
      },
    },
  });
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  assert.ok(result, "eslint returned a result");
  return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("layer rule (eslint)", () => {
  it("fails on a vscode import in src/core", async () => {
    const errors = await restrictedImportErrors(
      "src/core/keys/leak.ts",
      'import * as vscode from "vscode";\nexport const x = vscode;\n',
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? "", /src\/core must not depend on VS Code/);
  });

  it("fails on a require of vscode-style host code from src/core", async () => {
    const errors = await restrictedImportErrors(
      "src/core/agents/leak.ts",
      'import { COMMAND_IDS } from "../../host/commandIds";\nexport const x = COMMAND_IDS;\n',
    );
    assert.equal(errors.length, 1);
  });

  it("fails when the webview imports host code", async () => {
    const errors = await restrictedImportErrors(
      "media/leak.ts",
      'import { COMMAND_IDS } from "../src/host/commandIds";\nexport const x = COMMAND_IDS;\n',
    );
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? "", /webview must not import host code/);
  });

  it("allows core imports in the webview and vscode in the host", async () => {
    assert.deepEqual(
      await restrictedImportErrors("media/ok.ts", 'import { AGENT_STATUSES } from "../src/core/agents/status";\nexport const x = AGENT_STATUSES;\n'),
      [],
    );
    assert.deepEqual(
      await restrictedImportErrors("src/host/ok.ts", 'import * as vscode from "vscode";\nexport const x = vscode;\n'),
      [],
    );
  });
});
