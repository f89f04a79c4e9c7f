import * as vscode from "vscode";
import { createNonce, webviewContentSecurityPolicy } from "./webviewCsp";

/**
 * The webview page: strict CSP (`default-src 'none'`, no inline code, no eval),
 * scripts only from the bundle with this load's nonce, styles and the codicon
 * font only from the extension's `dist/`. The body opts out of VS Code's
 * default Cut/Copy/Paste menu: a row's context menu lists only its agent's
 * actions (package.json `menus.webview/context`, keyed on the row's
 * `data-vscode-context`).
 */
export function renderWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = createNonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "webview.js"));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", "webview.css"));
  const csp = webviewContentSecurityPolicy(webview.cspSource, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>Subagents</title>
</head>
<body data-vscode-context='{"preventDefaultContextMenuItems": true}'>
<div id="app"></div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
