import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

const root = join(__dirname, "..", "..", "..");
const outDir = mkdtempSync(join(tmpdir(), "subagents-vsix-"));
after(() => rmSync(outDir, { recursive: true, force: true }));

describe("VSIX package", () => {
  it("holds the bundles and none of src/, test/ or node_modules/, under 2 MB", () => {
    const vsix = join(outDir, "subagents.vsix");
    execFileSync(process.execPath, ["esbuild.mjs", "--production"], { cwd: root, stdio: "pipe" });
    execFileSync(process.execPath, [join(root, "node_modules/@vscode/vsce/vsce"), "package", "--no-dependencies", "--no-rewrite-relative-links", "--out", vsix], {
      cwd: root,
      stdio: "pipe",
    });
    const listing = execFileSync("unzip", ["-Z1", vsix], { encoding: "utf8" }).split("\n").filter(Boolean);
    for (const required of ["extension/package.json", "extension/dist/extension.js", "extension/dist/webview.js", "extension/dist/webview.css", "extension/dist/server.js"]) {
      assert.ok(listing.includes(required), `${required} is packaged`);
    }
    const forbidden = listing.filter((entry) => /^extension\/(src|test|node_modules|bench|scripts)\//.test(entry) || entry.endsWith(".map"));
    assert.deepEqual(forbidden, [], "no sources, tests, dependencies or source maps");
    assert.ok(statSync(vsix).size < 2 * 1024 * 1024, `VSIX is ${statSync(vsix).size} bytes`);
  });
});
