import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SecretRedactor } from "../../../src/core/keys/redact";

describe("SecretRedactor.redactEach", () => {
  // Two keys with no 8-character piece in common, built at run time.
  const first = `sk-first-${"Qm7".repeat(6)}`;
  const second = `sk-other-${"Zt4".repeat(6)}`;
  const message = (text: string) => ({ role: "tool", content: `output: ${text}`, tool_calls: [{ function: { arguments: `{"k":"${text}"}` } }] });

  it("redacts every string of every value, leaving the values themselves unchanged", () => {
    const redactor = new SecretRedactor(() => [first]);
    const original = message(first);
    const [out] = redactor.redactEach([original]);
    assert.ok(out);
    assert.ok(!JSON.stringify(out).includes(first), JSON.stringify(out));
    assert.match(out.content, new RegExp(`\\[redacted key …${first.slice(-4)}\\]`));
    assert.equal(original.content, `output: ${first}`, "the conversation's own message is not changed");
  });

  it("hands back the remembered copy of a value seen before with the same keys", () => {
    const redactor = new SecretRedactor(() => [first]);
    const seen = message(first);
    const [a] = redactor.redactEach([seen]);
    const [b, fresh] = redactor.redactEach([seen, message("other")]);
    assert.equal(b, a);
    assert.notEqual(fresh, a);
  });

  it("redacts again when the keys change, so a key added later is cut from messages sent before", () => {
    const keys = [first];
    const redactor = new SecretRedactor(() => keys);
    const sent = message(second);
    const [before] = redactor.redactEach([sent]);
    assert.ok(before?.content.includes(second), "not a key yet");
    keys.push(second);
    const [after] = redactor.redactEach([sent]);
    assert.ok(after);
    assert.ok(!JSON.stringify(after).includes(second), JSON.stringify(after));
  });
});
