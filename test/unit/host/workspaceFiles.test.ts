import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { existsSync, symlinkSync, truncateSync } from "node:fs";
import * as nodePath from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { DEFAULT_SETTINGS } from "../../../src/core/settings/schema";
import { VscodeWorkspaceTools } from "../../../src/host/tools/vscodeWorkspaceTools";
import { resetShim, shimState, Uri } from "../../fakes/vscodeShim";
import { makeWorkspace, readText, writeFile } from "./hostTestSupport";

describe("workspace tools: files", () => {
  let ws: ReturnType<typeof makeWorkspace>;
  let tools: VscodeWorkspaceTools;

  beforeEach(() => {
    ws = makeWorkspace({
      "src/a.ts": "line 1\nline 2\nline 3\nline 4\n",
      "dup.txt": "same\nsame\n",
      "crlf.txt": "one\r\ntwo\r\nthree\r\n",
      "image.bin": new Uint8Array([137, 80, 78, 71, 0, 0, 1, 2]),
    });
    resetShim({ root: ws.root });
    tools = new VscodeWorkspaceTools({ settings: () => DEFAULT_SETTINGS, ripgrepPath: undefined });
  });
  afterEach(() => ws.cleanup());

  it("reads a line range with the total line count and a version token", async () => {
    const all = await tools.readFile("src/a.ts");
    assert.equal(all.totalLines, 4);
    assert.equal(all.text, "line 1\nline 2\nline 3\nline 4");
    const part = await tools.readFile("src/a.ts", { startLine: 2, endLine: 3 });
    assert.equal(part.text, "line 2\nline 3");
    assert.equal(part.version, all.version);
    assert.equal(await tools.statVersion("src/a.ts"), all.version);
    assert.equal(await tools.statVersion("missing.ts"), undefined);
    await assert.rejects(tools.readFile("src/a.ts", { startLine: 9 }), /past the end of the file \(4 lines\)/);
  });

  it("refuses binary files, folders, missing files and files over the size limit", async () => {
    await assert.rejects(tools.readFile("image.bin"), /binary/);
    await assert.rejects(tools.readFile("src"), /is a folder; use list_files/);
    await assert.rejects(tools.readFile("nope.txt"), /nope\.txt does not exist/);
    writeFile(ws.root, "huge.log", "");
    truncateSync(nodePath.join(ws.root, "huge.log"), 9 * 1024 * 1024);
    await assert.rejects(tools.readFile("huge.log"), /over the 8 MB read limit/);
  });

  it("refuses paths outside the workspace, also through a symlink", async () => {
    const outside = makeWorkspace({ "secret.txt": "top secret" });
    try {
      await assert.rejects(tools.readFile("../outside.txt"), /outside the workspace/);
      await assert.rejects(tools.readFile(nodePath.join(outside.root, "secret.txt")), /outside the workspace/);
      symlinkSync(outside.root, nodePath.join(ws.root, "link"));
      await assert.rejects(tools.readFile("link/secret.txt"), /outside the workspace/);
      await assert.rejects(tools.writeFile({ path: "link/new.txt", content: "x" }), /outside the workspace/);
      await assert.rejects(tools.editFile({ path: "../x", oldText: "a", newText: "b" }), /outside the workspace/);
      await assert.rejects(tools.listFiles({ path: ".." }), /outside the workspace/);
      // An absolute path inside the workspace is fine.
      assert.equal((await tools.readFile(nodePath.join(ws.root, "src/a.ts"))).totalLines, 4);
    } finally {
      outside.cleanup();
    }
  });

  it("refuses a dangling symlink, and does not create its target", async () => {
    const outside = makeWorkspace({});
    try {
      const target = nodePath.join(outside.root, "created-through-link.txt");
      symlinkSync(target, nodePath.join(ws.root, "dangling.txt"));
      symlinkSync(nodePath.join(outside.root, "missing-dir"), nodePath.join(ws.root, "dangling-dir"));
      symlinkSync("loop-b", nodePath.join(ws.root, "loop-a"));
      symlinkSync("loop-a", nodePath.join(ws.root, "loop-b"));
      await assert.rejects(tools.writeFile({ path: "dangling.txt", content: "x" }), /symbolic link whose target does not exist/);
      await assert.rejects(tools.writeFile({ path: "dangling-dir/new.txt", content: "x" }), /symbolic link whose target does not exist/);
      await assert.rejects(tools.readFile("dangling.txt"), /symbolic link whose target does not exist/);
      await assert.rejects(tools.writeFile({ path: "loop-a", content: "x" }), /symbolic link whose target does not exist/);
      assert.equal(existsSync(target), false);
      assert.equal(existsSync(nodePath.join(outside.root, "missing-dir")), false);
      // An ordinary new file next to them is still fine.
      await tools.writeFile({ path: "fresh.txt", content: "ok\n" });
      assert.equal(readText(ws.root, "fresh.txt"), "ok\n");
    } finally {
      outside.cleanup();
    }
  });

  it("tells where a path leads through a symbolic link, so a link to a protected folder is protected", async () => {
    writeFile(ws.root, ".vscode/settings.json", "{}\n");
    symlinkSync(nodePath.join(ws.root, ".vscode"), nodePath.join(ws.root, "cfg"));
    assert.equal(await tools.realPath("cfg/settings.json"), ".vscode/settings.json");
    assert.equal(await tools.realPath("cfg/new.json"), ".vscode/new.json");
    assert.equal(await tools.realPath("src/a.ts"), "src/a.ts");
  });

  it("reads what the user sees in an editor with unsaved changes", async () => {
    const doc = shimState.documents.openFile(Uri.file(nodePath.join(ws.root, "src/a.ts")));
    doc.typeText("unsaved buffer\n");
    assert.equal((await tools.readFile("src/a.ts")).text, "unsaved buffer");
  });

  it("edits through WorkspaceEdit, saves, and returns the new version", async () => {
    const read = await tools.readFile("src/a.ts");
    const result = await tools.editFile({ path: "src/a.ts", oldText: "line 2", newText: "LINE TWO", expectedVersion: read.version });
    assert.equal(shimState.documents.appliedEdits, 1);
    assert.equal(readText(ws.root, "src/a.ts"), "line 1\nLINE TWO\nline 3\nline 4\n");
    assert.equal(result.version, await tools.statVersion("src/a.ts"));
    assert.notEqual(result.version, read.version);
  });

  it("rejects an edit based on a stale read and names the file", async () => {
    const read = await tools.readFile("src/a.ts");
    // Another agent changes the file after this one read it.
    await tools.editFile({ path: "src/a.ts", oldText: "line 4", newText: "line four" });
    await assert.rejects(
      tools.editFile({ path: "src/a.ts", oldText: "line 1", newText: "x", expectedVersion: read.version }),
      /src\/a\.ts changed since you read it/,
    );
    await assert.rejects(
      tools.writeFile({ path: "src/a.ts", content: "overwrite", expectedVersion: read.version }),
      /src\/a\.ts changed since you read it/,
    );
    assert.match(readText(ws.root, "src/a.ts"), /^line 1\n/);
  });

  it("refuses ambiguous and missing old_text, and keeps CRLF line endings", async () => {
    await assert.rejects(tools.editFile({ path: "dup.txt", oldText: "same", newText: "x" }), /matches 2 places in dup\.txt/);
    await assert.rejects(tools.editFile({ path: "dup.txt", oldText: "absent", newText: "x" }), /was not found in dup\.txt/);
    await tools.editFile({ path: "crlf.txt", oldText: "one\ntwo", newText: "1\n2" });
    assert.equal(readText(ws.root, "crlf.txt"), "1\r\n2\r\nthree\r\n");
  });

  it("leaves a file the user is editing unsaved, with the agent's change in the buffer", async () => {
    const doc = shimState.documents.openFile(Uri.file(nodePath.join(ws.root, "src/a.ts")));
    doc.typeText("mine\nline 2\n");
    await tools.editFile({ path: "src/a.ts", oldText: "line 2", newText: "agent" });
    assert.equal(doc.getText(), "mine\nagent\n");
    assert.equal(doc.isDirty, true);
    assert.equal(readText(ws.root, "src/a.ts"), "line 1\nline 2\nline 3\nline 4\n");
  });

  it("creates new files (with folders) and refuses a write over a deleted file's stale read", async () => {
    const created = await tools.writeFile({ path: "new/deep/file.md", content: "# hi\n" });
    assert.equal(readText(ws.root, "new/deep/file.md"), "# hi\n");
    assert.equal(created.version, await tools.statVersion("new/deep/file.md"));
    await assert.rejects(tools.writeFile({ path: "gone.txt", content: "x", expectedVersion: "abc" }), /gone\.txt was deleted since you read it/);
    const replaced = await tools.writeFile({ path: "new/deep/file.md", content: "# bye\n", expectedVersion: created.version });
    assert.equal(readText(ws.root, "new/deep/file.md"), "# bye\n");
    assert.notEqual(replaced.version, created.version);
  });

  it("refuses edits and writes in Restricted Mode but still reads", async () => {
    shimState.trusted = false;
    await assert.rejects(tools.editFile({ path: "src/a.ts", oldText: "line 1", newText: "x" }), /not trusted \(Restricted Mode\)/);
    await assert.rejects(tools.writeFile({ path: "new.txt", content: "x" }), /not trusted/);
    assert.equal((await tools.readFile("src/a.ts")).totalLines, 4);
  });

  it("serializes concurrent edits of one file so both land", async () => {
    await Promise.all([
      tools.editFile({ path: "src/a.ts", oldText: "line 1", newText: "first" }),
      tools.editFile({ path: "src/a.ts", oldText: "line 3", newText: "third" }),
    ]);
    assert.equal(readText(ws.root, "src/a.ts"), "first\nline 2\nthird\nline 4\n");
  });

  it("reports diagnostics of workspace files with 1-based lines", async () => {
    const file = nodePath.join(ws.root, "src/a.ts");
    const range = { start: { line: 2, character: 0 }, end: { line: 2, character: 4 } };
    shimState.diagnostics.set(file, [{ range, message: "bad", severity: 0 } as never, { range, message: "meh", severity: 1 } as never]);
    shimState.diagnostics.set("/elsewhere/x.ts", [{ range, message: "not ours", severity: 0 } as never]);
    assert.deepEqual(await tools.getDiagnostics(), [
      { path: "src/a.ts", line: 3, severity: "error", message: "bad" },
      { path: "src/a.ts", line: 3, severity: "warning", message: "meh" },
    ]);
    assert.equal((await tools.getDiagnostics("src/a.ts")).length, 2);
    assert.deepEqual(await tools.getDiagnostics("dup.txt"), []);
  });
});
