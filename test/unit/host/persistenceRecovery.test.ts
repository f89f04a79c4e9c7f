import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import * as nodePath from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { TranscriptEvent } from "../../../src/core/agents/transcript";
import { silentLogger } from "../../../src/core/common/logger";
import { SecretRedactor } from "../../../src/core/keys/redact";
import { FileTreeStore } from "../../../src/host/persistence/fileTreeStore";
import { JsonlTranscriptStore } from "../../../src/host/persistence/jsonlTranscriptStore";
import { pruneClearedTranscripts } from "../../../src/host/persistence/transcriptPruning";
import { makeWorkspace, snapshot } from "./hostTestSupport";

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

/** The transcripts of a small tree as agents write them: a finished root, a child cut off mid-run, a damaged line. */
function writeTranscripts(folder: string): JsonlTranscriptStore {
  const store = new JsonlTranscriptStore(folder, silentLogger);
  const events: Array<[string, TranscriptEvent]> = [
    ["root1", { type: "spawned", at: 100, name: "Fix tests", task: "fix the failing tests", parentId: null, model: "openai:gpt-5-mini", role: "root" }],
    ["root1", { type: "status", at: 110, status: "running" }],
    ["child1", { type: "spawned", at: 120, name: "Read math", task: "read src/math.js", parentId: "root1", model: "openai:gpt-5-mini", role: "leaf" }],
    ["child1", { type: "usage", at: 130, promptTokens: 40, completionTokens: 2, keyFingerprint: "…abcd" }],
    ["child1", { type: "status", at: 131, status: "running" }],
    ["root1", { type: "usage", at: 140, promptTokens: 10, completionTokens: 5, keyFingerprint: "…abcd" }],
    ["root1", { type: "message", at: 150, role: "assistant", content: "All tests pass." }],
    ["root1", { type: "status", at: 160, status: "completed" }],
  ];
  for (const [id, event] of events) store.append(id, event);
  store.flush();
  // A damaged line in the middle: skipped, not fatal.
  const file = nodePath.join(folder, "root1.jsonl");
  const lines = readFileSync(file, "utf8").split("\n");
  lines.splice(2, 0, '{"type":"message","at":14');
  writeFileSync(file, lines.join("\n"));
  return store;
}

