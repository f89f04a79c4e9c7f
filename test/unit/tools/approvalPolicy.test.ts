import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decideCommand, decideWrite, findDeniedCommand, type ApprovalRules } from "../../../src/core/tools/approvalPolicy";
import { DEFAULT_ALLOWED_COMMANDS, DEFAULT_PROTECTED_PATHS } from "../../../src/core/settings/schema";
import { CORPUS, CORPUS_ALLOWED, CORPUS_DENIED } from "./approvalCorpus";

const corpusRules: ApprovalRules = {
  policy: "allowList",
  allowedCommands: CORPUS_ALLOWED,
  deniedCommands: CORPUS_DENIED,
  protectedPaths: DEFAULT_PROTECTED_PATHS,
};
const defaults: ApprovalRules = { policy: "allowList", allowedCommands: DEFAULT_ALLOWED_COMMANDS, deniedCommands: [], protectedPaths: DEFAULT_PROTECTED_PATHS };
const kind = (command: string, rules: ApprovalRules = corpusRules, cwd?: string) => decideCommand(command, rules, cwd).kind;

describe("approval policy corpus", () => {
  it("has at least 200 commands, and every expected allow is argued", () => {
    assert.ok(CORPUS.length >= 200, `${CORPUS.length} entries`);
    for (const entry of CORPUS) {
      if (entry.want === "allow") assert.ok(entry.because && entry.because.length > 20, `allow of ${JSON.stringify(entry.command)} needs a reason`);
    }
    for (const want of ["allow", "ask", "deny"] as const) assert.ok(CORPUS.some((e) => e.want === want), want);
  });

  it("decides every corpus command as expected under allowList", () => {
    const wrong = CORPUS.flatMap((entry) => {
      const got = decideCommand(entry.command, corpusRules, entry.cwd);
      return got.kind === entry.want ? [] : [`${JSON.stringify(entry.command)}: want ${entry.want}, got ${got.kind} (${got.reason})`];
    });
    assert.deepEqual(wrong, []);
  });

  it("never allows a corpus command under ask, and refuses every one under deny", () => {
    for (const entry of CORPUS) {
      const ask = kind(entry.command, { ...corpusRules, policy: "ask" }, entry.cwd);
      assert.equal(ask, entry.want === "deny" ? "deny" : "ask", entry.command);
      assert.equal(kind(entry.command, { ...corpusRules, policy: "deny" }, entry.cwd), "deny", entry.command);
    }
  });

  it("gives the host's last check the same deny answers as the policy", () => {
    for (const entry of CORPUS) {
      if (entry.command.trim() === "") continue;
      const denied = findDeniedCommand(entry.command, CORPUS_DENIED) !== undefined;
      assert.equal(denied, entry.want === "deny", entry.command);
    }
  });
});

describe("approval policy: the issue's reproductions", () => {
  it("asks for expansions that ran unasked before, under the default allow list", () => {
    assert.equal(kind("find . -ex${u}ec touch pwned \\;", defaults), "ask");
    assert.equal(kind("git log -1 --out${u}put=$HOME/.bashrc", { ...defaults, allowedCommands: [...DEFAULT_ALLOWED_COMMANDS, "git log"] }), "ask");
  });

  it("refuses every disguise of a denied program", () => {
    const rules = { ...defaults, deniedCommands: ["rm"] };
    for (const c of ["find victim -ex${u}ec rm -rf {} +", "\\rm x", "/bin/rm x", "r''m x", "eval rm x", "x=rm; $x y", "busybox rm x", "bash -c rm\\ -rf\\ x", "find . -exec rm {} \\;"]) {
      const decision = decideCommand(c, rules);
      assert.equal(decision.kind, "deny", c);
      assert.match(decision.reason, /denied|deniedCommands/, c);
    }
  });

  it("keeps repository-controlled programs out of the default allow list", () => {
    assert.ok(!DEFAULT_ALLOWED_COMMANDS.some((c) => c.startsWith("npm") || c.startsWith("git")), DEFAULT_ALLOWED_COMMANDS.join(", "));
    assert.equal(kind("npm test", defaults), "ask");
    assert.equal(kind("git status", defaults), "ask");
    assert.equal(kind("git diff", defaults), "ask");
  });

  it("asks for paths outside the workspace even under allowList", () => {
    for (const c of ["cat ~/.ssh/id_rsa", "cat /etc/passwd", "cat ../x", "head -c 100 /proc/self/environ"]) assert.equal(kind(c, defaults), "ask", c);
  });

  it("asks for commands with control, bidi or zero-width characters even under allowList", () => {
    for (const c of ["ls \u202E", "ls\u200B", "ls \u2067x", "ls\u0000", "cat a\rb"]) {
      const decision = decideCommand(c, defaults);
      assert.equal(decision.kind, "ask", JSON.stringify(c));
    }
  });
});

