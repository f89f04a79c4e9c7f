import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { silentLogger } from "../../../src/core/common/logger";
import { agentCommandHandlers, agentIdArgument } from "../../../src/host/agents/agentCommands";
import { agentPickItems, parseTimeoutInput, treeOrder } from "../../../src/host/agents/agentPicks";
import { ApprovalNotifications, approvalsToNotify } from "../../../src/host/agents/approvalNotifications";
import { modelChoices, parseRunTaskArgument, progressLine } from "../../../src/host/agents/runTask";
import { contextKeyValues, statusBarModel } from "../../../src/host/agents/statusSummary";
import { commandFailureMessage } from "../../../src/host/commands";
import { DEFAULT_SETTINGS } from "../../../src/core/settings/schema";
import { resetShim, shimState } from "../../fakes/vscodeShim";
import { FakeUserControls } from "./agentTreeFakes";
import { snapshot } from "./hostTestSupport";
import { waitUntil } from "../../fakes/polling";

const tree = () => [
  snapshot("c2", { parentId: "r1", rootId: "r1", depth: 1, role: "leaf", createdAt: 3, status: "queued", task: "second child" }),
  snapshot("r1", { createdAt: 1, status: "waiting", task: "root task\nmore" }),
  snapshot("c1", { parentId: "r1", rootId: "r1", depth: 1, role: "leaf", createdAt: 2, status: "completed" }),
  snapshot("r0", { createdAt: 0, status: "failed" }),
];

describe("agent picks and summaries (pure)", () => {
  it("orders the tree depth-first and lists live agents for interrupt, all for transcripts", () => {
    assert.deepEqual(treeOrder(tree()).map((a) => a.id), ["r0", "r1", "c1", "c2"]);
    assert.deepEqual(agentPickItems(tree(), "live").map((i) => i.agentId), ["r1", "c2"]);
    const all = agentPickItems(tree(), "all");
    assert.equal(all.length, 4);
    assert.match(all[1]?.description ?? "", /^waiting · 0s/);
    assert.equal(all[1]?.detail, "root task");
  });

  it("parses timeout input: set, extend, remove only when removable", () => {
    assert.deepEqual(parseTimeoutInput("600", true), { kind: "set", seconds: 600 });
    assert.deepEqual(parseTimeoutInput("+5m", false), { kind: "extend", seconds: 300 });
    assert.deepEqual(parseTimeoutInput("0", true), { kind: "remove" });
    assert.match(String(parseTimeoutInput("0", false)), /background agent always has a time limit/);
    assert.match(String(parseTimeoutInput("4000", true)), /between 1 and 3600/);
    assert.match(String(parseTimeoutInput("61m", true)), /between 1 and 3600/);
    // Only whole numbers: what this input accepts, the supervisor accepts too.
    for (const bad of ["0.05", "2h", "1.5"]) assert.equal(typeof parseTimeoutInput(bad, true), "string", bad);
    assert.match(String(parseTimeoutInput("soon", true)), /Enter seconds/);
  });

  it("derives the context keys and the status bar", () => {
    assert.deepEqual(contextKeyValues([]), { "subagents.hasAgents": false, "subagents.hasRunningAgents": false, "subagents.hasFinishedAgents": false });
    assert.deepEqual(contextKeyValues(tree()), { "subagents.hasAgents": true, "subagents.hasRunningAgents": true, "subagents.hasFinishedAgents": true });
    const approval = { requestId: "q1", command: "npm test" };
    const model = statusBarModel([...tree(), snapshot("r2", { pendingApproval: approval })], [{ providerId: "openai", healthy: 2, cooling: 1, invalid: 0 }], true);
    assert.equal(model.text, "$(hubot) 2 $(clock) 1 $(question) 1 $(key) 2 $(debug-pause)");
    assert.match(model.tooltip, /2 running, 1 queued, 1 waiting for approval/);
    assert.match(model.tooltip, /openai: 2 healthy, 1 cooling down/);
    assert.equal(model.attention, true);
    assert.match(statusBarModel([], [], false).tooltip, /No API keys yet/);
  });

  it("notifies approvals of root agents only, each once", () => {
    const agents = [
      snapshot("r1", { pendingApproval: { requestId: "q1", command: "make", cwd: "sub" } }),
      snapshot("c1", { parentId: "r1", rootId: "r1", depth: 1, role: "leaf", pendingApproval: { requestId: "q2", command: "rm x" } }),
    ];
    assert.deepEqual(approvalsToNotify(agents, new Set()).map((a) => a.requestId), ["q1"]);
    assert.deepEqual(approvalsToNotify(agents, new Set(["q1"])), []);
  });

  it("reads Run Task arguments and lists models with the default first", () => {
    assert.deepEqual(parseRunTaskArgument("do it"), { task: "do it" });
    assert.deepEqual(parseRunTaskArgument({ task: "t", model: "a:b:c" }), { task: "t", modelRef: "a:b:c" });
    assert.deepEqual(parseRunTaskArgument({ model: "no-provider" }), {});
    const settings = { ...DEFAULT_SETTINGS, model: "openai:gpt-5", providers: [...DEFAULT_SETTINGS.providers, { id: "ollama", baseUrl: "http://127.0.0.1:11434/v1", models: ["llama3:8b"] }] };
    assert.deepEqual(modelChoices(settings), ["openai:gpt-5", "openai:gpt-5-mini", "ollama:llama3:8b"]);
    const line = progressLine(snapshot("r1", { status: "waiting", currentTool: "spawn_agent" }), tree());
    assert.equal(line, "waiting · 0s · 1/2 subagents running · spawn_agent");
  });

  it("words a failed command for the user", () => {
    assert.equal(commandFailureMessage("subagents.showKeyPool", new Error("boom")), "Subagents: showKeyPool failed: boom");
  });
});

