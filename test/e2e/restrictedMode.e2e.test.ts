import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { E2ESession, escapeRegExp, findKeyLeak, makeTestKeys } from "./harness/session";
import { waitUntil } from "../fakes/polling";

/**
 * Scenario 7 in its own code-server: workspace trust enabled and the fresh
 * folder left untrusted ("No, I don't trust the authors"), i.e. Restricted
 * Mode. Run Task… must explain why it cannot run; the tree and the key
 * commands keep working.
 */

let session: E2ESession;

describe("Subagents in Restricted Mode (code-server)", { timeout: 10 * 60_000 }, () => {
  before(async () => {
    session = await E2ESession.start({ name: "restricted", restrictedMode: true });
  });

  after(async () => {
    await session?.close();
  });

  it("7: in an untrusted folder Run Task… explains why it cannot run; the tree and the key commands still work", { timeout: 240_000 }, async () => {
    await session.scenario("7-restricted-mode", async () => {
      const wb = session.workbench;
      const [key] = makeTestKeys(1);
      assert.ok(key);
      session.server.setScript(() => ({ text: "a task must not run in Restricted Mode" }));

      await wb.runCommand("Subagents: Run Task…");
      const why = await wb.waitForNotification(/trusted workspace/i, 20_000);
      assert.match(why, /Restricted Mode|trust/i, `Run Task… should explain the trust requirement, said: ${why}`);
      assert.equal(await wb.isQuickInputVisible(), false, "Run Task… must not ask for a task in Restricted Mode");

      // The tree opens and its own "Add API Key…" (empty state) drives the key command.
      const tree = await session.tree();
      assert.deepEqual(await tree.rows(), []);
      await tree.clickButton("Add API Key…");
      await wb.typeIntoInputBox(key.raw, { password: true, title: /API key/i });
      await wb.waitForNotification(new RegExp(`added key ${escapeRegExp(key.fingerprint)} to test`));
      await waitUntil(
        async () => `the tree's key summary to count the new key (buttons: ${(await tree.buttonLabels()).join(" | ")})`,
        () => tree.hasButton("Key pool: test 1 healthy, 0 cooling, 0 invalid. Show Key Pool"),
        15_000,
      );

      await wb.runCommand("Subagents: Show Key Pool");
      await wb.waitForQuickPick({ title: "Key Pool" });
      const listed = await wb.quickPickText();
      assert.ok(listed.includes(key.fingerprint), `Show Key Pool should list ${key.fingerprint}:\n${listed}`);
      const leak = findKeyLeak(await wb.allText(), [key], "the page");
      await wb.closeQuickInput();
      assert.equal(leak, undefined, leak);

      // Still nothing ran: no model request was made.
      assert.equal(session.server.requests.length, 0, "no model request may be made in Restricted Mode");
    });
  });
});
