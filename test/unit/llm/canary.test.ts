import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import type { CompletionRequest } from "../../../src/core/llm/modelClient";
import { startFakeOpenAiServer, type Fault } from "../../fixtures/fakeOpenAiServer";
import { harness, request } from "./harness";

/** Canary keys, made at runtime: the repository holds no key-like literal. */
function canaryKeys(count: number): string[] {
  return Array.from({ length: count }, () => `sk-canary-${randomBytes(18).toString("base64url")}`);
}

/** Every 8-character piece of every key: finding any of them anywhere is a leak. */
function leaks(texts: string[], keys: string[]): string[] {
  const found: string[] = [];
  for (const key of keys) {
    for (let i = 0; i + 8 <= key.length; i++) {
      const piece = key.slice(i, i + 8);
      for (const text of texts) if (text.includes(piece)) found.push(`"${piece}" in: ${text.slice(0, 200)}`);
    }
  }
  return found;
}

describe("canary: no piece of a key escapes", { timeout: 30_000 }, () => {
  it("through every fault path, in logs, errors, results and snapshots", async () => {
    const keys = canaryKeys(4);
    // The server knows three of the four keys, so the fourth takes the 401 path
    // (whose message echoes a masked key, as the public API does).
    const h = await harness({
      keys,
      client: { stallTimeoutMs: 800, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } },
      server: { keys: keys.slice(0, 3), models: ["m"] },
    });
    const texts: string[] = [];
    const record = (value: unknown) => {
      texts.push(typeof value === "string" ? value : JSON.stringify(value) ?? "");
      texts.push(inspect(value, { depth: 6, showHidden: true }));
    };
    const run = async (req: CompletionRequest) => {
      try {
        record(await h.client.complete({ ...req, onProgress: (p) => record(p) }));
      } catch (error) {
        record(error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : error);
        record(error);
      }
    };
    try {
      const faults: Fault[] = ["429", "500", "502", "503", "reset", "midstream_drop", "stall", "malformed_tool_args", "empty", "context_length", "unknown_model", "echo_key"];
      for (const fault of faults) {
        h.server.setScript((r) => (r.index % 2 === 0 ? { fault, text: "some text" } : { text: `recovered from ${fault}` }));
        await run(request());
        // The same fault every time: the error paths, not only the recoveries.
        h.server.setScript(() => ({ fault, retryAfterSeconds: 0 }));
        await run(request());
        record(h.pools.snapshot());
        record(h.pools.summaries());
        for (const k of h.pools.pool("p")?.snapshot() ?? []) h.pools.reenable("p", k.fingerprint);
      }
      await run(request({ model: "not-offered" }));
      const controller = new AbortController();
      h.server.setScript(() => ({ fault: "stall" }));
      const aborted = run(request({ signal: controller.signal }));
      setTimeout(() => controller.abort(), 50);
      await aborted;
      // Every key rejected, and a provider without keys.
      h.server.setScript(() => ({ text: "unused" }));
      h.providers.push({ id: "empty", baseUrl: h.server.baseUrl, models: ["m"] });
      await run(request({ providerId: "empty" }));
      await h.server.close();
      const rejecting = await startFakeOpenAiServer({ keys: [] });
      h.providers[0] = { id: "p", baseUrl: rejecting.baseUrl, models: ["m"] };
      await run(request());
      await rejecting.close();
      record(h.pools.snapshot());
      texts.push(...h.lines);

      assert.ok(h.lines.length > 20, "the run logged its retries");
      assert.ok(texts.some((t) => t.includes("HTTP 401")), "the 401 path ran");
      assert.ok(texts.some((t) => t.includes("recovered from stall")), "the stall path ran");
      assert.deepEqual(leaks(texts, keys), []);
    } finally {
      h.client.dispose();
      h.pools.dispose();
      await h.server.close();
    }
  });
});
