import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decideCommand, parseShell, type ApprovalRules } from "../../../src/core/tools/approvalPolicy";
import { DEFAULT_ALLOWED_COMMANDS } from "../../../src/core/settings/schema";

const allowList: ApprovalRules = { policy: "allowList", allowedCommands: DEFAULT_ALLOWED_COMMANDS, deniedCommands: ["rm", "git push"] };
const kind = (command: string, rules: ApprovalRules = allowList) => decideCommand(command, rules).kind;

describe("approval policy", () => {
  it("allows allow-listed commands by whole-word prefix", () => {
    assert.equal(kind("ls -la src"), "allow");
    assert.equal(kind("git status --short"), "allow");
    assert.equal(kind("npm test -- --grep x"), "allow");
    assert.equal(kind("git statusx"), "ask");
    assert.equal(kind("npm install"), "ask");
  });

  it("allows chains only when every part is allow-listed", () => {
    assert.equal(kind("git status && git diff"), "allow");
    assert.equal(kind("cat a | wc -l"), "allow");
    assert.equal(kind("ls; npm install"), "ask");
    assert.equal(kind("ls || curl http://x"), "ask");
  });

  it("asks for redirection, subshells, backticks, $( and background", () => {
    for (const c of ["ls > out.txt", "cat < in", "ls 2>&1", "(ls)", "echo `id`", "ls $(pwd)", "ls &", 'cat "$(whoami)"', "diff <(ls a) <(ls b)"]) {
      assert.equal(kind(c), "ask", c);
    }
  });

  it("respects quotes: operators inside quotes are text", () => {
    assert.equal(kind('grep "a|b;c>d" file'), "allow");
    assert.equal(kind("grep 'x && y' f"), "allow");
    assert.deepEqual(parseShell('grep "a b" c').segments, [["grep", "a b", "c"]]);
    assert.equal(kind("grep 'unterminated"), "ask");
  });

  it("asks when an allowed program gets an argument that writes or executes", () => {
    assert.equal(kind("find . -name '*.ts'"), "allow");
    assert.equal(kind("find . -delete"), "ask");
    assert.equal(kind("find . -exec rm {} ;"), "deny", "deny-listed rm after -exec is still denied");
    assert.equal(kind("rg --pre ./x pattern"), "ask");
  });

  it("deny wins over every policy and looks through wrappers and subshells", () => {
    for (const policy of ["ask", "allowList", "deny"] as const) {
      assert.equal(kind("rm -rf build", { ...allowList, policy }), "deny");
    }
    assert.equal(kind("ls && rm x"), "deny");
    assert.equal(kind("echo $(rm -rf x)"), "deny");
    assert.equal(kind("sudo rm x"), "deny");
    assert.equal(kind("FOO=1 rm x"), "deny");
    assert.equal(kind('bash -c "git push origin"'), "deny");
    assert.equal(kind("git push"), "deny");
    assert.equal(kind("git pushx"), "ask", "whole words only");
    assert.equal(kind("rmdir x"), "ask");
  });

  it("policy ask always asks, deny always refuses, with a reason", () => {
    const ask = decideCommand("ls", { ...allowList, policy: "ask" });
    assert.equal(ask.kind, "ask");
    const deny = decideCommand("ls", { ...allowList, policy: "deny" });
    assert.equal(deny.kind, "deny");
    assert.match(deny.reason, /deny/);
    assert.equal(kind("   "), "deny");
  });
});
