import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hasInvisibleCharacters, showInvisibles } from "../../../src/core/protocol/visibleText";
import { assertQuiet, scriptedKitPerTest } from "../../fakes/agentTestKit";
import { waitUntil } from "../../fakes/polling";

const start = scriptedKitPerTest();

describe("invisible characters in what the user approves", () => {
  it("escapes control, bidi, zero-width and tag characters, and keeps newlines, tabs and ordinary text", () => {
    const samples: Array<[string, string]> = [
      ["\u202E", "\\u202E"],
      ["\u2066", "\\u2066"],
      ["\u200B", "\\u200B"],
      ["\u200D", "\\u200D"],
      ["\uFEFF", "\\uFEFF"],
      ["\u0007", "\\u0007"],
      ["\r", "\\u000D"],
      ["\u001b", "\\u001B"],
      ["\u0085", "\\u0085"],
      ["\u061C", "\\u061C"],
      ["\uDB40\uDC41", "\\u{E0041}"],
    ];
    for (const [raw, shown] of samples) {
      assert.equal(showInvisibles(`a${raw}b`), `a${shown}b`);
      assert.equal(hasInvisibleCharacters(raw), true, shown);
    }
    assert.equal(showInvisibles("ls -la\n\tgrep ü 漢字 é"), "ls -la\n\tgrep ü 漢字 é");
    assert.equal(hasInvisibleCharacters("ls -la\n\tx"), false);
  });

  it("shows a pending command's invisible characters escaped in the agent's recent tools and wait reason", async () => {
    const command = "ls \u202Etxt.hs";
    const { kit } = start((call) => (call.turn === 0 ? { toolCalls: [{ name: "run_command", arguments: { command } }] } : { text: "done" }));
    const { agentId, done } = kit.service.runRoot({ task: "x" });
    await waitUntil("pending approval", () => kit.service.get(agentId)?.pendingApproval !== undefined);
    const snapshot = kit.service.get(agentId)!;
    assert.equal(snapshot.pendingApproval?.command, command, "the request keeps the exact command");
    const preview = snapshot.recentTools?.at(-1)?.preview ?? "";
    assert.match(preview, /ls \\u202Etxt\.hs/);
    assert.doesNotMatch(preview, /\u202E/);
    kit.service.resolveApproval(snapshot.pendingApproval!.requestId, "denied");
    await done;
    await assertQuiet(kit);
  });
});
