import "./style.css";

const app = document.getElementById("app");
if (app) {
  const empty = document.createElement("p");
  empty.className = "empty";
  empty.textContent = "No agents yet. Add an API key, then run a task from the command palette (Subagents: Run Task…).";
  app.append(empty);
}
