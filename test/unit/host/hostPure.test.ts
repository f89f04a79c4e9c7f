import assert from "node:assert/strict";
import * as nodePath from "node:path";
import { describe, it } from "node:test";
import { contentVersion, countLines, locateUniqueEdit, looksBinary, sliceLines } from "../../../src/host/tools/fileText";
import { resolveWorkspacePath, toWorkspaceRelative } from "../../../src/host/tools/pathContainment";
import { baseArgs, parseRipgrepJson, ripgrepCandidates } from "../../../src/host/tools/ripgrep";
import { fence, renderResultMarkdown, renderTranscriptMarkdown } from "../../../src/host/transcripts/transcriptMarkdown";
import { describeProblem } from "../../../src/host/settings/settingProblems";
import type * as vscode from "vscode";
import { redactSecrets } from "../../../src/core/keys/redact";
import { OutputLogger } from "../../../src/host/outputLogger";
import { snapshot } from "./hostTestSupport";

const posix = nodePath.posix;

describe("path containment", () => {
  const roots = [{ name: "app", fsPath: "/ws/app" }, { name: "lib", fsPath: "/ws/lib" }];

  it("resolves relative paths in the first folder, or the folder named first in multi-root", () => {
    assert.equal(resolveWorkspacePath(roots.slice(0, 1), "src/a.ts", posix).absolute, "/ws/app/src/a.ts");
    assert.equal(resolveWorkspacePath(roots, "lib/x.ts", posix).absolute, "/ws/lib/x.ts");
    assert.equal(resolveWorkspacePath(roots, "src/../b.ts", posix).absolute, "/ws/app/b.ts");
    assert.equal(resolveWorkspacePath(roots, "", posix).absolute, "/ws/app");
    assert.equal(toWorkspaceRelative(roots, "/ws/lib/x.ts", posix), "lib/x.ts");
    assert.equal(toWorkspaceRelative(roots.slice(0, 1), "/ws/app/src/a.ts", posix), "src/a.ts");
    assert.equal(toWorkspaceRelative(roots, "/elsewhere", posix), undefined);
  });

  it("refuses escapes, other absolute paths, NUL bytes and a missing workspace", () => {
    for (const bad of ["../secret", "src/../../x", "/etc/passwd", "/ws/application/x"]) {
      assert.throws(() => resolveWorkspacePath(roots, bad, posix), /outside the workspace/, bad);
    }
    assert.throws(() => resolveWorkspacePath(roots, "a\0b", posix), /Invalid path/);
    assert.throws(() => resolveWorkspacePath([], "a", posix), /No folder is open/);
  });
});

describe("file text", () => {
  it("detects binary, counts lines and versions by content", () => {
    assert.equal(looksBinary(new Uint8Array([65, 0, 66])), true);
    assert.equal(looksBinary(new TextEncoder().encode("plain ✓ text")), false);
    assert.equal(countLines(""), 0);
    assert.equal(countLines("a\nb"), 2);
    assert.equal(countLines("a\nb\n"), 2);
    assert.equal(contentVersion("x"), contentVersion("x"));
    assert.notEqual(contentVersion("x"), contentVersion("y"));
  });

  it("stops long reads at a line boundary with a note saying where to continue", () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join("\n");
    const out = sliceLines(text, undefined, 50);
    assert.match(out.text, /^line 1\nline 2\n/);
    assert.match(out.text, /\[truncated: showing lines 1–\d+ of 100; read the rest with start_line=\d+\]$/);
    assert.throws(() => sliceLines(text, { startLine: 5, endLine: 2 }), /end_line must be at least start_line/);
    assert.throws(() => sliceLines(text, { startLine: 0 }), /start_line must be 1 or more/);
  });

  it("finds exactly one occurrence to replace", () => {
    assert.deepEqual(locateUniqueEdit("abc", "b", "B", "f"), { offset: 1, length: 1, replacement: "B" });
    assert.throws(() => locateUniqueEdit("abc", "", "x", "f"), /use write_file/);
  });
});

