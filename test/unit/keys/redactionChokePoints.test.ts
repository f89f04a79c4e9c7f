import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { SecretRedactor } from "../../../src/core/keys/redact";
import { redactingWorkspaceTools } from "../../../src/core/tools/redactingWorkspaceTools";
import type { WorkspaceTools } from "../../../src/core/tools/workspaceTools";
import { FakeWorkspaceTools } from "../../fakes/fakeWorkspaceTools";
import { harness, request } from "../llm/harness";
import { testKeys } from "./testDoubles";

const pieces = (key: string) => Array.from({ length: key.length - 7 }, (_, i) => key.slice(i, i + 8));
const leaks = (text: string, keys: readonly string[]) => keys.flatMap(pieces).filter((p) => text.includes(p));

describe("redaction at the choke points", () => {
  it("workspace tool results and errors carry no key, however the tool printed it", async () => {
    const [key = ""] = testKeys("tools", 1);
    const inner = new FakeWorkspaceTools({ ".env": `OPENAI_API_KEY=${key}\nOTHER=1\n` }, (req) => ({
      exitCode: 0,
      output: `${req.command}\nOPENAI_API_KEY=${key}\n${Buffer.from(key).toString("base64")}\n${encodeURIComponent(key).toUpperCase()}`,
      truncated: false,
      timedOut: false,
    }));
    inner.readFile = async () => {
      throw new Error(`cannot read: ${key}`);
    };
    const tools = redactingWorkspaceTools(inner, new SecretRedactor(() => [key]));
    const run = await tools.runCommand({ command: "env; base64 .env", signal: new AbortController().signal });
    assert.deepEqual(leaks(run.output.toLowerCase(), [key.toLowerCase()]), [], run.output);
    assert.equal((run.output.match(/\[redacted key …/g) ?? []).length, 3, run.output);
    const hits = await tools.searchText({ query: "OPENAI" });
    assert.deepEqual(leaks(JSON.stringify(hits), [key]), []);
    await assert.rejects(tools.readFile(".env"), (error: Error) => !error.message.includes(key.slice(0, 8)) && /redacted key/.test(error.message));
  });

  it("keeps the optional capabilities of the tools it wraps (links followed for approvals, exact text for change sets)", async () => {
    const inner: WorkspaceTools = new FakeWorkspaceTools({ "a.txt": "text\n" });
    inner.realPath = async (path: string) => (path === "link" ? ".vscode/settings.json" : path);
    const tools = redactingWorkspaceTools(inner, new SecretRedactor(() => []));
    assert.equal(await tools.realPath?.("link"), ".vscode/settings.json");
    assert.equal(await tools.readText?.("a.txt"), "text\n");
  });

  it("request bodies carry no key, even when the conversation holds one", async () => {
    const h = await harness({ keyCount: 2 });
    try {
      const seen: string[] = [];
      h.server.setScript((req) => {
        seen.push(JSON.stringify(req.messages));
        return { text: "ok" };
      });
      const messages: ChatCompletionMessageParam[] = [
        { role: "user", content: `my key is ${h.keys[0]}` },
        { role: "assistant", content: `echo ${Buffer.from(`Bearer ${h.keys[1]}`).toString("base64")}` },
      ];
      await h.client.complete(request({ messages }));
      assert.equal(seen.length, 1);
      assert.deepEqual(leaks(seen[0] ?? "", h.keys), []);
      assert.match(seen[0] ?? "", /\[redacted key …/);
      assert.ok(String(messages[0]?.content).includes(h.keys[0] ?? "-"), "the caller's own messages are not changed");
    } finally {
      await h.close();
    }
  });
});
