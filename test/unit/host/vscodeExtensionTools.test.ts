import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type * as vscode from "vscode";
import { VscodeExtensionTools } from "../../../src/host/lm/vscodeExtensionTools";
import { LanguageModelTextPart, LanguageModelToolResult, lm, resetShim, shimState } from "../../fakes/vscodeShim";

const SECRET = `sk-ext-${"k".repeat(30)}`;
const redact = (text: string) => text.split(SECRET).join("[redacted]");

describe("VS Code's tools for our agents (host side)", () => {
  beforeEach(() => resetShim());

  it("lists other extensions' tools with their schema, never our own two", () => {
    for (const name of ["mcp_notes_find", "subagents_run", "subagents_status"]) {
      lm.registerTool(name, { invoke: () => new LanguageModelToolResult([]) as unknown as vscode.LanguageModelToolResult });
    }
    shimState.lmToolInfo.set("mcp_notes_find", { description: "Find notes", inputSchema: { type: "object" } });
    assert.deepEqual(new VscodeExtensionTools(redact).available(), [{ name: "mcp_notes_find", description: "Find notes", inputSchema: { type: "object" } }]);
  });

  it("returns the tool's text redacted, and its error redacted too", async () => {
    lm.registerTool<{ q: string }>("mcp_notes_find", {
      invoke: (options) => new LanguageModelToolResult([new LanguageModelTextPart(`found ${options.input.q}`), new LanguageModelTextPart(`key ${SECRET}`)]) as unknown as vscode.LanguageModelToolResult,
    });
    lm.registerTool("mcp_broken", {
      invoke: () => {
        throw new Error(`server said ${SECRET} is invalid`);
      },
    });
    const tools = new VscodeExtensionTools(redact);
    assert.equal(await tools.invoke("mcp_notes_find", { q: "todo" }, new AbortController().signal), "found todo\nkey [redacted]");
    await assert.rejects(tools.invoke("mcp_broken", {}, new AbortController().signal), (error: Error) => error.message === "server said [redacted] is invalid");
  });

  it("cancels the call when the agent is interrupted", async () => {
    let cancelled = false;
    lm.registerTool("mcp_slow", {
      invoke: (_options, token) =>
        new Promise((resolve) => {
          token.onCancellationRequested(() => {
            cancelled = true;
            resolve(new LanguageModelToolResult([new LanguageModelTextPart("stopped")]) as unknown as vscode.LanguageModelToolResult);
          });
        }),
    });
    const abort = new AbortController();
    const pending = new VscodeExtensionTools(redact).invoke("mcp_slow", {}, abort.signal);
    abort.abort();
    assert.equal(await pending, "stopped");
    assert.ok(cancelled);
  });
});
