import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { agentRowContext } from "../../../src/core/protocol/agentActions";
import { AgentTreeSession } from "../../../src/host/agentTreeSession";
import { budgetInputProblem, parseBudgetInput, raiseBudget } from "../../../src/host/agents/budgetCommands";
import { COMMAND_IDS } from "../../../src/host/commandIds";
import { ManualClock } from "../../fakes/manualClock";
import { resetShim, shimState } from "../../fakes/vscodeShim";
import { FakeUserControls, treeTestRig, type TreeTestRig } from "./agentTreeFakes";
import { snapshot } from "./hostTestSupport";

/** Raise Budget… on the host: the tree's message is checked against the host's own tree, the command asks and checks the new limit. */
const spentRoot = snapshot("r1", {
  name: "Refactor",
  status: "waiting",
  subtreeTokensIn: 9_000,
  subtreeTokensOut: 1_200,
  budget: { maxTokens: 10_000, reached: true },
});
const bothRoot = snapshot("r2", { name: "Docs", subtreeTokensIn: 100, subtreeTokensOut: 0, subtreeCostUsd: 0.4, budget: { maxTokens: 50_000, maxCostUsd: 0.5 } });
const child = snapshot("c1", { parentId: "r1", rootId: "r1", depth: 1, role: "leaf", budget: undefined });
const unbudgeted = snapshot("r3", { name: "Free" });
const tree = () => [spentRoot, bothRoot, child, unbudgeted];

function sessionRig(): { rig: TreeTestRig; session: AgentTreeSession } {
  const rig = treeTestRig(tree());
  const session = new AgentTreeSession(rig.deps, { postMessage: (message) => rig.posted.push(message) }, { clock: new ManualClock() });
  session.handleMessage({ type: "ready" });
  rig.posted.length = 0;
  return { rig, session };
}

const notices = (rig: TreeTestRig): string[] => rig.posted.flatMap((m) => (m.type === "notice" ? [`${m.level}: ${m.message}`] : []));

describe("raiseBudget from the webview", () => {
  it("runs the command for a root with a budget, from its button or its context menu", () => {
    const { rig, session } = sessionRig();
    session.handleMessage({ type: "raiseBudget", agentId: "r1" });
    session.runAgentAction("raiseBudget", { webview: "subagents.agentTree", ...agentRowContext(bothRoot) });
    assert.deepEqual(rig.commands, [
      [COMMAND_IDS.raiseBudget, "r1"],
      [COMMAND_IDS.raiseBudget, "r2"],
    ]);
    assert.deepEqual(notices(rig), []);
  });

  it("refuses a subagent, a task without a budget and an unknown id, whatever the page claims", () => {
    const { rig, session } = sessionRig();
    session.handleMessage({ type: "raiseBudget", agentId: "c1" });
    session.handleMessage({ type: "raiseBudget", agentId: "r3" });
    session.handleMessage({ type: "raiseBudget", agentId: "gone" });
    session.runAgentAction("raiseBudget", { agentId: "c1", "subagents.can.raiseBudget": true });
    assert.deepEqual(rig.commands, []);
    assert.deepEqual(notices(rig), [
      "info: c1 is a subagent; raise the budget on its task's root.",
      "info: The task of Free has no budget to raise.",
      "warning: That agent no longer exists.",
      "info: c1 is a subagent; raise the budget on its task's root.",
    ]);
    assert.equal(rig.logger.lines.filter((l) => l.includes("raiseBudget ignored")).length, 4);
  });

  it("drops malformed messages: extra keys, a missing or oversized id, a value smuggled in", () => {
    const { rig, session } = sessionRig();
    session.handleMessage({ type: "raiseBudget" });
    session.handleMessage({ type: "raiseBudget", agentId: "" });
    session.handleMessage({ type: "raiseBudget", agentId: "r1".repeat(200) });
    session.handleMessage({ type: "raiseBudget", agentId: "r1", maxTokens: 1e12 });
    session.handleMessage({ type: "raiseBudget", agentId: 7 });
    assert.deepEqual(rig.commands, []);
    assert.deepEqual(rig.service.calls, []);
    assert.equal(rig.logger.lines.filter((l) => l.includes("dropped a malformed message")).length, 5);
  });
});

