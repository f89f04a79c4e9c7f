import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type * as vscode from "vscode";
import { silentLogger } from "../../../src/core/common/logger";
import { RESTRICTED_MODE_MESSAGE } from "../../../src/host/agents/runTask";
import { parseDelegatedTask, runConfirmation, RUN_TOOL_NAME, statusText, STATUS_TOOL_NAME } from "../../../src/host/lm/delegation";
import { registerLanguageModelTools } from "../../../src/host/lm/languageModelTools";
import { scriptedKitPerTest, spawnCall, testSettings, type AgentTestKit } from "../../fakes/agentTestKit";
import { waitUntil } from "../../fakes/polling";
import { ShimCancellationTokenSource } from "../../fakes/vscodeShimClasses";
import { resetShim, shimState } from "../../fakes/vscodeShim";
import { makeWorkspace } from "./hostTestSupport";

const SECRET = `sk-lm-${"q".repeat(30)}`;
const redact = (text: string) => text.split(SECRET).join("[redacted]");

function register(kit: AgentTestKit) {
  registerLanguageModelTools({ supervisor: kit.service, settings: () => kit.settings, redact, logger: silentLogger });
  const tool = (name: string) => {
    const found = shimState.lmTools.get(name);
    assert.ok(found, `${name} is registered`);
    return found;
  };
  return { run: tool(RUN_TOOL_NAME), status: tool(STATUS_TOOL_NAME) };
}

function text(result: vscode.LanguageModelToolResult | null | undefined): string {
  assert.ok(result);
  return (result.content as Array<{ value: string }>).map((part) => part.value).join("");
}

const invoke = (tool: vscode.LanguageModelTool<unknown>, input: unknown, token = new ShimCancellationTokenSource().token) =>
  Promise.resolve(tool.invoke({ input, toolInvocationToken: undefined }, token));

describe("subagents_run and subagents_status (language model tools)", () => {
  const start = scriptedKitPerTest();
  beforeEach(() => resetShim({ root: makeWorkspace().root }));

  it("runs the task as a root agent in the tree and returns its report, redacted and truncated like a child's result", async () => {
    const long = `answer with ${SECRET} ${"x".repeat(500)}`;
    const { kit } = start((call) =>
      call.role === "root" ? (call.turn === 0 ? { toolCalls: [spawnCall("look around")] } : { text: long }) : { text: "child done" },
    );
    kit.settings["results.maxChars"] = 100;
    const { run, status } = register(kit);
    const output = JSON.parse(text(await invoke(run, { task: "  summarise the repo  " }))) as Record<string, unknown>;
    const root = kit.service.snapshot().find((a) => a.parentId === null);
    assert.ok(root, "the root is in the tree");
    assert.equal(root.task, "summarise the repo");
    assert.equal(`${root.providerId}:${root.model}`, "alpha:m-alpha");
    assert.ok(kit.service.snapshot().some((a) => a.parentId === root.id && a.status === "completed"), "its child ran in the tree");
    assert.equal(output.status, "completed");
    assert.equal(output.agent_id, root.id);
    assert.equal(output.result, redact(long.slice(0, 100)));
    assert.ok(!JSON.stringify(output).includes(SECRET), "the key is cut from the result");
    assert.match(String(output.note), /result truncated/);

    const tree = text(await invoke(status, {}));
    assert.match(tree, /2 agents \(0 not finished\)/);
    assert.match(tree, new RegExp(`^- summarise the repo \\[${root.id}\\]: completed`, "m"));
    assert.match(tree, /^ {2}- look around \[.+\]: completed/m);
  });

  it("interrupts the root and its subtree when the caller cancels", async () => {
    const { kit } = start((call) => (call.role === "root" && call.turn === 0 ? { toolCalls: [spawnCall("slow child")] } : { text: "slow", delayMs: 60_000, chunkMs: 20 }));
    const { run } = register(kit);
    const source = new ShimCancellationTokenSource();
    const pending = invoke(run, { task: "long job" }, source.token);
    await waitUntil("the child to run", () => kit.service.snapshot().some((a) => a.parentId !== null && a.status === "running"));
    source.cancel();
    const output = JSON.parse(text(await pending)) as Record<string, unknown>;
    assert.equal(output.status, "interrupted");
    assert.match(String(output.reason), /cancelled in chat/);
    assert.ok(kit.service.snapshot().every((a) => a.status === "interrupted"), "the whole subtree stopped");
  });

  it("uses only models from the user's settings and refuses an empty task", async () => {
    const settings = testSettings();
    assert.deepEqual(parseDelegatedTask({ task: "t", model: "beta:m-beta" }, settings), { task: "t", modelRef: "beta:m-beta" });
    assert.match((parseDelegatedTask({ task: "t", model: "evil:https://x" }, settings) as { problem: string }).problem, /Unknown model.*alpha:m-alpha, beta:m-beta/);
    assert.match((parseDelegatedTask({ task: "   " }, settings) as { problem: string }).problem, /cannot be empty/);
    assert.match((parseDelegatedTask({}, settings) as { problem: string }).problem, /needs a `task`/);
    const { kit } = start(() => ({ text: "never" }));
    const { run } = register(kit);
    await assert.rejects(invoke(run, { task: "t", model: "evil:m" }), /Unknown model/);
    assert.equal(kit.service.snapshot().length, 0, "nothing started");
  });

  it("asks before running, showing the task with invisible characters escaped", async () => {
    const { kit } = start(() => ({ text: "x" }));
    const { run } = register(kit);
    const prepared = await run.prepareInvocation?.({ input: { task: "delete build/\u202Eexe.txt" } }, new ShimCancellationTokenSource().token);
    assert.ok(prepared?.confirmationMessages, "a confirmation is asked");
    const message = String(prepared.confirmationMessages.message);
    assert.match(message, /alpha:m-alpha/);
    assert.ok(message.includes("delete build/\\u202Eexe.txt"), message);
    assert.ok(!message.includes("\u202E"));
    assert.equal(runConfirmation({ task: "y".repeat(3000), modelRef: "a:b" }).message.includes("(1000 more characters)"), true);
  });

  it("refuses in Restricted Mode with Run Task's explanation, starting nothing", async () => {
    const { kit } = start(() => ({ text: "x" }));
    const { run } = register(kit);
    shimState.trusted = false;
    await assert.rejects(invoke(run, { task: "t" }), (error: Error) => error.message === RESTRICTED_MODE_MESSAGE);
    assert.equal(kit.service.snapshot().length, 0);
  });

  it("says so when the tree is empty", () => {
    assert.equal(statusText([], redact), "No agents in the Subagents tree.");
  });
});
