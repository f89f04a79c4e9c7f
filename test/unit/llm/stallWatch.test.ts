import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { harness, request } from "./harness";

describe("stall detection", () => {
  it("lets a slow stream run longer than the stall timeout while its chunks keep coming", async () => {
    const text = "twelve chars".repeat(10);
    // Ten text chunks 60 ms apart: the stream lasts several stall timeouts, yet no gap reaches one.
    const h = await harness({ keyCount: 1, client: { stallTimeoutMs: 200 }, server: { script: () => ({ text, chunkDelayMs: 60 }) } });
    try {
      const result = await h.client.complete(request());
      assert.equal(result.content, text);
      assert.equal(result.attempts, 1);
      assert.equal(h.server.requests.length, 1);
    } finally {
      await h.close();
    }
  });

  it("gives up on a stream that goes quiet after its first chunks, and retries on another key", async () => {
    const h = await harness({
      keyCount: 2,
      client: { stallTimeoutMs: 200 },
      server: { script: (r) => (r.index === 0 ? { text: "starts, then nothing", chunkDelayMs: 60_000 } : { text: "the retry" }) },
    });
    try {
      const result = await h.client.complete(request());
      assert.equal(result.content, "the retry");
      assert.equal(result.attempts, 2);
      assert.notEqual(h.server.requests[0]?.keyFingerprint, h.server.requests[1]?.keyFingerprint);
    } finally {
      await h.close();
    }
  });
});
