// Stands in for VS Code's webview API: records what the page posts and keeps
// its state in sessionStorage, so a reload behaves like a hidden-then-shown view.
(() => {
  const STATE_KEY = "subagents-webview-state";
  window.__posted = [];
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error("acquireVsCodeApi may only be called once");
    acquired = true;
    return {
      postMessage: (message) => window.__posted.push(JSON.parse(JSON.stringify(message))),
      getState: () => JSON.parse(sessionStorage.getItem(STATE_KEY) ?? "null"),
      setState: (state) => sessionStorage.setItem(STATE_KEY, JSON.stringify(state)),
    };
  };
  // Like VS Code's webview host: a `contextmenu` event nobody prevented opens the native
  // menu with the merged data-vscode-context of the target and its ancestors (the closest
  // element wins). Here it is recorded instead of shown.
  window.__contextMenus = [];
  window.addEventListener("contextmenu", (event) => {
    if (event.defaultPrevented) return;
    event.preventDefault();
    const context = {};
    for (let node = event.target; node instanceof HTMLElement; node = node.parentElement) {
      const raw = node.dataset.vscodeContext;
      if (!raw) continue;
      for (const [key, value] of Object.entries(JSON.parse(raw))) if (!(key in context)) context[key] = value;
    }
    window.__contextMenus.push({ context, x: event.clientX, y: event.clientY, focused: document.activeElement?.dataset?.id ?? null });
  });
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
})();
