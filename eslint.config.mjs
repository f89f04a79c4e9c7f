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
  // The only .js files are build output and the webview test page's plain scripts.
  { ignores: ["dist/**", "out/**", "node_modules/**", "test-output/**", "**/*.js"] },
  ...tseslint.configs.recommended,
  {
    // Type-aware rules need the types: each file is checked with the
    // tsconfig.json nearest to it (the root one, or media/'s for the webview).
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its error (an unhandled rejection) and
      // its ordering; one passed where a callback's return is ignored does too.
      "@typescript-eslint/no-floating-promises": [
        "error",
        // node:test runs what describe/it return itself; awaiting them is optional.
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "it", "test", "suite"] }] },
      ],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        { selector: "ExportDefaultDeclaration", message: "Use named exports." },
      ],
    },
  },
  {
    // ESLint reads its configuration from this file's default export.
    files: ["eslint.config.mjs"],
    rules: { "no-restricted-syntax": "off" },
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
