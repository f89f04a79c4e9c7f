import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as nodePath from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { FileChange } from "../../../src/core/changes/fileChange";
import { FileChangeStore } from "../../../src/host/persistence/fileChangeStore";
import { RecordingLogger } from "./agentTreeFakes";
import { makeWorkspace } from "./hostTestSupport";

const change = (path: string, before: string | null, after: string | null, seq: number): FileChange => ({
  path,
  before,
  after,
  firstSeq: seq,
  lastSeq: seq,
  changedAt: 1000 + seq,
});

describe("change sets on disk", () => {
  let dir: ReturnType<typeof makeWorkspace>;
  let logger: RecordingLogger;
  beforeEach(() => {
    dir = makeWorkspace();
    logger = new RecordingLogger();
  });
  afterEach(() => dir.cleanup());

  it("round-trips created, edited and deleted files; texts live in their own files, not in the index", async () => {
    const store = new FileChangeStore(dir.root, logger);
    const big = "x".repeat(300_000);
    const saved = [change("src/a.ts", "before\r\n", big, 1), change("new.ts", null, "made\n", 2), change("gone.ts", "was\n", null, 3)];
    store.save("agent-1", saved);
    const index = readFileSync(nodePath.join(dir.root, "agent-1", "index.json"), "utf8");
    assert.ok(index.length < 2000, "the index holds hashes, not the 300 KB text");
    assert.deepEqual((await new FileChangeStore(dir.root, logger).load()).get("agent-1"), saved);
  });

  it("redacts every text and path on the way to disk", async () => {
    const secret = "sk-test-" + "9".repeat(24);
    const store = new FileChangeStore(dir.root, logger, (text) => text.replaceAll(secret, "[redacted key …9999]"));
    store.save("a", [change("keys.env", `KEY=${secret}\n`, "KEY=\n", 1)]);
    for (const name of readdirSync(nodePath.join(dir.root, "a"))) {
      assert.equal(readFileSync(nodePath.join(dir.root, "a", name), "utf8").includes(secret), false, name);
    }
    assert.equal((await store.load()).get("a")?.[0]?.before, "KEY=[redacted key …9999]\n");
  });

  it("removes texts no longer referenced, and the whole set once it is empty", async () => {
    const store = new FileChangeStore(dir.root, logger);
    store.save("a", [change("f", "one", "two", 1)]);
    store.save("a", [change("f", "one", "three", 2)]);
    assert.equal(readdirSync(nodePath.join(dir.root, "a")).filter((n) => n.endsWith(".txt")).length, 2);
    store.save("a", []);
    assert.deepEqual(readdirSync(nodePath.join(dir.root, "a")), []);
    assert.equal((await store.load()).has("a"), false);
  });

  it("moves a damaged index aside and still loads the other agents' sets", async () => {
    const store = new FileChangeStore(dir.root, logger, (t) => t, () => 42);
    store.save("good", [change("f", "1", "2", 1)]);
    store.save("bad", [change("g", "1", "2", 2)]);
    writeFileSync(nodePath.join(dir.root, "bad", "index.json"), "{ not json");
    const loaded = await store.load();
    assert.deepEqual([...loaded.keys()], ["good"]);
    assert.ok(existsSync(nodePath.join(dir.root, "bad", "index.json.corrupt-42")));
    assert.ok(logger.lines.some((l) => /could not be read and was moved aside/.test(l)));
  });

  it("never lets an agent id name a path", async () => {
    const store = new FileChangeStore(dir.root, logger);
    store.save("../../escape", [change("f", "1", "2", 1)]);
    assert.deepEqual(readdirSync(dir.root).length, 1);
    assert.equal(existsSync(nodePath.join(dir.root, "..", "..", "escape")), false);
    assert.ok((await store.load()).has("../../escape"));
  });
});
