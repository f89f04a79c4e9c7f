// @ts-check
import tseslint from "typescript-eslint";

/**
 * The layer rule of ARCHITECTURE.md lives here: src/core is plain TypeScript
 * (no `vscode`), the webview (media/) never imports host code or `vscode`,
 * and the language server shares core but not host.
 */
const noVscode = {
  name: "vscode",
  message: "src/core must not depend on VS Code: pass a capability in through an interface instead.",
};

export default tseslint.config(
  { ignores: ["dist/**", "out/**", "node_modules/**", "test-output/**", "**/*.js", "**/*.mjs"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: "Use named exports." },
      ],
    },
  },
  {
    files: ["src/core/**/*.ts", "src/server/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [noVscode],
          patterns: [
            { group: ["**/host", "**/host/**"], message: "Core must not import host code." },
          ],
        },
      ],
    },
  },
  {
    files: ["media/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "vscode", message: "The webview runs in a browser: no vscode module." }],
          patterns: [
            { group: ["**/host", "**/host/**", "**/src/host/**"], message: "The webview must not import host code; share types through src/core/protocol." },
          ],
        },
      ],
    },
  },
);