describe("approval policy: writes to protected paths", () => {
  it("asks for a protected write under ask and allowList, refuses it under deny, lets other writes run", () => {
    for (const path of [".vscode/settings.json", ".vscode/tasks.json", ".git/config", ".git/hooks/pre-commit", "package.json", "web/package.json", ".subagents/agents/x.md", ".claude/agents/x.md", ".env", "config/.env.production", "team.code-workspace"]) {
      assert.equal(decideWrite(path, { ...defaults, policy: "allowList" }).kind, "ask", path);
      assert.equal(decideWrite(path, { ...defaults, policy: "ask" }).kind, "ask", path);
      assert.equal(decideWrite(path, { ...defaults, policy: "deny" }).kind, "deny", path);
    }
    for (const path of ["src/index.ts", "README.md", "docs/vscode-notes.md", "environment.ts"]) {
      assert.equal(decideWrite(path, defaults).kind, "allow", path);
    }
  });

  it("sees through spellings of the same path", () => {
    for (const path of ["./.vscode/settings.json", "src/../.vscode/settings.json", ".VSCODE/settings.json", ".vscode\\settings.json", ".git/./config", "Package.JSON", ".vscode./settings.json", "package.json::$DATA", "app/.vscode/settings.json", ".git", "/home/u/ws/.vscode/settings.json", "C:\\ws\\.git\\config"]) {
      assert.equal(decideWrite(path, defaults).kind, "ask", path);
    }
  });

  it("names the path and the glob in the reason", () => {
    assert.match(decideWrite(".git/config", defaults).reason, /\.git\/config.*"\.git\/\*\*"/);
  });
});

describe("approval policy: basics", () => {
  it("policy ask always asks, deny always refuses, with a reason", () => {
    assert.equal(kind("ls", { ...defaults, policy: "ask" }), "ask");
    const deny = decideCommand("ls", { ...defaults, policy: "deny" });
    assert.equal(deny.kind, "deny");
    assert.match(deny.reason, /deny/);
    assert.equal(kind("   "), "deny");
  });

  it("matches allow-list entries by whole words", () => {
    assert.equal(kind("ls -la src", defaults), "allow");
    assert.equal(kind("lsof", defaults), "ask");
    assert.equal(kind("git pushx", { ...defaults, deniedCommands: ["git push"] }), "ask");
    assert.equal(kind("git log --grep push", { ...corpusRules }), "allow");
  });
});

describe("approval policy: cmd.exe", () => {
  it("asks under allowList for what cmd.exe reads differently, when commands run in cmd.exe", () => {
    const cmd = { ...corpusRules, shell: "cmd" as const };
    for (const c of ["grep 'a b' f", 'grep "a|b" f', "echo %PATH%", "cat a^b", "echo !x!", "ls (x)", "ls & pwd"]) assert.equal(kind(c, cmd), "ask", c);
    for (const c of ["ls", "cat README.md", "grep -rn TODO src"]) assert.equal(kind(c, cmd), "allow", c);
  });
});

describe("approval policy: hostile sizes", () => {
  it("decides huge and deeply nested commands without overflowing, erring toward asking", () => {
    const rules = { ...defaults, deniedCommands: ["rm"] };
    assert.equal(kind(`${"env ".repeat(16_000)}ls`, defaults), "ask");
    assert.equal(kind(`${"env ".repeat(16_000)}rm x`, rules), "deny");
    assert.equal(kind(`echo ${"${x:-".repeat(2000)}${"}".repeat(2000)}`, defaults), "ask");
    assert.equal(kind(`echo ${"${x:-".repeat(2000)}${"}".repeat(2000)}`, rules), "deny");
    assert.equal(kind(`echo ${"$(".repeat(2000)}${")".repeat(2000)}`, rules), "deny");
    assert.equal(kind(`ls ${"a ".repeat(60_000)}`, defaults), "ask", "over the analysed length");
    assert.equal(kind(`ls ${"a ".repeat(60_000)}`, rules), "deny");
  });
});