describe("ripgrep", () => {
  it("looks where VS Code and code-server keep it", () => {
    const c = ripgrepCandidates("/app", "linux", "x64");
    assert.ok(c.includes(nodePath.join("/app", "node_modules", "@vscode", "ripgrep", "bin", "rg")));
    assert.ok(c.includes(nodePath.join("/app", "node_modules.asar.unpacked", "@vscode", "ripgrep", "bin", "rg")));
    assert.ok(c.includes(nodePath.join("/app", "node_modules", "@vscode", "ripgrep-universal", "bin", "linux-x64", "rg")));
    assert.ok(ripgrepCandidates("C:\\vs", "win32", "x64").every((p) => p.endsWith("rg.exe")));
  });

  it("parses match records and builds exclude arguments", () => {
    const line = JSON.stringify({ type: "match", data: { path: { text: "./src/a.ts" }, lines: { text: "hit\n" }, line_number: 7 } });
    assert.deepEqual(parseRipgrepJson(line), { path: "src/a.ts", line: 7, text: "hit" });
    assert.equal(parseRipgrepJson(JSON.stringify({ type: "begin", data: {} })), undefined);
    assert.equal(parseRipgrepJson("not json"), undefined);
    assert.deepEqual(baseArgs(["**/dist"], "*.ts").slice(-4), ["--glob", "!**/dist", "--glob", "*.ts"]);
  });
});

describe("transcript view", () => {
  it("renders messages, tool calls and results as readable Markdown", () => {
    const agent = snapshot("a1", { name: "Scout", status: "completed", statusReason: "done", parentId: "r0", result: "All good." });
    const md = renderTranscriptMarkdown("a1", agent, [
      { type: "spawned", at: 0, name: "Scout", task: "Look around", parentId: "r0", model: "openai:m", role: "leaf" },
      { type: "message", at: 1, role: "assistant", content: "Reading." },
      { type: "tool_call", at: 2, callId: "c1", name: "read_file", arguments: '{"path":"a.md"}' },
      { type: "tool_result", at: 3, callId: "c1", name: "read_file", ok: true, content: "has ``` fences" },
      { type: "status", at: 4, status: "completed", reason: "done" },
      { type: "usage", at: 5, promptTokens: 10, completionTokens: 3, keyFingerprint: "…abcd" },
    ]);
    assert.match(md, /^# Scout\n/);
    assert.match(md, /\| Parent \| `r0` \|/);
    assert.match(md, /## Task\n\n.*\n\nLook around/);
    assert.match(md, /#### → `read_file`[^\n]*\n\n```json\n\{\n {2}"path": "a\.md"\n\}\n```/);
    assert.match(md, /#### ✓ `read_file` result\n\n````\nhas ``` fences\n````/);
    assert.match(md, /status \*\*completed\*\* — done/);
    assert.match(md, /10 prompt \+ 3 completion tokens \(key …abcd\)/);
    assert.match(md, /## Result\n\nAll good\./);
    assert.match(renderTranscriptMarkdown("gone", undefined, []), /no longer in the tree/);
    assert.equal(fence("x"), "```\nx\n```");
  });

  it("renders a root's answer, or why there is none", () => {
    assert.match(renderResultMarkdown("r", snapshot("r", { status: "completed", result: "42" })), /^# r\n\n_completed · .*\n\n42\n/);
    assert.match(renderResultMarkdown("r", snapshot("r", { status: "failed", error: "no key" })), /ended without an answer:\n\n```\nno key\n```/);
  });
});

describe("settings warnings", () => {
  it("names the setting and the default used instead", () => {
    assert.equal(
      describeProblem({ key: "maxSpawnDepth", message: "Too big" }),
      'Subagents: the setting "subagents.maxSpawnDepth" is invalid: Too big. Using the default 1 until it is fixed.',
    );
  });
});

describe("output logger", () => {
  it("redacts known keys and anything key-like before the channel sees it", () => {
    const lines: string[] = [];
    const channel = Object.fromEntries(
      ["trace", "debug", "info", "warn", "error"].map((level) => [level, (m: string) => lines.push(`${level} ${m}`)]),
    ) as unknown as vscode.LogOutputChannel;
    const known = `custom-${"k".repeat(6)}-${Date.now()}`;
    const logger = new OutputLogger(channel, (text) => redactSecrets(text, [known]));
    logger.info(`calling with ${known}`);
    logger.warn("header Authorization: Bearer abcdefghijklmnop1234");
    logger.error(`provider said: invalid key sk-${"x".repeat(24)}`);
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => !l.includes(known.slice(0, 8)) && !l.includes("abcdefghijklmnop") && !l.includes("xxxxxxxx")), lines.join("\n"));
    assert.match(lines[0] ?? "", /^info calling with \[redacted key …\d{4}\]/);
  });
});
