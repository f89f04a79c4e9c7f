import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWebviewMessage, webviewToHostMessageSchema } from "../../../src/core/protocol/messages";
import { AgentTreeSession } from "../../../src/host/agentTreeSession";
import { mixedTree } from "../../webview/fixtures";
import { ManualClock } from "../../fakes/manualClock";
import { treeTestRig } from "./agentTreeFakes";

/** Deterministic PRNG (mulberry32), so a failure names a reproducible seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = webviewToHostMessageSchema.options.map((o) => o.shape.type.value);
const KEYS = ["type", "agentId", "seconds", "message", "requestId", "decision", "paused", "command", "extra", "__proto__", "constructor"];
const IDS = ["edit", "tests", "scan", "root-1"]; // real agent ids: malformed messages must not reach them either

function randomValue(next: () => number, depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  switch (Math.floor(next() * 11)) {
    case 0: return null;
    case 1: return undefined;
    case 2: return next() < 0.5;
    case 3: return pick([0, -1, 1.5, 1e9, Number.NaN, Number.POSITIVE_INFINITY, 300, 86_401]);
    case 4: return pick(TYPES);
    case 5: return pick(IDS);
    case 6: return pick(["", " ", "x".repeat(300), "<img src=x onerror=alert(1)>", "approved", "runTask", "subagents.runTask"]);
    case 7: return depth > 2 ? [] : Array.from({ length: Math.floor(next() * 3) }, () => randomValue(next, depth + 1));
    case 8: return depth > 2 ? {} : randomObject(next, depth + 1);
    case 9: return String.fromCharCode(...Array.from({ length: Math.floor(next() * 12) }, () => Math.floor(next() * 0xffff)));
    default: return Symbol.for("not-json");
  }
}

function randomObject(next: () => number, depth = 0): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const count = Math.floor(next() * 5);
  for (let i = 0; i < count; i++) {
    const key = KEYS[Math.floor(next() * KEYS.length)] ?? "type";
    Object.defineProperty(object, key, { value: randomValue(next, depth), enumerable: true, configurable: true, writable: true });
  }
  return object;
}

/** Valid messages broken in one way each: a field dropped, retyped, out of range, or an extra key. */
function brokenValid(next: () => number): unknown {
  const valid: Array<Record<string, unknown>> = [
    { type: "interrupt", agentId: "edit" },
    { type: "extendTimeout", agentId: "edit", seconds: 300 },
    { type: "setTimeout", agentId: "edit", seconds: 60 },
    { type: "sendMessage", agentId: "scan", message: "go" },
    { type: "resolveApproval", agentId: "tests", requestId: "req-1", decision: "approved" },
    { type: "openTranscript", agentId: "edit" },
    { type: "copyResult", agentId: "scan" },
    { type: "setSpawningPaused", paused: true },
    { type: "runCommand", command: "runTask" },
  ];
  const base = { ...valid[Math.floor(next() * valid.length)] };
  const keys = Object.keys(base).filter((k) => k !== "type");
  const key = keys[Math.floor(next() * keys.length)] ?? "type";
  switch (Math.floor(next() * 4)) {
    case 0: delete base[key]; if (key === "type") base["type"] = "nope"; break;
    case 1: base[key] = typeof base[key] === "string" ? 7 : "7"; break;
    case 2: base[key] = key === "seconds" ? 0 : key === "agentId" || key === "requestId" ? "" : [base[key]]; break;
    default: base["extra"] = true;
  }
  return base;
}

describe("agent tree message fuzz", () => {
  it("1,000 malformed payloads change nothing and are each logged", () => {
    const rig = treeTestRig(mixedTree());
    const session = new AgentTreeSession(rig.deps, { postMessage: (m) => rig.posted.push(m) }, { clock: new ManualClock() });
    session.handleMessage({ type: "ready" });
    const postedBefore = rig.posted.length;
    const next = prng(0x5eed);
    const payloads: unknown[] = [];
    while (payloads.length < 1000) {
      const roll = next();
      const payload = roll < 0.3 ? randomValue(next) : roll < 0.6 ? randomObject(next) : brokenValid(next);
      if (parseWebviewMessage(payload).ok) continue; // a generated valid message is not malformed
      payloads.push(payload);
    }
    payloads.push(JSON.parse('{"type":"interrupt","agentId":"edit","__proto__":{"polluted":true}}'));
    for (const payload of payloads) assert.doesNotThrow(() => session.handleMessage(payload));

    assert.deepEqual(rig.service.calls, []);
    assert.deepEqual(rig.commands, []);
    assert.deepEqual(rig.clipboard, []);
    assert.equal(rig.posted.length, postedBefore);
    assert.equal(rig.logger.lines.filter((l) => l.startsWith("warn agent tree: dropped a malformed message")).length, payloads.length);
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
    assert.equal(session.isStreaming, true);
    session.dispose();
  });

  it("well-formed actions on ids the service does not know change nothing", () => {
    const rig = treeTestRig(mixedTree());
    const session = new AgentTreeSession(rig.deps, { postMessage: (m) => rig.posted.push(m) }, { clock: new ManualClock() });
    session.handleMessage({ type: "ready" });
    const next = prng(42);
    for (let i = 0; i < 200; i++) {
      const agentId = `ghost-${Math.floor(next() * 1e6)}`;
      for (const message of [
        { type: "interrupt", agentId },
        { type: "extendTimeout", agentId, seconds: 300 },
        { type: "setTimeout", agentId, seconds: null },
        { type: "sendMessage", agentId, message: "hi" },
        { type: "resolveApproval", agentId, requestId: "req-1", decision: "approved" },
        { type: "openTranscript", agentId },
        { type: "copyResult", agentId },
      ]) {
        assert.ok(parseWebviewMessage(message).ok);
        session.handleMessage(message);
      }
    }
    assert.deepEqual(rig.service.calls, []);
    assert.deepEqual(rig.commands, []);
    assert.deepEqual(rig.clipboard, []);
    assert.ok(rig.posted.slice(1).every((m) => m.type === "notice"));
    session.dispose();
  });
});
