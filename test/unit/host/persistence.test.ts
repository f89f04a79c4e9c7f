import assert from "node:assert/strict";
import { appendFileSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import * as nodePath from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { TranscriptEvent } from "../../../src/core/agents/transcript";
import { silentLogger } from "../../../src/core/common/logger";
import { FileTreeStore } from "../../../src/host/persistence/fileTreeStore";
import { JsonlTranscriptStore, transcriptFileName } from "../../../src/host/persistence/jsonlTranscriptStore";
import { makeWorkspace, snapshot } from "./hostTestSupport";

describe("transcript store (JSONL)", () => {
  let dir: ReturnType<typeof makeWorkspace>;
  beforeEach(() => (dir = makeWorkspace()));
  afterEach(() => dir.cleanup());

  it("keeps every line of many agents, in order, across a reload", async () => {
    const store = new JsonlTranscriptStore(nodePath.join(dir.root, "transcripts"), silentLogger);
    const agents = ["root-1", "child-a", "child-b", "weird id/../x"];
    for (let i = 0; i < 2000; i++) {
      const agentId = agents[i % agents.length] ?? "root-1";
      store.append(agentId, { type: "message", at: i, role: "assistant", content: `line ${i} "quoted" \n newline` });
      if (i % 500 === 0) assert.equal((await store.read(agentId)).at(-1)?.at, i, "reads see lines not yet flushed");
    }
    store.dispose();
    const reloaded = new JsonlTranscriptStore(nodePath.join(dir.root, "transcripts"), silentLogger);
    for (const [n, agentId] of agents.entries()) {
      const events = await reloaded.read(agentId);
      assert.equal(events.length, 500);
      assert.deepEqual(events.map((e) => e.at), Array.from({ length: 500 }, (_, k) => k * agents.length + n));
    }
    assert.match(transcriptFileName("weird id/../x"), /^[0-9a-f]{32}\.jsonl$/);
  });

  it("survives a half-written last line from a crash: only that line is lost", async () => {
    const folder = nodePath.join(dir.root, "transcripts");
    const store = new JsonlTranscriptStore(folder, silentLogger);
    store.append("a1", { type: "status", at: 1, status: "running" });
    store.flush();
    appendFileSync(nodePath.join(folder, "a1.jsonl"), '{"type":"message","at":2,"ro');
    const after = new JsonlTranscriptStore(folder, silentLogger);
    after.append("a1", { type: "status", at: 3, status: "completed" });
    after.flush();
    assert.deepEqual((await after.read("a1")).map((e: TranscriptEvent) => e.at), [1, 3]);
  });

  it("prunes transcripts of agents no longer in the tree, but not fresh ones", async () => {
    const folder = nodePath.join(dir.root, "transcripts");
    const store = new JsonlTranscriptStore(folder, silentLogger);
    for (const id of ["keep", "old", "fresh"]) store.append(id, { type: "status", at: 1, status: "queued" });
    store.flush();
    const past = new Date(Date.now() - 60_000);
    for (const id of ["keep", "old"]) utimesSync(nodePath.join(folder, `${id}.jsonl`), past, past);
    assert.equal(await store.prune(new Set(["keep"]), Date.now() - 30_000), 1);
    assert.equal((await store.read("old")).length, 0);
    assert.equal((await store.read("keep")).length, 1);
    assert.equal((await store.read("fresh")).length, 1);
  });
});

describe("tree store", () => {
  let dir: ReturnType<typeof makeWorkspace>;
  beforeEach(() => (dir = makeWorkspace()));
  afterEach(() => dir.cleanup());

  it("saves atomically and loads what it saved", async () => {
    const store = new FileTreeStore(dir.root, silentLogger);
    const agents = [snapshot("r1", { status: "completed", result: "done" }), snapshot("c1", { parentId: "r1", rootId: "r1", depth: 1, role: "leaf" })];
    store.save(agents);
    assert.deepEqual(await new FileTreeStore(dir.root, silentLogger).load(), agents);
    assert.equal(JSON.parse(readFileSync(store.file, "utf8")).version, 1);
  });

  it("drops unreadable agents one by one and survives a damaged file", async () => {
    const store = new FileTreeStore(dir.root, silentLogger);
    writeFileSync(store.file, JSON.stringify({ version: 1, savedAt: 1, agents: [snapshot("ok"), { id: "broken" }] }));
    assert.deepEqual((await store.load()).map((a) => a.id), ["ok"]);
    writeFileSync(store.file, "{ half");
    assert.deepEqual(await store.load(), []);
    assert.deepEqual(await new FileTreeStore(nodePath.join(dir.root, "none"), silentLogger).load(), []);
  });
});
