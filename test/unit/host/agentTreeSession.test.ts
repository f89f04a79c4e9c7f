import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { agentRowContext } from "../../../src/core/protocol/agentActions";
import type { AgentSnapshot } from "../../../src/core/protocol/agentSnapshot";
import type { PatchMessage, SnapshotMessage } from "../../../src/core/protocol/messages";
import { AgentTreeSession } from "../../../src/host/agentTreeSession";
import { COMMAND_IDS } from "../../../src/host/commandIds";
import { makeAgent, mixedTree } from "../../webview/fixtures";
import { ManualClock } from "../../fakes/manualClock";
import { treeTestRig, type TreeTestRig } from "./agentTreeFakes";

function sessionRig(agents: AgentSnapshot[] = mixedTree()): { rig: TreeTestRig; clock: ManualClock; session: AgentTreeSession } {
  const rig = treeTestRig(agents);
  const clock = new ManualClock();
  const session = new AgentTreeSession(rig.deps, { postMessage: (message) => rig.posted.push(message) }, { clock });
  return { rig, clock, session };
}

const notices = (rig: TreeTestRig): string[] =>
  rig.posted.flatMap((m) => (m.type === "notice" ? [`${m.level}: ${m.message}`] : []));

const flushPromises = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("AgentTreeSession stream", () => {
  it("posts nothing before ready, then a full snapshot", () => {
    const { rig, clock, session } = sessionRig();
    rig.service.update(makeAgent({ id: "extra" }));
    clock.advance(1000);
    assert.deepEqual(rig.posted, []);
    session.handleMessage({ type: "ready" });
    const [snapshot] = rig.posted as SnapshotMessage[];
    assert.equal(snapshot?.type, "snapshot");
    assert.equal(snapshot.agents.length, 15);
    assert.deepEqual(snapshot.keys, rig.keys);
    assert.equal(snapshot.spawningPaused, false);
  });

  it("sends only changed agents, coalesced, and key or pause changes", () => {
    const { rig, clock, session } = sessionRig();
    session.handleMessage({ type: "ready" });
    rig.posted.length = 0;
    const edit = rig.service.get("edit");
    assert.ok(edit);
    for (let i = 0; i < 10; i++) rig.service.update({ ...edit, toolCount: i });
    rig.keys = [{ providerId: "openai", healthy: 1, cooling: 1, invalid: 0 }];
    rig.keyChanges.fire();
    clock.advance(49);
    assert.equal(rig.posted.length, 0, "the snapshot was just sent: wait for the interval");
    clock.advance(1);
    assert.equal(rig.posted.length, 1);
    const patch = rig.posted[0] as PatchMessage;
    assert.deepEqual(patch.upserts.map((a) => a.id), ["edit"]);
    assert.equal(patch.upserts[0]?.toolCount, 9);
    assert.deepEqual(patch.keys, rig.keys);
    assert.equal(patch.spawningPaused, undefined);
    assert.equal(patch.seq, 1);

    clock.advance(500);
    rig.service.remove("lint");
    rig.service.spawningPaused = true;
    clock.advance(0);
    assert.equal(rig.posted.length, 2, "after a quiet period the next change goes out at once");
    rig.service.update(makeAgent({ id: "quick" }));
    clock.advance(10);
    assert.equal(rig.posted.length, 2, "then changes wait for the interval");
    clock.advance(40);
    assert.equal(rig.posted.length, 3);
    const second = rig.posted[1] as PatchMessage;
    assert.deepEqual([second.removed, second.spawningPaused, second.upserts.length, second.seq], [["lint"], true, 0, 2]);
    assert.deepEqual((rig.posted[2] as PatchMessage).upserts.map((a) => a.id), ["quick"]);
  });

  it("stops while hidden and starts over with a snapshot on the next ready", () => {
    const { rig, clock, session } = sessionRig();
    session.handleMessage({ type: "ready" });
    session.setVisible(false);
    assert.equal(session.isStreaming, false);
    rig.service.update(makeAgent({ id: "late" }));
    clock.advance(1000);
    assert.equal(rig.posted.length, 1);
    session.setVisible(true);
    session.handleMessage({ type: "ready" });
    const last = rig.posted.at(-1);
    assert.equal(last?.type, "snapshot");
    assert.ok(last?.type === "snapshot" && last.agents.some((a) => a.id === "late"));
  });

  it("releases its listeners and timers on dispose", () => {
    const { rig, clock, session } = sessionRig();
    session.handleMessage({ type: "ready" });
    rig.service.update(makeAgent({ id: "x" }));
    session.dispose();
    assert.equal(rig.service.changes.listenerCount, 0);
    assert.equal(rig.keyChanges.listenerCount, 0);
    assert.equal(clock.pendingTimers, 0);
    session.handleMessage({ type: "interrupt", agentId: "edit" });
    assert.deepEqual(rig.service.calls, []);
  });
});

