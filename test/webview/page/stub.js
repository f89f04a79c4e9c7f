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
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
})();
