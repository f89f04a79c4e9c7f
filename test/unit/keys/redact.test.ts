import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { redactingLogger, redactSecrets, SecretRedactor } from "../../../src/core/keys/redact";
import { testKeys } from "./testDoubles";

/** Every 8-character piece of a key. */
const pieces = (key: string) => Array.from({ length: Math.max(0, key.length - 7) }, (_, i) => key.slice(i, i + 8));
const leaks = (text: string, key: string) => pieces(key).filter((p) => text.includes(p) || text.toLowerCase().includes(p.toLowerCase()));
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("redactSecrets", () => {
  const [key = ""] = testKeys("redact", 1);
  // A key with mixed case and symbols, as real ones have.
  const mixed = `sk-proj-${"Ab9_Zq".repeat(4)}Xy7-QwErTy`;
  const redactor = new SecretRedactor(() => [key, mixed]);

  it("removes a known key, whole or in pieces, and labels it with the fingerprint", () => {
    const text = `full ${key} head ${key.slice(0, 10)} tail ${key.slice(-9)} middle ${key.slice(5, 15)}`;
    const out = redactSecrets(text, [key]);
    assert.deepEqual(leaks(out, key), [], out);
    assert.match(out, new RegExp(`^full \\[redacted key …${key.slice(-4)}\\] head`));
  });

  it("removes masked keys as providers echo them", () => {
    const masked = `${key.slice(0, 6)}************${key.slice(-4)}`;
    const out = redactSecrets(`Incorrect API key provided: ${masked}.`);
    assert.ok(!out.includes(key.slice(0, 6)), out);
  });

  it("removes bearer tokens and key assignments by pattern in messages", () => {
    const out = redactSecrets('Authorization: Bearer abc.def-123 api_key="zzzzzzzzzz" x-api-key: qqqqqqqqqq');
    assert.ok(!/abc\.def|zzzz|qqqq/.test(out), out);
  });

  it("keeps ordinary text, code and fingerprints", () => {
    const text = 'rate limit (HTTP 429) on key …0001 after 3 attempts\nconst apiKey = process.env["OPENAI_API_KEY"]; // sk-learn';
    assert.equal(redactSecrets("rate limit (HTTP 429) on key …0001 after 3 attempts", [key]), "rate limit (HTTP 429) on key …0001 after 3 attempts");
    assert.equal(redactor.redact(text), text, "content redaction leaves code that only looks secret-ish alone");
  });

  const encodings: Array<[string, (k: string) => string]> = [
    ["upper case", (k) => k.toUpperCase()],
    ["lower case", (k) => k.toLowerCase()],
    ["every character percent-encoded", (k) => [...k].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join("")],
    ["encodeURIComponent in a URL", (k) => `https://x.test/?key=${encodeURIComponent(`${k} `)}`],
    ["JSON \\u escapes", (k) => [...k].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")],
    ["HTML entities", (k) => [...k].map((c) => `&#${c.charCodeAt(0)};`).join("")],
    ["base64", (k) => b64(k)],
    ["base64 of Bearer <key>", (k) => b64(`Bearer ${k}`)],
    ["base64 of user:<key> (Basic auth)", (k) => b64(`user:${k}`)],
    ["base64 of an env file line", (k) => b64(`OPENAI_API_KEY=${k}\n`)],
    ["base64url without padding", (k) => Buffer.from(`x${k}`).toString("base64url")],
    ["base64 wrapped at 76 columns", (k) => (b64(`${"filler ".repeat(9)}${k}${" more".repeat(9)}`).match(/.{1,76}/g) ?? []).join("\n")],
    ["hex (xxd -p)", (k) => Buffer.from(`=${k}`).toString("hex")],
    ["reversed (rev)", (k) => [...k].reverse().join("")],
    ["folded to 4 columns", (k) => (k.match(/.{1,4}/g) ?? []).join("\n")],
    ["one character per comma (sed 's/./&,/g')", (k) => [...k].join(",")],
    ["od -c style columns", (k) => [...k].map((c) => `   ${c}`).join("")],
    ["colon-separated hex", (k) => (Buffer.from(k).toString("hex").match(/../g) ?? []).join(":")],
  ];
  for (const [name, encode] of encodings) {
    it(`removes a key encoded as ${name}`, () => {
      for (const k of [key, mixed]) {
        const encoded = encode(k);
        const out = redactor.redact(`before ${encoded} after`);
        assert.ok(out.includes(`[redacted key …${k.slice(-4)}]`), `${name}: ${out}`);
        assert.deepEqual(leaks(out, k), [], `${name}: ${out}`);
        assert.equal(redactor.redact(out), out, `${name}: nothing recognisable is left: ${out}`);
        assert.ok(out.startsWith("before") && out.endsWith("after"), out);
      }
    });
  }

  it("redacts keys shorter than 8 characters whole (older stored keys)", () => {
    const short = new SecretRedactor(() => ["abc", "Zq12345"]);
    assert.equal(short.redact("x abc y zq12345 z"), "x [redacted key …abc] y [redacted key …2345] z");
  });

  it("redacts every string of a structure, and follows key changes", () => {
    const keys: string[] = [];
    const live = new SecretRedactor(() => keys);
    const value = { agents: [{ id: "a", result: `got ${key}`, n: 3 }], note: null };
    assert.deepEqual(live.redactDeep(value), value);
    keys.push(key);
    const out = live.redactDeep(value);
    assert.deepEqual(leaks(JSON.stringify(out), key), []);
    assert.equal(out.agents[0]?.n, 3);
    const long = `${"x".repeat(600)} ${key}`;
    assert.ok(!live.redact(long).includes(key));
    assert.ok(!live.redact(long).includes(key), "the remembered result is redacted too");
  });

  it("keeps provider-sealed reasoning blobs byte-exact while redacting their readable text", () => {
    // Ciphertext as a provider seals it: base64 with no trace of a key (a "+" or "/" now and then, as ciphertext has).
    const sealed = b64(`cipher text ${"\u00fb\u00ff".repeat(20)} sealed by the provider`);
    // An endpoint could seal a key into one: redaction's base64 view sees it.
    const sealedKey = b64(`cipher ${key} cipher`);
    const event = {
      type: "message",
      content: `said ${key}`,
      replay: {
        api: "responses",
        items: [
          { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: `thought ${key}` }], encrypted_content: sealed },
          { type: "thinking", thinking: "thought about it", signature: sealed },
          { type: "redacted_thinking", data: sealed },
          // The same field name on an item of another type is ordinary text.
          { type: "note", encrypted_content: sealedKey, signature: sealedKey, data: sealedKey },
          { type: "reasoning", id: "rs_2", summary: [], encrypted_content: sealedKey },
          { type: "thinking", thinking: "thought", signature: sealedKey },
          // Its signature covers its text: redacted, the provider would refuse the request.
          { type: "thinking", thinking: `thought ${key}`, signature: sealed },
        ],
      },
      // Outside a replay state nothing is sealed, whatever its shape.
      elsewhere: { type: "reasoning", encrypted_content: sealedKey },
    };
    const out = redactor.redactDeep(event);
    const [reasoning, thinking, redactedThinking, note, ...rest] = out.replay.items;
    assert.equal(reasoning?.encrypted_content, sealed);
    assert.equal(thinking?.signature, sealed);
    assert.equal(redactedThinking?.data, sealed);
    assert.equal(thinking?.thinking, "thought about it");
    assert.deepEqual(leaks(out.content + JSON.stringify(reasoning?.summary), key), []);
    assert.notEqual(note?.encrypted_content, sealedKey);
    assert.notEqual(note?.signature, sealedKey);
    assert.notEqual(note?.data, sealedKey);
    assert.deepEqual(rest, [], "a sealed blob that holds a key, or signs text that does, is dropped with its item, not kept and not altered");
    assert.notEqual(out.elsewhere.encrypted_content, sealedKey);
    assert.deepEqual(leaks(JSON.stringify(out), key), []);
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
