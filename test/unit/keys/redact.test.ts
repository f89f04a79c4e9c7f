import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { redactingLogger, redactSecrets } from "../../../src/core/keys/redact";
import { testKeys } from "./testDoubles";

describe("redactSecrets", () => {
  const [key = ""] = testKeys("redact", 1);

  it("removes a known key, whole or in pieces", () => {
    const text = `full ${key} head ${key.slice(0, 10)} tail ${key.slice(-9)} middle ${key.slice(5, 15)}`;
    const out = redactSecrets(text, [key]);
    for (let i = 0; i + 8 <= key.length; i++) assert.ok(!out.includes(key.slice(i, i + 8)), out);
    assert.match(out, /^full \S*redacted\S* head/);
  });

  it("removes masked keys as providers echo them", () => {
    const masked = `${key.slice(0, 6)}************${key.slice(-4)}`;
    const out = redactSecrets(`Incorrect API key provided: ${masked}.`);
    assert.ok(!out.includes(key.slice(0, 6)), out);
  });

  it("removes bearer tokens and key assignments by pattern", () => {
    const out = redactSecrets('Authorization: Bearer abc.def-123 api_key="zzzzzzzzzz" x-api-key: qqqqqqqqqq');
    assert.ok(!/abc\.def|zzzz|qqqq/.test(out), out);
  });

  it("keeps ordinary text and fingerprints", () => {
    const text = "rate limit (HTTP 429) on key …0001 after 3 attempts";
    assert.equal(redactSecrets(text, [key]), text);
  });

  it("redacts every line of a wrapped logger, with keys read at log time", () => {
    const lines: string[] = [];
    const sink = (m: string) => lines.push(m);
    const known: string[] = [];
    const log = redactingLogger({ trace: sink, debug: sink, info: sink, warn: sink, error: sink }, () => known);
    known.push(key);
    log.error(`failed with ${key}`);
    log.info(`short piece ${key.slice(3, 12)}`);
    for (const line of lines) assert.ok(!line.includes(key.slice(3, 11)), line);
  });
});
