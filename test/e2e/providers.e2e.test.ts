import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ScriptedReply, ScriptedRequest } from "../fixtures/fakeOpenAiServer";
import { spawnCall, taskOf, toolResults } from "./harness/model";
import { E2ESession, findKeyLeak, makeTestKeys, PROVIDER_ID } from "./harness/session";
import type { AgentTreeView } from "./harness/workbench";

/**
 * The provider's API in real VS Code: the same fan-out through "Run Task…"
 * over Chat Completions, the Responses API and Anthropic's Messages API
 * (each with its key in its API's header), then against a keyless provider
 * (`auth: "none"`), which starts without a question and gets no credential
 * although a key is stored.
 */

const TIMEOUT = 240_000;
const keys = makeTestKeys(1);
let session: E2ESession;
const seen: ScriptedRequest[] = [];

function script(root: string): (request: ScriptedRequest) => ScriptedReply {
  return (request) => {
    seen.push(request);
    const task = taskOf(request);
    const results = toolResults(request);
    if (task.startsWith(root)) {
      if (results.length === 0) return { toolCalls: [spawnCall({ name: `${root} child a`, task: "say a" }), spawnCall({ name: `${root} child b`, task: "say b" })] };
      return { text: `${root}: ${results.length} children answered.` };
    }
    return { text: `child answer to ${task}` };
  };
}

async function freshTree(): Promise<AgentTreeView> {
  const wb = session.workbench;
  await wb.closeQuickInput();
  // The previous run's result (and the settings editor) stay open and can cover the tree.
  await wb.runCommand("View: Close All Editors").catch(() => undefined);
  await wb.clearNotifications();
  const tree = await session.tree();
  await tree.clearFinished();
  await tree.waitForEmpty();
  session.server.resetStats();
  seen.length = 0;
  return tree;
}

async function fanOut(root: string, provider: Record<string, unknown>): Promise<void> {
  await session.applySettings({ "subagents.providers": [{ id: PROVIDER_ID, baseUrl: session.server.baseUrl, models: ["scripted"], ...provider }] });
  const tree = await freshTree();
  session.server.setScript(script(root));
  await session.workbench.runCommand("Subagents: Run Task…");
  await session.workbench.typeIntoInputBox(root, { title: "Run Task" });
  for (const child of ["a", "b"]) await tree.waitForRow(`${root} child ${child}`, "Completed", 120_000);
  await tree.waitForRow(root, "Completed", 60_000);
  await session.workbench.waitForNotification(/finished in/);
}

describe("Subagents providers and APIs (code-server)", { timeout: 15 * 60_000 }, () => {
  before(async () => {
    session = await E2ESession.start({ name: "providers", fakeServer: { keyless: true } });
    await session.addKeys(keys);
  });

  after(async () => {
    await session?.close();
  });

  for (const api of ["chat", "responses", "anthropic"] as const) {
    it(`a fan-out over the ${api} API reaches its route with the key in its header`, { timeout: TIMEOUT }, async () => {
      await session.scenario(`providers-${api}`, async () => {
        await fanOut(`P ${api} fan out`, { api });
        const requests = session.server.requests;
        assert.equal(requests.length, 4, `root twice and two children: ${JSON.stringify(requests.map((r) => [r.api, r.status]))}`);
        assert.ok(requests.every((r) => r.api === api && r.status === 200), JSON.stringify(requests.map((r) => [r.api, r.status])));
        for (const request of seen) {
          // Compared as booleans: a failing equality would print the key.
          if (api === "anthropic") {
            assert.ok(request.headers["x-api-key"] === keys[0]!.raw, "the key in x-api-key");
            assert.ok(request.headers.authorization === undefined, "no Authorization header");
          } else {
            assert.ok(request.headers.authorization === `Bearer ${keys[0]!.raw}`, "the stored key as a Bearer token");
          }
          assert.equal(request.keyFingerprint, keys[0]!.fingerprint);
        }
        const leak = findKeyLeak(await session.workbench.allText(), keys, "the page");
        assert.equal(leak, undefined, leak);
      });
    });
  }

  it("a keyless provider runs at once and receives no credential, though a key is stored", { timeout: TIMEOUT }, async () => {
    await session.scenario("providers-keyless", async () => {
      await fanOut("P keyless fan out", { auth: "none" });
      assert.equal(seen.length, 4);
      for (const request of seen) {
        assert.equal(request.headers.authorization, undefined, "no Authorization header");
        assert.equal(request.headers["x-api-key"], undefined, "no x-api-key header");
      }
      assert.ok(!(await session.workbench.allText()).includes("no API key"), "no key warning was shown");
    });
  });
});
