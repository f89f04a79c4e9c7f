import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { DEFAULT_SETTINGS } from "../../../src/core/settings/schema";
import { findRipgrep } from "../../../src/host/tools/ripgrep";
import { VscodeWorkspaceTools } from "../../../src/host/tools/vscodeWorkspaceTools";
import { resetShim, setConfig, shimState, Uri } from "../../fakes/vscodeShim";
import { gitInit, makeWorkspace, vscodeAppRootWithRipgrep } from "./hostTestSupport";

const appRoot = vscodeAppRootWithRipgrep();
const variants: Array<{ name: string; rg: string | undefined; skip: string | false }> = [
  { name: "VS Code's ripgrep", rg: appRoot ? findRipgrep(appRoot) : undefined, skip: appRoot ? false : "VS Code's ripgrep is not on this machine (run scripts/e2e/provision.sh)" },
  { name: "the findFiles + git fallback", rg: undefined, skip: false },
];

for (const variant of variants) {
  describe(`workspace tools: list and search with ${variant.name}`, { skip: variant.skip }, () => {
    let ws: ReturnType<typeof makeWorkspace>;
    let tools: VscodeWorkspaceTools;

    beforeEach(() => {
      ws = makeWorkspace({
        ".gitignore": "build/\n*.log\n",
        "src/main.ts": "export const answer = 42;\nconsole.log('TODO: remove');\n",
        "src/util/strings.ts": "// TODO(a|b): tidy\nexport function pad() {}\n",
        "README.md": "Project TODO list\n",
        "build/out.js": "TODO compiled\n",
        "debug.log": "TODO log\n",
        "node_modules/dep/index.js": "TODO dependency\n",
      });
      gitInit(ws.root);
      resetShim({ root: ws.root });
      setConfig("files.exclude", { "**/node_modules": true, "**/.git": true, "**/*.tmp": false });
      tools = new VscodeWorkspaceTools({ settings: () => DEFAULT_SETTINGS, ripgrepPath: variant.rg });
    });
    afterEach(() => ws.cleanup());

    it("lists files, honouring .gitignore and files.exclude", async () => {
      const files = await tools.listFiles({});
      assert.deepEqual(files.filter((f) => f !== ".gitignore"), ["README.md", "src/main.ts", "src/util/strings.ts"]);
    });

    it("lists below a path and by glob", async () => {
      assert.deepEqual(await tools.listFiles({ path: "src/util" }), ["src/util/strings.ts"]);
      assert.deepEqual(await tools.listFiles({ glob: "*.md" }), ["README.md"]);
      assert.deepEqual(await tools.listFiles({ path: "src", glob: "**/*.ts" }), ["src/main.ts", "src/util/strings.ts"]);
    });

    it("searches text with file and line, skipping ignored files", async () => {
      const hits = await tools.searchText({ query: "TODO" });
      assert.deepEqual(
        hits.map((h) => `${h.path}:${h.line}`).sort(),
        ["README.md:1", "src/main.ts:2", "src/util/strings.ts:1"],
      );
      assert.equal(hits.find((h) => h.path === "src/main.ts")?.text, "console.log('TODO: remove');");
    });

    it("searches literally by default and by regex when asked, within a glob", async () => {
      assert.deepEqual((await tools.searchText({ query: "TODO(a|b)" })).map((h) => h.path), ["src/util/strings.ts"]);
      const regex = await tools.searchText({ query: "answer\\s*=\\s*\\d+", regex: true });
      assert.deepEqual(regex.map((h) => `${h.path}:${h.line}`), ["src/main.ts:1"]);
      assert.deepEqual((await tools.searchText({ query: "TODO", glob: "*.md" })).map((h) => h.path), ["README.md"]);
      await assert.rejects(tools.searchText({ query: "(", regex: true }));
    });

    it("covers every folder of a multi-root workspace, prefixing paths with the folder name", async () => {
      const other = makeWorkspace({ "lib.ts": "// TODO in the second folder\n" });
      try {
        shimState.folders = [
          { uri: Uri.file(ws.root), name: "app", index: 0 },
          { uri: Uri.file(other.root), name: "shared", index: 1 },
        ];
        const files = await tools.listFiles({ glob: "*.ts" });
        assert.deepEqual(files, ["app/src/main.ts", "app/src/util/strings.ts", "shared/lib.ts"]);
        assert.deepEqual(await tools.listFiles({ path: "shared" }), ["shared/lib.ts"]);
        assert.ok((await tools.searchText({ query: "second folder" })).some((h) => h.path === "shared/lib.ts" && h.line === 1));
        assert.equal((await tools.readFile("shared/lib.ts")).totalLines, 1);
      } finally {
        other.cleanup();
      }
    });
  });
}
