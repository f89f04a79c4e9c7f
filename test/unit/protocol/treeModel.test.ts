import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rowActions } from "../../../media/model/agentActions";
import { actionEffect, agentRowContext, availableActions } from "../../../src/core/protocol/agentActions";
import { AgentStore, flattenTree } from "../../../media/model/agentStore";
import { formatElapsed, formatRemaining, formatTokens, parseDuration, parseTimeoutAnswer } from "../../../media/model/format";
import { isTimeoutSeconds, MAX_TIMEOUT_SECONDS } from "../../../src/core/common/timeLimits";
import { setTimeoutMessageSchema } from "../../../src/core/protocol/messages";
import { treeKeyCommand, type KeyPress } from "../../../media/model/treeKeys";
import { INITIAL_VIEW_STATE, reduceViewState, restoreViewState } from "../../../media/model/viewState";
import { FIXTURE_NOW, largeTree, makeAgent, mixedTree } from "../../webview/fixtures";

/** The webview's side of the protocol: applying snapshots and patches, and the view logic on top. */

function storeOf(agents = mixedTree()): AgentStore {
  const store = new AgentStore();
  store.applySnapshot(agents, FIXTURE_NOW, FIXTURE_NOW);
  return store;
}

describe("AgentStore and flattenTree", () => {
  it("puts roots newest first and children in spawn order, with ARIA positions", () => {
    const rows = flattenTree(storeOf(), new Set());
    assert.deepEqual(
      rows.slice(0, 5).map((r) => r.id),
      ["root-2", "notes-a", "notes-b", "notes-c", "root-1"],
    );
    const root1 = rows.find((r) => r.id === "root-1");
    assert.deepEqual(root1 && { level: root1.level, pos: root1.posInSet, size: root1.setSize, expanded: root1.expanded }, {
      level: 1,
      pos: 2,
      size: 2,
      expanded: true,
    });
    const grandchild = rows.find((r) => r.id === "scan-b");
    assert.equal(grandchild?.level, 3);
    assert.equal(grandchild?.parentId, "scan");
    assert.equal(rows.length, 14);
  });

  it("leaves collapsed subtrees out", () => {
    const rows = flattenTree(storeOf(), new Set(["root-1"]));
    assert.deepEqual(rows.map((r) => r.id), ["root-2", "notes-a", "notes-b", "notes-c", "root-1"]);
    assert.equal(rows.at(-1)?.expanded, false);
    assert.equal(rows.at(-1)?.hasChildren, true);
  });

  it("shows an agent whose parent is gone as a root, and survives a parent cycle", () => {
    const store = storeOf([
      makeAgent({ id: "orphan", parentId: "missing" }),
      makeAgent({ id: "x", parentId: "y" }),
      makeAgent({ id: "y", parentId: "x" }),
    ]);
    assert.deepEqual(flattenTree(store, new Set()).map((r) => r.id), ["orphan"]);
  });

  it("reports structural patches only when agents appear, disappear or move", () => {
    const store = storeOf();
    const before = store.structureVersion;
    const edit = store.get("edit");
    assert.ok(edit);
    assert.equal(store.applyPatch([{ ...edit, status: "completed" }], [], FIXTURE_NOW, FIXTURE_NOW), false);
    assert.equal(store.structureVersion, before);
    assert.equal(store.applyPatch([makeAgent({ id: "new", parentId: "root-1" })], [], FIXTURE_NOW, FIXTURE_NOW), true);
    assert.equal(store.applyPatch([], ["new"], FIXTURE_NOW, FIXTURE_NOW), true);
    assert.equal(store.applyPatch([], ["never-there"], FIXTURE_NOW, FIXTURE_NOW), false);
    assert.equal(store.get("edit")?.status, "completed");
  });

  it("ticks elapsed time of running agents only, and converts host time for timeouts", () => {
    const store = new AgentStore();
    const hostNow = 1_000_000;
    const localNow = 5_000_000; // the webview's clock differs from the host's
    store.applySnapshot(
      [
        makeAgent({ id: "run", status: "running", elapsedMs: 10_000, timeoutAt: hostNow + 60_000 }),
        makeAgent({ id: "wait", status: "waiting", elapsedMs: 10_000, startedAt: hostNow - 10_000 }),
        makeAgent({ id: "done", status: "completed", elapsedMs: 10_000, startedAt: hostNow - 20_000 }),
      ],
      hostNow,
      localNow,
    );
    const run = store.get("run");
    const wait = store.get("wait");
    assert.ok(run && wait);
    assert.equal(store.elapsedAt(run, localNow + 3_000), 13_000);
    // Waiting on children still counts, as the host's elapsed does; a finished agent is frozen.
    assert.equal(store.elapsedAt(wait, localNow + 3_000), 13_000);
    const done = store.get("done");
    assert.ok(done);
    assert.equal(store.elapsedAt(done, localNow + 3_000), 10_000);
    assert.equal(store.remainingAt(run, localNow + 3_000), 57_000);
    assert.equal(store.remainingAt(wait, localNow), undefined);
  });

  it("flattens 2,000 agents", () => {
    // Its speed is part of the tree's first paint, measured by npm run bench.
    const store = storeOf(largeTree(2000));
    const rows = flattenTree(store, new Set());
    assert.equal(rows.length, 2000);
  });
});

