/**
 * In-host cases of the product's language model tools, called the way
 * Copilot agent mode calls them: through `vscode.lm.invokeTool`. They need
 * the product configured with a model (the e2e session's fake server and a
 * key) and someone to answer VS Code's confirmation dialog, which an
 * invocation outside a chat shows: test/e2e/inHostSuite.e2e.test.ts does both.
 * Task texts start with the markers below, so the e2e script can answer them.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import { waitUntil } from "../fakes/polling";
import { echoCalls, ECHO_TOOL_NAME } from "./hostTestTool";
import { LM_EXT_MARKER, LM_HANG_MARKER, LM_RUN_MARKER } from "./languageModelMarkers";


type LmCase = [name: string, body: () => Promise<void>];

function resultText(result: vscode.LanguageModelToolResult): string {
  return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : "")).join("");
}

async function status(): Promise<string> {
  return resultText(await vscode.lm.invokeTool("subagents_status", { input: {}, toolInvocationToken: undefined }));
}

/** The status line of the agent named `name` (a root's name is its task's first line, cut at 40 characters). */
function lineOf(tree: string, name: string): string | undefined {
  return tree.split("\n").find((line) => line.includes(`- ${name} [`));
}

export function languageModelCases(skip: (reason: string) => never): LmCase[] {
  const needModel = () => {
    if (!vscode.workspace.getConfiguration("subagents").get<string>("model")) skip("no subagents.model configured (the e2e session configures its fake server)");
  };
  return [
    [
      "subagents_run and subagents_status are registered language model tools",
      async () => {
        const names = vscode.lm.tools.map((tool) => tool.name);
        assert.ok(names.includes("subagents_run"), `tools: ${names.join(", ")}`);
        assert.ok(names.includes("subagents_status"));
        const run = vscode.lm.tools.find((tool) => tool.name === "subagents_run");
        assert.deepEqual((run?.inputSchema as { required?: string[] }).required, ["task"]);
      },
    ],
    [
      "subagents_run through vscode.lm.invokeTool runs a root in the tree and returns its result",
      async () => {
        needModel();
        const task = `${LM_RUN_MARKER} ${randomBytes(3).toString("hex")}`;
        const result = await vscode.lm.invokeTool("subagents_run", { input: { task }, toolInvocationToken: undefined });
        const report = JSON.parse(resultText(result)) as { agent_id: string; status: string; result?: string };
        assert.equal(report.status, "completed", resultText(result));
        assert.equal(report.result, `done: ${task}`);
        const line = lineOf(await status(), task);
        assert.ok(line, "the root is in the tree");
        assert.match(line, new RegExp(`\\[${report.agent_id}\\]: completed`));
      },
    ],
    [
      "cancelling a subagents_run invocation interrupts its root",
      async () => {
        needModel();
        const task = `${LM_HANG_MARKER} ${randomBytes(3).toString("hex")}`;
        const source = new vscode.CancellationTokenSource();
        const pending = Promise.resolve(vscode.lm.invokeTool("subagents_run", { input: { task }, toolInvocationToken: undefined }, source.token)).then(
          (result) => resultText(result),
          (error: unknown) => `rejected: ${String(error)}`,
        );
        await waitUntil("the root to run (after the confirmation is answered)", async () => /: running/.test(lineOf(await status(), task) ?? ""), 30_000);
        source.cancel();
        const line = await waitUntil("the root to be interrupted", async () => {
          const found = lineOf(await status(), task);
          return found && /: interrupted/.test(found) ? found : undefined;
        }, 20_000);
        assert.ok(line);
        const outcome = await pending;
        // The extension host may settle the cancelled call itself; when our result arrives it says interrupted.
        if (!outcome.startsWith("rejected:")) assert.match(outcome, /"status": "interrupted"[\s\S]*cancelled in chat/);
        source.dispose();
      },
    ],
    [
      "an agent calls another extension's tool matched by subagents.extensionTools, after approval in the tree",
      async () => {
        needModel();
        const config = () => vscode.workspace.getConfiguration("subagents");
        const previous = config().inspect("extensionTools")?.globalValue;
        await config().update("extensionTools", ["subagents_host_test_*"], vscode.ConfigurationTarget.Global);
        try {
          await waitUntil("the setting to read back", () => JSON.stringify(config().get("extensionTools")) === JSON.stringify(["subagents_host_test_*"]), 10_000);
          // The tree's actions (approve) go through its view.
          await vscode.commands.executeCommand("subagents.agentTree.focus");
          const hex = randomBytes(3).toString("hex");
          const task = `${LM_EXT_MARKER} ${hex}`;
          const before = echoCalls.length;
          const pending = vscode.lm.invokeTool("subagents_run", { input: { task }, toolInvocationToken: undefined });
          const line = await waitUntil("the agent to ask for approval of the tool call", async () => {
            const found = lineOf(await status(), task);
            return found && /waiting for approval/.test(found) ? found : undefined;
          }, 30_000);
          assert.equal(echoCalls.length, before, "the tool does not run before it is approved");
          const agentId = /\[([^\]]+)\]/.exec(line)?.[1];
          assert.ok(agentId);
          await vscode.commands.executeCommand("subagents.agent.approve", { agentId });
          const report = JSON.parse(resultText(await pending)) as { status: string; result?: string };
          assert.equal(report.status, "completed", JSON.stringify(report));
          assert.equal(report.result, `got: echo: ${hex}`);
          assert.deepEqual(echoCalls.slice(before), [{ text: hex }]);
          assert.ok(vscode.lm.tools.some((tool) => tool.name === ECHO_TOOL_NAME));
        } finally {
          await config().update("extensionTools", previous, vscode.ConfigurationTarget.Global);
        }
      },
    ],
  ];
}
