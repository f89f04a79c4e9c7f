import { randomBytes } from "node:crypto";

/** A fresh, cryptographically random nonce for each webview load. */
export function createNonce(): string {
  return randomBytes(18).toString("base64");
}

/**
 * The tree view's Content Security Policy: nothing by default, scripts only
 * with this load's nonce (no inline handlers, no eval), styles, images and
 * the codicon font only from `source` (the webview's resource origin). The
 * browser tests serve their page under this same policy.
 */
export function webviewContentSecurityPolicy(source: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${source} data:`,
    `style-src ${source}`,
    `font-src ${source}`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
}