describe("formatting", () => {
  it("formats elapsed time, time left and tokens", () => {
    assert.equal(formatElapsed(0), "0s");
    assert.equal(formatElapsed(42_900), "42s");
    assert.equal(formatElapsed(187_000), "3m 07s");
    assert.equal(formatElapsed(3_900_000), "1h 05m");
    assert.equal(formatRemaining(-5), "0s");
    assert.equal(formatRemaining(59_001), "1m 00s");
    assert.equal(formatTokens(950), "950");
    assert.equal(formatTokens(1234), "1.2k");
    assert.equal(formatTokens(34_499), "34k");
    assert.equal(formatTokens(1_500_000), "1.5M");
  });

  it("parses typed durations", () => {
    assert.equal(parseDuration("90"), 90);
    assert.equal(parseDuration("90s"), 90);
    assert.equal(parseDuration(" 10m "), 600);
    assert.equal(parseDuration("1h 30m"), 5400);
    assert.equal(parseDuration("2m30s"), 150);
    assert.equal(parseDuration("1.5h"), 5400);
    for (const bad of ["", "0", "0s", "abc", "10 minutes", "-5", "5d", "m"]) assert.equal(parseDuration(bad), undefined, bad);
  });

  it("the timeout prompt accepts what the host accepts and nothing more", () => {
    assert.deepEqual(parseTimeoutAnswer("1h"), { seconds: MAX_TIMEOUT_SECONDS });
    assert.deepEqual(parseTimeoutAnswer("90.4s"), { seconds: 90 }, "typed fractions round to whole seconds");
    for (const bad of ["2h", "61m", "3601", "1h 1s", "0.05s", "0.4s", "0.05", "0", "soon"]) {
      const parsed = parseTimeoutAnswer(bad);
      assert.ok("error" in parsed, bad);
      if ("error" in parsed) assert.match(parsed.error, /from 1s to 1 hour/);
    }
    // Whatever the prompt lets through, the message schema and the supervisor's rule accept.
    for (const good of ["1", "1s", "90", "10m", "1h", "59m 59s", "1.5m"]) {
      const parsed = parseTimeoutAnswer(good);
      assert.ok("seconds" in parsed, good);
      if (!("seconds" in parsed)) continue;
      assert.ok(isTimeoutSeconds(parsed.seconds), good);
      assert.ok(setTimeoutMessageSchema.safeParse({ type: "setTimeout", agentId: "a", seconds: parsed.seconds }).success, good);
    }
  });
});

describe("view state", () => {
  it("restores only valid stored state", () => {
    assert.equal(restoreViewState(undefined), INITIAL_VIEW_STATE);
    assert.equal(restoreViewState({ version: 2 }), INITIAL_VIEW_STATE);
    const stored = { ...INITIAL_VIEW_STATE, collapsed: ["a"], selectedId: "b" };
    assert.deepEqual(restoreViewState(JSON.parse(JSON.stringify(stored))), stored);
  });

  it("toggles, selects and prunes, returning the same object when nothing changes", () => {
    let state = reduceViewState(INITIAL_VIEW_STATE, { type: "toggle", id: "a" });
    assert.deepEqual(state.collapsed, ["a"]);
    assert.equal(reduceViewState(state, { type: "setExpanded", id: "a", expanded: false }), state);
    state = reduceViewState(state, { type: "setExpanded", id: "a", expanded: true });
    assert.deepEqual(state.collapsed, []);
    state = reduceViewState(state, { type: "select", id: "b" });
    state = reduceViewState(state, { type: "focus", id: "c" });
    state = reduceViewState(state, { type: "toggle", id: "d" });
    assert.equal(reduceViewState(state, { type: "select", id: "b" }), state);
    const pruned = reduceViewState(state, { type: "prune", exists: (id) => id === "c" });
    assert.deepEqual([pruned.selectedId, pruned.focusedId, pruned.collapsed], [null, "c", []]);
    assert.equal(reduceViewState(pruned, { type: "prune", exists: () => true }), pruned);
    assert.equal(reduceViewState(pruned, { type: "scroll", top: 10.4 }).scrollTop, 10);
  });
});