describe("agent commands", () => {
  let service: FakeUserControls;
  let opened: string[];
  let handlers: ReturnType<typeof agentCommandHandlers>;
  const ui = shimState.ui;

  beforeEach(() => {
    resetShim();
    service = new FakeUserControls(tree());
    opened = [];
    handlers = agentCommandHandlers({ supervisor: service, openTranscript: async (id) => void opened.push(id) });
  });

  it("Interrupt Agent picks among live agents (or takes the id from the tree)", async () => {
    ui.pickAnswers.push((items) => items.find((i) => /c2/.test(i.label)));
    await handlers.interruptAgent();
    await handlers.interruptAgent("r1");
    // From a row's native context menu: the row's data-vscode-context, with VS Code's `webview` key.
    await handlers.interruptAgent({ webview: "subagents.agentTree", webviewSection: "agentRow", agentId: "c2" });
    assert.deepEqual(service.calls, [
      "interrupt c2 interrupted by the user",
      "interrupt r1 interrupted by the user",
      "interrupt c2 interrupted by the user",
    ]);
    assert.equal(agentIdArgument({ webview: "subagents.agentTree" }), undefined, "no agent id: the command asks");
    assert.equal(agentIdArgument(42), undefined);
  });

  it("Interrupt All says so when nothing runs", () => {
    handlers.interruptAll();
    assert.deepEqual(service.calls, ["interruptAll"]);
    service = new FakeUserControls([snapshot("done", { status: "completed" })]);
    agentCommandHandlers({ supervisor: service, openTranscript: async () => undefined }).interruptAll();
    assert.deepEqual(service.calls, []);
    assert.match(ui.messages.at(-1)?.message ?? "", /no agent is running/);
  });

  it("Set Agent Timeout sets, extends or removes; a refusal from the service is shown", async () => {
    ui.inputAnswers.push("120", "+60", "0");
    await handlers.setAgentTimeout("r1");
    await handlers.setAgentTimeout("r1");
    await handlers.setAgentTimeout("r1");
    assert.deepEqual(service.calls, ["setTimeout r1 120", "extendTimeout r1 60", "setTimeout r1 null"]);
    service.refuseWith = "r1 has already finished";
    ui.inputAnswers.push("30");
    await handlers.setAgentTimeout("r1");
    assert.deepEqual(ui.messages.at(-1), { level: "error", message: "Subagents: r1 has already finished", items: [], modal: false });
  });

  it("Pause/Resume toggles, Open Transcript picks any agent, Clear Finished reports", async () => {
    handlers.togglePauseSpawning();
    handlers.togglePauseSpawning();
    assert.deepEqual(service.calls, ["setSpawningPaused true", "setSpawningPaused false"]);
    assert.match(ui.messages[0]?.message ?? "", /spawning paused/);
    ui.pickAnswers.push((items) => items.find((i) => /r0/.test(i.label)));
    await handlers.openTranscript();
    assert.deepEqual(opened, ["r0"]);
    handlers.clearFinished();
    assert.match(ui.messages.at(-1)?.message ?? "", /no finished agents to clear/);
  });

  it("shows a root's approval request once, non-modal, and answers it", async () => {
    ui.messageAnswer = (m) => (m.message.includes("wants to run") ? "Deny" : undefined);
    const notifications = new ApprovalNotifications(service, silentLogger);
    service.update(snapshot("r1", { name: "Fixer", pendingApproval: { requestId: "q7", command: "npm run build", cwd: "app" } }));
    service.update(snapshot("r1", { name: "Fixer", elapsedMs: 9, pendingApproval: { requestId: "q7", command: "npm run build", cwd: "app" } }));
    await waitUntil("the answer", () => service.calls.length > 0, 2000);
    assert.deepEqual(service.calls, ["resolveApproval q7 denied"]);
    const asked = ui.messages.filter((m) => m.message.includes("wants to run"));
    assert.equal(asked.length, 1);
    assert.equal(asked[0]?.message, 'Subagents: "Fixer" wants to run (in app): npm run build');
    assert.equal(asked[0]?.modal, false);
    notifications.dispose();
  });
});