describe("tree index fails safe", () => {
  let dir: ReturnType<typeof makeWorkspace>;
  let transcriptsDir: string;
  let warnings: string[];
  const treeStore = () => new FileTreeStore(dir.root, silentLogger, () => NOW, { transcriptsDirectory: transcriptsDir, warnUser: (m) => warnings.push(m) });

  beforeEach(() => {
    dir = makeWorkspace();
    transcriptsDir = nodePath.join(dir.root, "transcripts");
    warnings = [];
  });
  afterEach(() => dir.cleanup());

  for (const [name, content] of [
    ["a damaged index", "{ half written"],
    ["an index of an unknown version", JSON.stringify({ version: 7, savedAt: 1, agents: [] })],
    ["an index whose agents do not parse (an older format)", JSON.stringify({ version: 1, savedAt: 1, agents: [{ id: "root1", title: "old" }] })],
    ["an index that is not an object", "[]"],
  ] as const) {
    it(`moves ${name} aside, rebuilds the tree from the transcripts, prunes nothing and warns once`, async () => {
      const transcripts = writeTranscripts(transcriptsDir);
      const store = treeStore();
      writeFileSync(store.file, content);
      const agents = await store.load();

      assert.deepEqual(agents.map((a) => [a.id, a.name, a.status, a.parentId, a.depth]), [
        ["root1", "Fix tests", "completed", null, 0],
        ["child1", "Read math", "interrupted", "root1", 1],
      ]);
      const root = agents[0];
      assert.equal(root?.task, "fix the failing tests");
      assert.equal(root?.result, "All tests pass.");
      assert.equal(root?.tokensIn, 10);
      assert.equal(root?.providerId, "openai");
      assert.equal(agents[1]?.tokensIn, 40);

      const aside = readdirSync(dir.root).filter((n) => n.startsWith("tree.json.corrupt-"));
      assert.equal(aside.length, 1, "the bad index is kept aside");
      assert.equal(readFileSync(nodePath.join(dir.root, aside[0] ?? ""), "utf8"), content);
      assert.ok(!existsSync(store.file));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] ?? "", /rebuilt from the transcripts.*no transcript was deleted/);

      // Activation then prunes transcripts not in the tree — but not after a rebuild.
      const old = (NOW - 86_400_000) / 1000;
      for (const f of readdirSync(transcriptsDir)) utimesSync(nodePath.join(transcriptsDir, f), old, old);
      const removed = await pruneClearedTranscripts(store, transcripts, new Set(), NOW, silentLogger);
      assert.equal(removed, 0);
      assert.deepEqual(readdirSync(transcriptsDir).sort(), ["child1.jsonl", "root1.jsonl"]);

      // The next save writes a full index again, and the next start reads it without a warning.
      store.save(agents);
      const next = treeStore();
      assert.deepEqual((await next.load()).map((a) => a.id), ["root1", "child1"]);
      assert.equal(next.recovered, false);
      assert.equal(warnings.length, 1);
    });
  }

  it("keeps the agents of a partly readable index and adds the rest from their transcripts", async () => {
    writeTranscripts(transcriptsDir);
    const store = treeStore();
    const kept = snapshot("root1", { status: "completed", result: "kept from the index", tokensIn: 999 });
    writeFileSync(store.file, JSON.stringify({ version: 1, savedAt: 1, agents: [kept, { id: "child1", broken: true }] }));
    const agents = await store.load();
    assert.equal(agents.find((a) => a.id === "root1")?.result, "kept from the index");
    assert.equal(agents.find((a) => a.id === "child1")?.status, "interrupted");
    assert.equal(store.recovered, true);
  });

  it("rebuilds from transcripts when the index is missing, and prunes cleared agents when it is intact", async () => {
    const transcripts = writeTranscripts(transcriptsDir);
    const missing = treeStore();
    assert.equal((await missing.load()).length, 2);
    assert.equal(missing.recovered, true);
    const intact = treeStore();
    intact.save([snapshot("root1", { status: "completed" })]);
    assert.equal((await intact.load()).length, 1);
    assert.equal(intact.recovered, false);
    const old = (NOW - 86_400_000) / 1000;
    for (const f of readdirSync(transcriptsDir)) utimesSync(nodePath.join(transcriptsDir, f), old, old);
    assert.equal(await pruneClearedTranscripts(intact, transcripts, new Set(["root1"]), NOW, silentLogger), 1);
    assert.deepEqual(readdirSync(transcriptsDir), ["root1.jsonl"]);
  });

  it("starts empty without a warning when there is nothing at all", async () => {
    const store = treeStore();
    assert.deepEqual(await store.load(), []);
    assert.equal(store.recovered, false);
    assert.deepEqual(warnings, []);
  });

  it("writes through a synced temp file and leaves no temp file behind", () => {
    const store = treeStore();
    store.save([snapshot("a")]);
    assert.deepEqual(readdirSync(dir.root), ["tree.json"]);
  });

  it("redacts keys from saved trees and transcripts", async () => {
    const key = `sk-persist-${"q".repeat(20)}9876`;
    const redactor = new SecretRedactor(() => [key]);
    const store = new FileTreeStore(dir.root, silentLogger, () => NOW, { beforeSave: (a) => redactor.redactDeep(a) });
    store.save([snapshot("a", { result: `the key is ${key}` })]);
    assert.ok(!readFileSync(store.file, "utf8").includes(key.slice(3, 11)));
    const transcripts = new JsonlTranscriptStore(transcriptsDir, silentLogger, (e) => redactor.redactDeep(e));
    transcripts.append("a", { type: "tool_result", at: 1, callId: "c", name: "read_file", ok: true, content: `OPENAI_API_KEY=${key}` });
    transcripts.flush();
    const text = readFileSync(nodePath.join(transcriptsDir, "a.jsonl"), "utf8");
    assert.ok(!text.includes(key.slice(3, 11)), text);
    assert.match(text, /\[redacted key …9876\]/);
  });
});