describe("tree keyboard", () => {
  const rows = flattenTree(storeOf(), new Set(["scan"]));
  const press = (key: string, shiftKey = false): KeyPress => ({ key, shiftKey, ctrlKey: false, altKey: false, metaKey: false });
  const at = (id: string): number => rows.findIndex((r) => r.id === id);

  it("moves with arrows, Home, End and pages, clamped at the ends", () => {
    assert.deepEqual(treeKeyCommand(press("ArrowDown"), rows, 0, 10), { type: "focus", index: 1 });
    assert.deepEqual(treeKeyCommand(press("ArrowUp"), rows, 0, 10), { type: "focus", index: 0 });
    assert.deepEqual(treeKeyCommand(press("End"), rows, 0, 10), { type: "focus", index: rows.length - 1 });
    assert.deepEqual(treeKeyCommand(press("Home"), rows, 5, 10), { type: "focus", index: 0 });
    assert.deepEqual(treeKeyCommand(press("PageDown"), rows, 0, 4), { type: "focus", index: 3 });
  });

  it("expands, enters, collapses and climbs with Right and Left", () => {
    assert.deepEqual(treeKeyCommand(press("ArrowRight"), rows, at("scan"), 10), { type: "expand", id: "scan" });
    assert.deepEqual(treeKeyCommand(press("ArrowRight"), rows, at("root-1"), 10), { type: "focus", index: at("root-1") + 1 });
    assert.deepEqual(treeKeyCommand(press("ArrowLeft"), rows, at("root-1"), 10), { type: "collapse", id: "root-1" });
    assert.deepEqual(treeKeyCommand(press("ArrowLeft"), rows, at("edit"), 10), { type: "focus", index: at("root-1") });
    assert.deepEqual(treeKeyCommand(press("ArrowRight"), rows, at("edit"), 10), { type: "none" });
  });

  it("selects with Enter and Space, and leaves the context-menu key and Shift+F10 to the browser", () => {
    assert.deepEqual(treeKeyCommand(press("Enter"), rows, 0, 10), { type: "select", id: "root-2" });
    assert.deepEqual(treeKeyCommand(press(" "), rows, 0, 10), { type: "select", id: "root-2" });
    // Not handled, so not prevented: their `contextmenu` event opens VS Code's native menu.
    assert.deepEqual(treeKeyCommand(press("ContextMenu"), rows, 0, 10), { type: "none" });
    assert.deepEqual(treeKeyCommand(press("F10", true), rows, 0, 10), { type: "none" });
    assert.deepEqual(treeKeyCommand(press("F10"), rows, 0, 10), { type: "none" });
    assert.deepEqual(treeKeyCommand({ ...press("ArrowDown"), ctrlKey: true }, rows, 0, 10), { type: "none" });
  });
});

