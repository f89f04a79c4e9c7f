import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lastToolResult } from "../../fakes/scriptedModelClient";
import { assertQuiet, scriptedKitPerTest } from "../../fakes/agentTestKit";

const start = scriptedKitPerTest();

describe("agent loop", () => {
  it("completes with the model's answer and records the transcript", async () => {
    const { kit } = start(() => ({ text: "all done", usage: { promptTokens: 7, completionTokens: 3 } }));
    const { agentId, done } = kit.service.runRoot({ task: "say done" });
    assert.equal(kit.service.get(agentId)?.status, "pending_init");
    const final = await done;
    assert.equal(final.status, "completed");
    assert.equal(final.result, "all done");
    assert.equal(final.tokensIn, 7);
    assert.equal(final.tokensOut, 3);
    const types = kit.transcripts.of(agentId).map((e) => e.type);
    assert.deepEqual(types.slice(0, 3), ["spawned", "status", "message"]);
    assert.ok(types.includes("usage"));
    assert.equal(kit.transcripts.of(agentId).at(-1)?.type, "status");
    await assertQuiet(kit);
  });

  it("runs the tool calls of one turn in parallel and feeds results back", async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    const { kit } = start((call) => {
      if (call.turn === 0) {
        return {
          toolCalls: [
            { name: "run_command", arguments: { command: "ls a" } },
            { name: "run_command", arguments: { command: "ls b" } },
            { name: "run_command", arguments: { command: "ls c" } },
          ],
        };
      }
      return { text: `saw: ${lastToolResult(call.messages)}` };
    }, { settings: { "approval.root": "allowList" } });
    kit.workspace.runScript = async (request) => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((r) => setTimeout(r, 30));
      concurrent--;
      return { exitCode: 0, output: request.command, truncated: false, timedOut: false };
    };
    const final = await kit.service.runRoot({ task: "list" }).done;
    assert.equal(final.status, "completed");
    assert.equal(maxConcurrent, 3);
    assert.equal(final.toolCount, 3);
    assert.match(final.result ?? "", /ls c/);
    await assertQuiet(kit);
  });

  it("returns bad tool arguments to the model as a tool error, not a crash", async () => {
    const seen: string[] = [];
    const { kit } = start((call) => {
      if (call.turn === 0) return { toolCalls: [{ name: "read_file", arguments: "{not json" }] };
      if (call.turn === 1) {
        seen.push(lastToolResult(call.messages));
        return { toolCalls: [{ name: "read_file", arguments: { path: 42 } }] };
      }
      if (call.turn === 2) {
        seen.push(lastToolResult(call.messages));
        return { toolCalls: [{ name: "no_such_tool", arguments: {} }] };
      }
      seen.push(lastToolResult(call.messages));
      return { text: "recovered" };
    });
    const final = await kit.service.runRoot({ task: "x" }).done;
    assert.equal(final.status, "completed");
    assert.match(seen[0] ?? "", /not valid JSON/);
    assert.match(seen[1] ?? "", /path: /);
    assert.match(seen[2] ?? "", /no tool named "no_such_tool"/);
  });

  it("fails with the model error and never stays running", async () => {
    const { kit } = start(() => ({ error: "400 context length exceeded" }));
    const final = await kit.service.runRoot({ task: "x" }).done;
    assert.equal(final.status, "failed");
    assert.match(final.error ?? "", /context length/);
    await assertQuiet(kit);
  });
});
