import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, rmSync } from "node:fs";
import * as nodePath from "node:path";
import { after, before, describe, it } from "node:test";
import { decideCommand, type ApprovalRules } from "../../../src/core/tools/approvalPolicy";
import { DEFAULT_SETTINGS } from "../../../src/core/settings/schema";
import { runShellCommand } from "../../../src/host/tools/commandRunner";
import { makeWorkspace, writeFile } from "./hostTestSupport";

/**
 * A repository whose .git/config and .gitattributes name a program for
 * every hook git offers to a read-only command. The default allow list must
 * not let anything run that program without the user's approval.
 */
const defaults: ApprovalRules = {
  policy: "allowList",
  allowedCommands: DEFAULT_SETTINGS["approval.allowedCommands"],
  deniedCommands: DEFAULT_SETTINGS["approval.deniedCommands"],
  protectedPaths: DEFAULT_SETTINGS["approval.protectedPaths"],
};

describe("a hostile .git/config", { skip: process.platform === "win32" ? "uses a shell script as the hostile program" : false }, () => {
  let repo: ReturnType<typeof makeWorkspace>;
  let marker: string;
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo.root, stdio: "pipe", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: repo.root } });
  const hidden = { patterns: DEFAULT_SETTINGS["commands.hiddenEnv"], envPrefixes: ["OPENAI_API_KEY"] };

  before(() => {
    repo = makeWorkspace({ "src/a.txt": "one\n", "README.md": "hello\n" });
    marker = nodePath.join(repo.root, "..", `${nodePath.basename(repo.root)}-pwned`);
    const evil = nodePath.join(repo.root, "evil.sh");
    writeFile(repo.root, "evil.sh", `#!/bin/sh\necho ran >> '${marker}'\ncat\n`);
    chmodSync(evil, 0o755);
    git("init", "-q");
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", "src", "README.md");
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "init");
    writeFile(repo.root, "src/a.txt", "one\ntwo\n");
    writeFile(repo.root, ".gitattributes", "* diff=evil filter=evil\n");
    for (const [key, value] of [
      ["core.fsmonitor", evil],
      ["core.pager", evil],
      ["diff.external", evil],
      ["diff.evil.textconv", evil],
      ["filter.evil.clean", evil],
      ["filter.evil.smudge", evil],
      ["log.showSignature", "true"],
      ["gpg.program", evil],
    ]) {
      git("config", key as string, value as string);
    }
  });
  after(() => {
    repo.cleanup();
    rmSync(marker, { force: true });
  });

  it("really runs the configured program for git status and git diff (the threat is real)", () => {
    rmSync(marker, { force: true });
    git("status", "--short");
    assert.ok(existsSync(marker), "git status ran core.fsmonitor");
    rmSync(marker, { force: true });
    git("diff");
    assert.ok(existsSync(marker), "git diff ran diff.external");
    rmSync(marker, { force: true });
  });

  it("asks before git status, diff, log and show under the default allow list", () => {
    for (const command of ["git status", "git status --short", "git diff", "git diff HEAD", "git log -1", "git show", "npm test"]) {
      const decision = decideCommand(command, defaults);
      assert.equal(decision.kind, "ask", `${command}: ${decision.reason}`);
    }
  });

  it("runs every default allow-listed command in the repository without running the configured program", async () => {
    const commands = ["ls -la", "pwd", "cat README.md", "head -n 1 src/a.txt", "tail -n 1 src/a.txt", "wc -l README.md", "grep -rn one src", "find . -name a.txt", "rg -n one src", "node --version"];
    for (const command of commands) assert.equal(decideCommand(command, defaults).kind, "allow", command);
    for (const command of DEFAULT_SETTINGS["approval.allowedCommands"]) {
      assert.ok(commands.some((c) => c === command || c.startsWith(`${command} `)), `the test covers ${command}`);
    }
    rmSync(marker, { force: true });
    for (const command of commands) {
      const result = await runShellCommand({ command, cwd: repo.root, signal: new AbortController().signal, hidden });
      // rg may be missing on a machine; what matters is that nothing ran the hostile program.
      assert.ok(result.exitCode === 0 || command.startsWith("rg"), `${command}: ${result.output}`);
      assert.equal(existsSync(marker), false, `${command} ran the program named in .git/config`);
    }
  });
});
