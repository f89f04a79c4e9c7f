import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { headAndTail, lineRange, STORED_OUTPUT_PREFIX } from "../../../src/core/agents/storedToolOutputs";
import { assertQuiet, scriptedKitPerTest, spawnCall } from "../../fakes/agentTestKit";
import { MemoryToolOutputStore } from "../../fakes/memoryStores";
import { lastToolResult, type ScriptedCall } from "../../fakes/scriptedModelClient";

const start = scriptedKitPerTest();

/** 3,000 numbered lines of about 30 characters: about 90,000 characters. */
const bigFile = Array.from({ length: 3000 }, (_, i) => `line ${String(i + 1).padStart(5, "0")} of the big file`).join("\n");
const storedPath = (text: string) => /"(@tool-output\/[^"]+)"/.exec(text)?.[1];

describe("large tool outputs", () => {
  it("stores a result over maxToolChars whole; the model gets head, tail and a path it reads back in ranges", async () => {
    const outputs = new MemoryToolOutputStore();
    const seen: string[] = [];
    const { kit } = start(
      (call: ScriptedCall) => {
        if (call.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "big.txt" } }] };
        const result = lastToolResult(call.messages);
        seen.push(result);
        if (call.turn === 1) {
          const path = storedPath(result);
          return { toolCalls: [{ name: "read_file", arguments: { path, start_line: 1500, end_line: 1502 } }] };
        }
        if (call.turn === 2) {
          return { toolCalls: [{ name: "write_file", arguments: { path: storedPath(seen[0] ?? ""), content: "x" } }] };
        }
        if (call.turn === 3) return { toolCalls: [{ name: "read_file", arguments: { path: `${STORED_OUTPUT_PREFIX}../../etc/passwd` } }] };
        return { text: "done" };
      },
      { settings: { "results.maxToolChars": 5_000 }, deps: { toolOutputs: outputs } },
    );
    kit.workspace.put("big.txt", bigFile);
    const final = await kit.service.runRoot({ task: "read the big file" }).done;
    assert.equal(final.status, "completed");

    const [shortened, range, refusedWrite, refusedPath] = seen;
    assert.ok(shortened !== undefined && shortened.length <= 5_000, `the model saw ${shortened?.length} characters`);
    assert.match(shortened, /^big\.txt \(3000 lines\)\nline 00001/);
    assert.match(shortened, /line 03000 of the big file$/);
    assert.match(shortened, /characters cut from the middle of this result/);
    const path = storedPath(shortened);
    assert.ok(path);
    const [stored] = [...outputs.files.entries()];
    assert.equal(stored?.[0], `${final.id}/${path.slice(STORED_OUTPUT_PREFIX.length)}`);
    assert.equal(stored?.[1], `big.txt (3000 lines)\n${bigFile}`, "stored whole");
    assert.equal(range, `${path} (lines 1500-1502 of 3001, stored tool result)\nline 01499 of the big file\nline 01500 of the big file\nline 01501 of the big file`);
    assert.match(refusedWrite ?? "", /read-only/);
    assert.equal(kit.workspace.text(path), undefined, "no workspace file was created by that name");
    assert.match(refusedPath ?? "", /not a stored tool result name/);
    await assertQuiet(kit);
  });

  it("one agent cannot read another agent's stored results", async () => {
    const outputs = new MemoryToolOutputStore();
    let childSaw = "";
    const { kit } = start(
      (call) => {
        if (call.role === "root") {
          if (call.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "big.txt" } }] };
          if (call.turn === 1) return { toolCalls: [spawnCall(`read ${storedPath(lastToolResult(call.messages))}`)] };
          return { text: "root done" };
        }
        if (call.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: call.task.slice("read ".length) } }] };
        childSaw = lastToolResult(call.messages);
        return { text: "child done" };
      },
      { settings: { "results.maxToolChars": 5_000 }, deps: { toolOutputs: outputs } },
    );
    kit.workspace.put("big.txt", bigFile);
    assert.equal((await kit.service.runRoot({ task: "fan out" }).done).status, "completed");
    assert.match(childSaw, /there is no stored tool result/);
    await assertQuiet(kit);
  });

  it("without a store the model still gets head and tail, told that the whole was not kept", async () => {
    let saw = "";
    const { kit } = start(
      (call) => {
        if (call.turn === 0) return { toolCalls: [{ name: "read_file", arguments: { path: "big.txt" } }] };
        saw = lastToolResult(call.messages);
        return { text: "done" };
      },
      { settings: { "results.maxToolChars": 5_000 } },
    );
    kit.workspace.put("big.txt", bigFile);
    await kit.service.runRoot({ task: "x" }).done;
    assert.ok(saw.length <= 5_000);
    assert.match(saw, /could not be kept/);
    await assertQuiet(kit);
  });

  it("head and tail cut at line ends and name the lines that were cut", () => {
    const cut = headAndTail(bigFile, 3_000);
    assert.ok(cut.head.endsWith("\n"));
    assert.ok(cut.tail.startsWith("line "));
    assert.equal(cut.head.length + cut.tail.length + cut.cutChars, bigFile.length);
    const headLines = cut.head.split("\n").length - 1;
    assert.equal(cut.headEndLine, headLines);
    assert.equal(cut.tailStartLine, 3000 - cut.tail.split("\n").length + 1);
    assert.deepEqual(lineRange("a\nb\nc\n", 2, 9), { text: "b\nc", from: 2, to: 3, totalLines: 3 });
  });
});
