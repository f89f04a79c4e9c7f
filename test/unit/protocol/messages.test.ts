import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  EXTEND_TIMEOUT_SECONDS,
  parseHostMessage,
  parseWebviewMessage,
  webviewToHostMessageSchema,
  type WebviewToHostMessage,
} from "../../../src/core/protocol/messages";
import { MAX_TIMEOUT_SECONDS } from "../../../src/core/common/timeLimits";
import { makeAgent } from "../../webview/fixtures";

const VALID: WebviewToHostMessage[] = [
  { type: "ready" },
  { type: "interrupt", agentId: "a" },
  { type: "extendTimeout", agentId: "a", seconds: EXTEND_TIMEOUT_SECONDS },
  { type: "setTimeout", agentId: "a", seconds: 60 },
  { type: "setTimeout", agentId: "a", seconds: null },
  { type: "raiseBudget", agentId: "a" },
  { type: "sendMessage", agentId: "a", message: "go on" },
  { type: "resolveApproval", agentId: "a", requestId: "r", decision: "approved" },
  { type: "resolveApproval", agentId: "a", requestId: "r", decision: "denied" },
  { type: "openTranscript", agentId: "a" },
  { type: "copyResult", agentId: "a" },
  { type: "setSpawningPaused", paused: true },
  { type: "runCommand", command: "runTask" },
  { type: "runCommand", command: "showKeyPool" },
  { type: "openChange", agentId: "a", path: "src/x.ts" },
  { type: "reviewChanges", agentId: "a" },
  { type: "revertChanges", agentId: "a", scope: "subtree" },
  { type: "revertChanges", agentId: "a", scope: "agent", path: "src/x.ts" },
  { type: "keepChanges", agentId: "a", scope: "agent", path: "src/x.ts" },
  { type: "mergeWorktree", agentId: "a" },
  { type: "discardWorktree", agentId: "a" },
];

describe("webview → host messages", () => {
  it("accepts one valid example of every message type", () => {
    const types = new Set<string>();
    for (const message of VALID) {
      const parsed = parseWebviewMessage(message);
      assert.ok(parsed.ok, JSON.stringify(message));
      assert.deepEqual(parsed.message, message);
      types.add(message.type);
    }
    assert.equal(types.size, webviewToHostMessageSchema.options.length, "every schema has an example");
  });

  it("rejects unknown types, unknown keys, wrong types and out-of-range values", () => {
    const bad: unknown[] = [
      null,
      42,
      "ready",
      [],
      {},
      { type: "nope" },
      { type: "ready", extra: 1 },
      { type: "interrupt" },
      { type: "interrupt", agentId: "" },
      { type: "interrupt", agentId: 5 },
      { type: "interrupt", agentId: "x".repeat(257) },
      { type: "extendTimeout", agentId: "a", seconds: 0 },
      { type: "extendTimeout", agentId: "a", seconds: 1.5 },
      { type: "setTimeout", agentId: "a", seconds: MAX_TIMEOUT_SECONDS + 1 },
      { type: "setTimeout", agentId: "a", seconds: 7200 },
      { type: "setTimeout", agentId: "a", seconds: 0.05 },
      { type: "setTimeout", agentId: "a" },
      { type: "raiseBudget", agentId: "a", maxTokens: 5000 },
      { type: "raiseBudget" },
      { type: "sendMessage", agentId: "a", message: "   " },
      { type: "resolveApproval", agentId: "a", requestId: "r", decision: "maybe" },
      { type: "setSpawningPaused", paused: "yes" },
      { type: "runCommand", command: "subagents.addApiKey" },
      { type: "runCommand", command: "workbench.action.terminal.new" },
      { type: "__proto__", agentId: "a" },
      { type: "openChange", agentId: "a", path: "" },
      { type: "openChange", agentId: "a" },
      { type: "revertChanges", agentId: "a", scope: "everything" },
      { type: "keepChanges", agentId: "a", scope: "agent", path: "x".repeat(4097) },
    ];
    for (const message of bad) {
      const parsed = parseWebviewMessage(message);
      assert.equal(parsed.ok, false, JSON.stringify(message));
      if (!parsed.ok) assert.ok(parsed.error.length > 0);
    }
  });

  it("trims a follow-up message", () => {
    const parsed = parseWebviewMessage({ type: "sendMessage", agentId: "a", message: "  hi  " });
    assert.ok(parsed.ok);
    assert.equal(parsed.ok && parsed.message.type === "sendMessage" && parsed.message.message, "hi");
  });
});

describe("host → webview messages", () => {
  it("parses snapshots, patches and notices", () => {
    const agent = makeAgent({ id: "a" });
    for (const message of [
      { type: "snapshot", seq: 0, hostNow: 1, agents: [agent], keys: [], spawningPaused: false },
      { type: "patch", seq: 1, hostNow: 2, upserts: [agent], removed: ["b"] },
      { type: "patch", seq: 2, hostNow: 3, upserts: [], removed: [], keys: [{ providerId: "p", healthy: 1, cooling: 0, invalid: 0 }], spawningPaused: true },
      { type: "notice", level: "error", message: "no" },
    ]) {
      assert.ok(parseHostMessage(message).ok, JSON.stringify(message));
    }
  });

  it("rejects an agent with a bad status", () => {
    const agent = { ...makeAgent({ id: "a" }), status: "idle" };
    assert.equal(parseHostMessage({ type: "patch", seq: 1, hostNow: 2, upserts: [agent], removed: [] }).ok, false);
  });
});
