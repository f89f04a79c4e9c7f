import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertQuiet, byName, scriptedKitPerTest } from "../../fakes/agentTestKit";
import { lastToolResult } from "../../fakes/scriptedModelClient";
import { waitUntil } from "../../fakes/polling";

const start = scriptedKitPerTest();

const command = (c: string) => ({ toolCalls: [{ name: "run_command", arguments: { command: c, cwd: "src" } }] });
const echoLast = (call: { messages: Parameters<typeof lastToolResult>[0] }) => ({ text: `saw: ${lastToolResult(call.messages)}` });

describe("command approvals", () => {
  it("waits visibly without a slot, lets other agents run, and runs the command once approved", async () => {
    const { kit } = start(
      (call) => {
        if (call.task === "needs approval") return call.turn === 0 ? command("make build") : echoLast(call);
        return { text: "other agent ran", delayMs: 5 };
      },
      { settings: { maxConcurrentAgents: 1 } },
    );
    const asking = kit.service.runRoot({ task: "needs approval" });
    await waitUntil("pending approval", () => kit!.service.get(asking.agentId)?.pendingApproval !== undefined);
    const snapshot = kit.service.get(asking.agentId)!;
    assert.equal(snapshot.status, "waiting");
    assert.deepEqual({ command: snapshot.pendingApproval?.command, cwd: snapshot.pendingApproval?.cwd }, { command: "make build", cwd: "src" });
    assert.equal(kit.service.stats().slots.held, 0, "a waiting agent holds no slot");
    // With a cap of 1, another agent still runs to completion meanwhile.
    assert.equal((await kit.service.runRoot({ task: "other" }).done).status, "completed");
    kit.service.resolveApproval(snapshot.pendingApproval!.requestId, "approved");
    const final = await asking.done;
    assert.match(final.result ?? "", /saw: exit code 0\nran: make build/);
    assert.equal(kit.workspace.commands.length, 1);
    assert.throws(() => kit!.service.resolveApproval(snapshot.pendingApproval!.requestId, "approved"), /no longer pending/);
    await assertQuiet(kit);
  });

  it("a denial returns a refusal to the model and the command never runs", async () => {
    const { kit } = start((call) => (call.turn === 0 ? command("curl example") : echoLast(call)));
    const { agentId, done } = kit.service.runRoot({ task: "x" });
    await waitUntil("pending approval", () => kit!.service.get(agentId)?.pendingApproval !== undefined);
    kit.service.resolveApproval(kit.service.get(agentId)!.pendingApproval!.requestId, "denied");
    assert.match((await done).result ?? "", /saw: Error: The user denied this command/);
    assert.equal(kit.workspace.commands.length, 0);
    await assertQuiet(kit);
  });

  it("an interrupt or timeout cancels a pending approval", async () => {
    const { kit } = start((call) => {
      if (call.role === "root") return call.turn === 0 ? { toolCalls: [{ name: "spawn_agent", arguments: { task: "sub", name: "sub", timeout_seconds: 0.1 } }] } : echoLast(call);
      return command("make");
    });
    const root = kit.service.runRoot({ task: "root" });
    await waitUntil("sub asks", () => byName(kit.service, "sub")?.pendingApproval !== undefined);
    const final = await root.done;
    assert.equal(byName(kit.service, "sub")?.status, "timed_out");
    assert.equal(byName(kit.service, "sub")?.pendingApproval, undefined);
    assert.match(final.result ?? "", /timed_out/);
    const second = kit.service.runRoot({ task: "x" });
    kit.service.interrupt(second.agentId);
    assert.equal((await second.done).status, "interrupted");
    assert.equal(kit.workspace.commands.length, 0);
    await assertQuiet(kit);
  });

  it("applies the root and subagent policies separately, with deny-list and allow-list", async () => {
    const { kit } = start(
      (call) => {
        if (call.role === "root") {
          if (call.turn === 0) return command("rm -rf build");
          if (call.turn === 1) return { toolCalls: [{ name: "spawn_agent", arguments: { task: "sub", name: "sub" } }] };
          return echoLast(call);
        }
        return call.turn === 0 ? command("pwd && ls") : echoLast(call);
      },
      { settings: { "approval.root": "ask", "approval.subagents": "allowList", "approval.deniedCommands": ["rm"] } },
    );
    const final = await kit.service.runRoot({ task: "root" }).done;
    assert.equal(byName(kit.service, "sub")?.result, "saw: exit code 0\nran: pwd && ls");
    assert.equal(final.status, "completed");
    const rootTranscript = kit.transcripts.of(final.id).filter((e) => e.type === "tool_result");
    assert.match(JSON.stringify(rootTranscript[0]), /Command refused by policy: it could run the denied command \\"rm\\"/);
    assert.deepEqual(kit.workspace.commands.map((c) => c.command), ["pwd && ls"]);
    await assertQuiet(kit);
  });

  it("a subagent policy of deny refuses without asking", async () => {
    const { kit } = start((call) => (call.turn === 0 ? command("ls") : echoLast(call)), { settings: { "approval.root": "deny" } });
    const final = await kit.service.runRoot({ task: "x" }).done;
    assert.match(final.result ?? "", /approval policy for this agent is "deny"/);
    await assertQuiet(kit);
  });
});