describe("Subagents: Raise Task Budget…", () => {
  let service: FakeUserControls;
  const ui = shimState.ui;
  beforeEach(() => {
    resetShim();
    service = new FakeUserControls(tree());
  });

  it("asks for the new token limit of the given root, checks it against the spend, and raises that task only", async () => {
    ui.inputAnswers.push("25k");
    await raiseBudget(service, "r1");
    assert.deepEqual(service.calls, ["raiseBudget r1 maxTokens 25000"]);
    const box = ui.inputBoxes[0];
    assert.equal(box?.title, "Raise the budget of Refactor");
    assert.match(box?.prompt ?? "", /now 10,200 of 10,000 tokens\)\. Applies to this task only/);
    assert.equal(box?.value, "20400", "suggests twice what is spent");
    const validate = box?.validateInput;
    assert.ok(validate);
    assert.match(String(await validate("10200")), /more than 10200 tokens \(what the task has already spent\)/);
    assert.match(String(await validate("lots")), /Type a number of tokens/);
    assert.equal(await validate("10,201"), undefined);
    assert.match(ui.messages.at(-1)?.message ?? "", /the budget of Refactor is now 25,000 tokens/);
  });

  it("from the palette: picks among roots with a budget, then which limit when there are two", async () => {
    ui.pickAnswers.push((items) => items.find((i) => i.label.endsWith("Docs")));
    ui.pickAnswers.push((items) => items.find((i) => i.label === "Cost (USD)"));
    ui.inputAnswers.push("$1.50");
    await raiseBudget(service);
    const [roots, kinds] = ui.picks;
    assert.deepEqual(roots?.items.map((i) => i.label.replace(/^\$\([^)]+\) /, "")), ["Refactor", "Docs"]);
    assert.equal(roots?.items[0]?.description, "budget reached · 10,200 of 10,000 tokens");
    assert.deepEqual(kinds?.items.map((i) => [i.label, i.description]), [
      ["Tokens", "100 of 50,000 tokens"],
      ["Cost (USD)", "$0.40 of $0.50"],
    ]);
    assert.deepEqual(service.calls, ["raiseBudget r2 maxCostUsd 1.5"]);
  });

  it("explains when there is nothing to raise, and shows the supervisor's refusal", async () => {
    await raiseBudget(service, "c1");
    assert.match(ui.messages.at(-1)?.message ?? "", /c1 is a subagent; .* raise it on the task's root agent/);
    await raiseBudget(service, { webview: "subagents.agentTree", agentId: "r3" });
    assert.match(ui.messages.at(-1)?.message ?? "", /the task of Free has no budget\. Set subagents\.budget\.maxTokensPerTask/);
    await raiseBudget(new FakeUserControls([unbudgeted]));
    assert.match(ui.messages.at(-1)?.message ?? "", /no task has a budget/);
    service.refuseWith = "Refactor has changed";
    ui.inputAnswers.push("30000");
    await raiseBudget(service, "r1");
    assert.deepEqual(ui.messages.at(-1), { level: "error", message: "Subagents: Refactor has changed", items: [], modal: false });
    ui.inputAnswers.push(undefined);
    service.refuseWith = undefined;
    await raiseBudget(service, "r1");
    assert.deepEqual(service.calls, [], "Escape raises nothing");
  });

  it("reads tokens with k/M and separators, dollars with an optional $; nothing else", () => {
    assert.equal(parseBudgetInput("250k", "maxTokens"), 250_000);
    assert.equal(parseBudgetInput("1.5M", "maxTokens"), 1_500_000);
    assert.equal(parseBudgetInput(" 250,000 ", "maxTokens"), 250_000);
    assert.equal(typeof parseBudgetInput("1.5", "maxTokens"), "string");
    assert.equal(typeof parseBudgetInput("-5", "maxTokens"), "string");
    assert.equal(typeof parseBudgetInput("1e9", "maxTokens"), "string");
    assert.equal(parseBudgetInput("$2.50", "maxCostUsd"), 2.5);
    assert.equal(parseBudgetInput("3", "maxCostUsd"), 3);
    assert.equal(typeof parseBudgetInput("$", "maxCostUsd"), "string");
    assert.equal(typeof parseBudgetInput("Infinity", "maxCostUsd"), "string");
    assert.match(budgetInputProblem("0.45", "maxCostUsd", bothRoot) ?? "", /more than \$0\.5 \(the current limit\)/);
    assert.equal(budgetInputProblem("0.75", "maxCostUsd", bothRoot), undefined);
  });
});
