import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { symlinkSync } from "node:fs";
import * as nodePath from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { decideCommand, followLinks, type ApprovalRules } from "../../../src/core/tools/approvalPolicy";
import { DEFAULT_SETTINGS } from "../../../src/core/settings/schema";
import { VscodeWorkspaceTools } from "../../../src/host/tools/vscodeWorkspaceTools";
import { resetShim } from "../../fakes/vscodeShim";
import { makeWorkspace } from "./hostTestSupport";

const rules: ApprovalRules = {
  policy: "allowList",
  allowedCommands: DEFAULT_SETTINGS["approval.allowedCommands"],
  deniedCommands: [],
  protectedPaths: DEFAULT_SETTINGS["approval.protectedPaths"],
};

describe("allow-listed commands and symbolic links in the workspace", { skip: process.platform === "win32" ? "symlinks need privileges" : false }, () => {
  let ws: ReturnType<typeof makeWorkspace>;
  let outside: ReturnType<typeof makeWorkspace>;
  let tools: VscodeWorkspaceTools;

  beforeEach(() => {
    ws = makeWorkspace({ "src/a.ts": "x\n", ".env": "TOKEN=x\n" });
    outside = makeWorkspace({ "id_rsa": "not a real key\n" });
    // A repository can commit links like these; the command text cannot show where they lead.
    symlinkSync(nodePath.join(outside.root, "id_rsa"), nodePath.join(ws.root, "notes.txt"));
    symlinkSync(".env", nodePath.join(ws.root, "settings.txt"));
    resetShim({ root: ws.root });
    tools = new VscodeWorkspaceTools({ settings: () => DEFAULT_SETTINGS, ripgrepPath: undefined });
  });
  afterEach(() => {
    ws.cleanup();
    outside.cleanup();
  });

  const check = async (command: string, cwd = ".") => {
    const first = decideCommand(command, rules, cwd);
    if (first.kind !== "allow") return first;
    return (await followLinks(command, rules, cwd, (p) => tools.realPath(p))) ?? first;
  };

  it("asks when a named file is a link out of the workspace or to a protected file", async () => {
    const out = await check("cat notes.txt");
    assert.equal(out.kind, "ask");
    assert.match(out.reason, /notes\.txt leads outside the workspace/);
    const hidden = await check("head -n 1 settings.txt");
    assert.equal(hidden.kind, "ask");
    assert.match(hidden.reason, /settings\.txt leads to the protected path \.env/);
  });

  it("still allows ordinary files and folders", async () => {
    assert.equal((await check("cat src/a.ts")).kind, "allow");
    assert.equal((await check("ls -la src")).kind, "allow");
    assert.equal((await check("grep -rn x .")).kind, "allow");
    assert.equal((await check("cat a.ts", "src")).kind, "allow");
  });
});
