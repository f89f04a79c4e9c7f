import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, utimesSync } from "node:fs";
import * as nodePath from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { SecretRedactor } from "../../../src/core/keys/redact";
import { ToolOutputFiles } from "../../../src/host/persistence/toolOutputFiles";
import { makeWorkspace } from "./hostTestSupport";

describe("ToolOutputFiles (large tool results beside the transcripts)", () => {
  let workspace: { root: string; cleanup(): void };
  let directory: string;
  beforeEach(() => {
    workspace = makeWorkspace();
    directory = nodePath.join(workspace.root, "transcripts");
  });
  afterEach(() => workspace.cleanup());

  it("writes each result in the agent's folder beside its transcript, redacted, and reads it back", async () => {
    // Built at run time so no key-shaped literal sits in the repository.
    const key = ["sk", "proj", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4"].join("-");
    const store = new ToolOutputFiles(directory, (text) => new SecretRedactor(() => [key]).redact(text));
    await store.save("abc123", "call_1.txt", `env dump\nOPENAI_API_KEY=${key}\nend`);
    const file = nodePath.join(directory, "abc123.outputs", "call_1.txt");
    const onDisk = readFileSync(file, "utf8");
    assert.ok(!onDisk.includes(key), "the key never reaches the disk");
    assert.match(onDisk, /redacted key/);
    assert.equal(await store.read("abc123", "call_1.txt"), onDisk);
    assert.equal(await store.read("abc123", "call_2.txt"), undefined);
    assert.equal(await store.read("other", "call_1.txt"), undefined, "another agent's folder is separate");
  });

  it("refuses names that could leave the agent's folder", async () => {
    const store = new ToolOutputFiles(directory);
    for (const name of ["../escape.txt", "a/b.txt", "..", "", "a\\b.txt"]) {
      await assert.rejects(store.save("abc123", name, "x"), /not a stored tool result name/, name);
      await assert.rejects(store.read("abc123", name), /not a stored tool result name/, name);
    }
    await store.save("../../etc", "ok.txt", "x");
    assert.deepEqual(readdirSync(directory).filter((n) => n.endsWith(".outputs")).length, 1);
    assert.ok(!existsSync(nodePath.join(workspace.root, "etc.outputs")), "an odd agent id is hashed, never a path");
  });

  it("prunes the folders of agents no longer in the tree", async () => {
    const store = new ToolOutputFiles(directory);
    await store.save("keep1", "c.txt", "x");
    await store.save("gone1", "c.txt", "x");
    const old = new Date(Date.now() - 60_000);
    utimesSync(nodePath.join(directory, "gone1.outputs"), old, old);
    utimesSync(nodePath.join(directory, "keep1.outputs"), old, old);
    assert.equal(await store.prune(new Set(["keep1"]), Date.now() - 1000), 1);
    assert.deepEqual(readdirSync(directory).sort(), ["keep1.outputs"]);
  });
});
