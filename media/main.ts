import "./zodConfig";
import "@vscode/codicons/dist/codicon.css";
import "./style.css";
import "./tree.css";
import "./panels.css";
import { AgentTreeApp } from "./app";
import { connectToHost } from "./vscodeApi";

const root = document.getElementById("app");
if (root) new AgentTreeApp(root, connectToHost()).start();