describe("AgentTreeSession actions", () => {
  it("routes each control to the service or a command", async () => {
    const { rig, session } = sessionRig();
    session.handleMessage({ type: "ready" });
    session.handleMessage({ type: "interrupt", agentId: "edit" });
    session.handleMessage({ type: "extendTimeout", agentId: "edit", seconds: 300 });
    session.handleMessage({ type: "setTimeout", agentId: "edit", seconds: 600 });
    session.handleMessage({ type: "setTimeout", agentId: "edit", seconds: null });
    session.handleMessage({ type: "sendMessage", agentId: "scan", message: "also check docs/" });
    session.handleMessage({ type: "resolveApproval", agentId: "tests", requestId: "req-1", decision: "approved" });
    session.handleMessage({ type: "setSpawningPaused", paused: true });
    session.handleMessage({ type: "setSpawningPaused", paused: true });
    session.handleMessage({ type: "openTranscript", agentId: "scan-b" });
    session.handleMessage({ type: "runCommand", command: "interruptAll" });
    session.handleMessage({ type: "runCommand", command: "showKeyPool" });
    session.handleMessage({ type: "copyResult", agentId: "scan" });
    await flushPromises();
    assert.deepEqual(rig.service.calls, [
      "interrupt edit Interrupted from the agent tree",
      "extendTimeout edit 300",
      "setTimeout edit 600",
      "setTimeout edit null",
      "sendMessage scan also check docs/",
      "resolveApproval req-1 approved",
      "setSpawningPaused true",
    ]);
    assert.deepEqual(rig.commands, [[COMMAND_IDS.openTranscript, "scan-b"], [COMMAND_IDS.interruptAll], [COMMAND_IDS.showKeyPool]]);
    assert.deepEqual(rig.clipboard, ["Found **37** imports of `auth` in 12 files."]);
    assert.deepEqual(notices(rig), ["info: Copied the result of Scan imports."]);
  });

  it("refuses stale and unknown targets harmlessly, with a notice", () => {
    const { rig, session } = sessionRig();
    session.handleMessage({ type: "ready" });
    session.handleMessage({ type: "interrupt", agentId: "gone" });
    session.handleMessage({ type: "interrupt", agentId: "scan" }); // completed
    session.handleMessage({ type: "extendTimeout", agentId: "bench", seconds: 300 }); // timed out
    session.handleMessage({ type: "setTimeout", agentId: "docs", seconds: null }); // background: not removable
    session.handleMessage({ type: "resolveApproval", agentId: "tests", requestId: "req-0", decision: "denied" }); // answered
    session.handleMessage({ type: "resolveApproval", agentId: "edit", requestId: "req-1", decision: "denied" }); // wrong agent
    session.handleMessage({ type: "copyResult", agentId: "edit" }); // no result yet
    session.handleMessage({ type: "openTranscript", agentId: "gone" });
    assert.deepEqual(rig.service.calls, []);
    assert.deepEqual(rig.commands, []);
    assert.deepEqual(rig.clipboard, []);
    assert.equal(notices(rig).length, 8);
    assert.match(notices(rig)[1] ?? "", /Scan imports has already finished \(completed\)/);
  });

  it("runs the native context menu's commands through the same handlers, with the row's context as argument", async () => {
    const { rig, session } = sessionRig();
    session.handleMessage({ type: "ready" });
    rig.posted.length = 0;
    // What VS Code passes: the row's data-vscode-context plus its own `webview` key.
    const menu = (id: string) => ({ webview: "subagents.agentTree", ...agentRowContext(rig.service.get(id)!) });
    session.runAgentAction("interrupt", menu("edit"));
    session.runAgentAction("extendTimeout", menu("edit"));
    session.runAgentAction("removeTimeout", menu("edit"));
    session.runAgentAction("approve", menu("tests"));
    session.runAgentAction("openTranscript", menu("scan-b"));
    session.runAgentAction("copyResult", menu("scan"));
    await flushPromises();
    assert.deepEqual(rig.service.calls, [
      "interrupt edit Interrupted from the agent tree",
      "extendTimeout edit 300",
      "setTimeout edit null",
      "resolveApproval req-1 approved",
    ]);
    assert.deepEqual(rig.commands, [[COMMAND_IDS.openTranscript, "scan-b"]]);
    assert.deepEqual(rig.clipboard, ["Found **37** imports of `auth` in 12 files."]);

    // Actions that need typed input open the view's own prompt.
    rig.posted.length = 0;
    session.runAgentAction("setTimeout", menu("edit"));
    session.runAgentAction("sendMessage", menu("scan"));
    assert.deepEqual(rig.posted, [
      { type: "openPrompt", agentId: "edit", prompt: "timeout" },
      { type: "openPrompt", agentId: "scan", prompt: "message" },
    ]);
  });

  it("answers only the approval the menu was opened for, and ignores a context without an agent", () => {
    const { rig, session } = sessionRig();
    session.handleMessage({ type: "ready" });
    rig.posted.length = 0;
    session.runAgentAction("deny", { webview: "subagents.agentTree", agentId: "tests", requestId: "req-0" });
    session.runAgentAction("interrupt", { webview: "subagents.agentTree" });
    session.runAgentAction("interrupt", "edit; rm -rf /");
    session.runAgentAction("interrupt", { agentId: "gone" });
    assert.deepEqual(rig.service.calls, []);
    assert.deepEqual(notices(rig), ["info: That command approval of Run unit tests was already answered.", "warning: That agent no longer exists."]);
    assert.equal(rig.logger.lines.filter((l) => l.includes("came without an agent id")).length, 2);
  });

  it("turns a service refusal into an error notice", () => {
    const { rig, session } = sessionRig();
    session.handleMessage({ type: "ready" });
    rig.service.refuseWith = "Background agents need a time limit.";
    session.handleMessage({ type: "setTimeout", agentId: "edit", seconds: 60 });
    assert.deepEqual(notices(rig), ["error: Background agents need a time limit."]);
    assert.ok(rig.logger.lines.some((l) => l.startsWith("warn agent tree: setTimeout refused")));
  });

  it("contains a failing command and a failing handler", async () => {
    const { rig, session } = sessionRig();
    session.handleMessage({ type: "ready" });
    const deps = rig.deps as { runCommand: unknown };
    deps.runCommand = () => Promise.reject(new Error("command failed"));
    session.handleMessage({ type: "runCommand", command: "runTask" });
    await flushPromises();
    assert.deepEqual(notices(rig), ["error: command failed"]);
    const broken = new AgentTreeSession(rig.deps, { postMessage: () => undefined }, {
      handlers: { ...(await import("../../../src/host/agentTreeHandlers")).agentTreeHandlers, interrupt: () => { throw new Error("bug"); } },
    });
    broken.handleMessage({ type: "interrupt", agentId: "edit" });
    assert.ok(rig.logger.lines.some((l) => l.startsWith("error agent tree: handler for interrupt failed")));
    broken.dispose();
  });
});