describe("agent actions", () => {
  const byId = new Map(mixedTree().map((a) => [a.id, a]));
  const agent = (id: string) => {
    const found = byId.get(id);
    assert.ok(found);
    return found;
  };

  it("offers only what makes sense for each agent", () => {
    assert.deepEqual(availableActions(agent("tests")), [
      "approve", "deny", "interrupt", "extendTimeout", "setTimeout", "removeTimeout", "sendMessage", "openTranscript",
    ]);
    assert.deepEqual(availableActions(agent("docs")), ["interrupt", "extendTimeout", "setTimeout", "sendMessage", "openTranscript"]);
    assert.deepEqual(availableActions(agent("scan")), ["sendMessage", "openTranscript", "copyResult"]);
    assert.deepEqual(availableActions(agent("scan-b")), ["sendMessage", "openTranscript", "copyResult"]);
    assert.deepEqual(rowActions(agent("lint")), ["interrupt", "sendMessage", "openTranscript"]);
  });

  it("maps actions to messages, with the approval's request id", () => {
    assert.deepEqual(actionEffect("approve", agent("tests")), {
      kind: "post",
      message: { type: "resolveApproval", agentId: "tests", requestId: "req-1", decision: "approved" },
    });
    assert.deepEqual(actionEffect("removeTimeout", agent("edit")), { kind: "post", message: { type: "setTimeout", agentId: "edit", seconds: null } });
    assert.deepEqual(actionEffect("extendTimeout", agent("edit")), { kind: "post", message: { type: "extendTimeout", agentId: "edit", seconds: 300 } });
    assert.deepEqual(actionEffect("sendMessage", agent("edit")), { kind: "prompt", prompt: "message" });
    assert.deepEqual(actionEffect("setTimeout", agent("edit")), { kind: "prompt", prompt: "timeout" });
  });

  it("offers review, revert and keep (for the whole subtree) once the agent or a descendant changed files", () => {
    const changed = { ...agent("scan"), subtreeChangedFiles: 2 };
    assert.deepEqual(availableActions(changed).slice(-3), ["reviewChanges", "revertChanges", "keepChanges"]);
    assert.equal(agentRowContext(changed)["subagents.can.revertChanges"], true);
    assert.deepEqual(actionEffect("revertChanges", changed), { kind: "post", message: { type: "revertChanges", agentId: "scan", scope: "subtree" } });
    assert.deepEqual(actionEffect("keepChanges", changed), { kind: "post", message: { type: "keepChanges", agentId: "scan", scope: "subtree" } });
    assert.deepEqual(actionEffect("reviewChanges", changed), { kind: "post", message: { type: "reviewChanges", agentId: "scan" } });
    assert.equal(rowActions(changed).includes("revertChanges"), false, "the row's own buttons stay few; the menu and the pane have them");
  });

  it("offers Merge and Discard of a worktree only once its agent stopped", () => {
    const worktree = { path: "/storage/worktrees/x", branch: "subagents/x", base: "abc" };
    assert.deepEqual(availableActions({ ...agent("scan"), worktree }).slice(-2), ["mergeWorktree", "discardWorktree"]);
    assert.equal(availableActions({ ...agent("docs"), worktree }).includes("mergeWorktree"), false, "a running agent keeps its worktree");
    assert.deepEqual(actionEffect("mergeWorktree", agent("scan")), { kind: "post", message: { type: "mergeWorktree", agentId: "scan" } });
  });

  it("offers Raise Budget… on a root whose task has a budget, finished or not, and never on a subagent", () => {
    const budget = { maxTokens: 1000, reached: true };
    const root = { ...agent("scan"), parentId: null, budget };
    assert.equal(availableActions(root).includes("raiseBudget"), true);
    assert.equal(availableActions({ ...agent("docs"), parentId: null, budget }).includes("raiseBudget"), true);
    assert.equal(availableActions({ ...root, budget: undefined }).includes("raiseBudget"), false);
    assert.equal(availableActions({ ...agent("scan"), parentId: "root-1", budget }).includes("raiseBudget"), false);
    assert.equal(rowActions(root).includes("raiseBudget"), false, "in the menu and the pane, not on the narrow row");
    assert.deepEqual(actionEffect("raiseBudget", root), { kind: "post", message: { type: "raiseBudget", agentId: "scan" } });
  });

  it("puts the agent, its pending approval and one context key per action into the row's menu context", () => {
    assert.deepEqual(agentRowContext(agent("scan")), {
      webviewSection: "agentRow",
      agentId: "scan",
      "subagents.can.approve": false,
      "subagents.can.deny": false,
      "subagents.can.interrupt": false,
      "subagents.can.extendTimeout": false,
      "subagents.can.setTimeout": false,
      "subagents.can.removeTimeout": false,
      "subagents.can.raiseBudget": false,
      "subagents.can.sendMessage": true,
      "subagents.can.openTranscript": true,
      "subagents.can.copyResult": true,
      "subagents.can.reviewChanges": false,
      "subagents.can.revertChanges": false,
      "subagents.can.keepChanges": false,
      "subagents.can.mergeWorktree": false,
      "subagents.can.discardWorktree": false,
    });
    const tests = agentRowContext(agent("tests"));
    assert.equal(tests["requestId"], "req-1");
    assert.equal(tests["subagents.can.approve"], true);
  });
});
