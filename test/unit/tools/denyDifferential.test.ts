import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as nodePath from "node:path";
import { after, before, describe, it } from "node:test";
import { decideCommand, type ApprovalRules } from "../../../src/core/tools/approvalPolicy";
import { DEFAULT_SETTINGS } from "../../../src/core/settings/schema";

/**
 * The deny list against the real shell: disguises of `rm` built from every
 * spelling, wrapper and nesting the policy knows, run by /bin/sh with a
 * recording `rm` first on PATH. Whenever the shell really ran rm, the policy
 * must have refused the command.
 */
const rules: ApprovalRules = {
  policy: "allowList",
  allowedCommands: [...DEFAULT_SETTINGS["approval.allowedCommands"], "echo", "true", "false"],
  deniedCommands: ["rm"],
  protectedPaths: DEFAULT_SETTINGS["approval.protectedPaths"],
};

const NAMES = ["rm", "\\rm", "r''m", '"rm"', "'r'm", "r\\m", '"r"m', "$x", "${x}", '"$x"', "$(echo rm)", "`echo rm`", "r${u}m", "r$(printf '')m", "${x:-rm}"];
const WRAP: Array<(inner: string) => string> = [
  (c) => c,
  (c) => `env ${c}`,
  (c) => `env -u HOME ${c}`,
  (c) => `nice -n 1 ${c}`,
  (c) => `nohup ${c}`,
  (c) => `timeout 5 ${c}`,
  (c) => `command ${c}`,
  (c) => `exec ${c}`,
  (c) => `stdbuf -o0 ${c}`,
  (c) => `setsid -w ${c}`,
  (c) => `eval ${c}`,
  (c) => `true && ${c}`,
  (c) => `false || ${c}`,
  (c) => `ls >/dev/null; ${c}`,
  (c) => `(${c})`,
  (c) => `{ ${c}; }`,
  (c) => `if true; then ${c}; fi`,
  (c) => `echo $(${c})`,
  (c) => `sh -c '${c.replace(/'/g, "'\\''")}'`,
  (c) => `bash -c "${c.replace(/(["\\$`])/g, "\\$1")}"`,
  (c) => `env sh -c '${c.replace(/'/g, "'\\''")}'`,
];

describe("deny list against the real shell", { skip: process.platform === "win32" ? "POSIX shell" : false }, () => {
  let dir: string;
  let bin: string;
  let log: string;

  before(() => {
    dir = mkdtempSync(nodePath.join(tmpdir(), "subagents-deny-"));
    bin = nodePath.join(dir, "bin");
    mkdirSync(bin);
    log = nodePath.join(dir, "rm-ran.log");
    writeFileSync(nodePath.join(bin, "rm"), `#!/bin/sh\necho "$@" >> '${log}'\n`);
    chmodSync(nodePath.join(bin, "rm"), 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const ranRm = (command: string): boolean => {
    rmSync(log, { force: true });
    writeFileSync(nodePath.join(dir, "victim"), "x");
    spawnSync("/bin/sh", ["-c", `x=rm; ${command}`], {
      cwd: dir,
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir },
      timeout: 10_000,
      stdio: "ignore",
    });
    return existsSync(log) && readFileSync(log, "utf8").includes("victim");
  };

  it("refuses every generated command that really runs rm", () => {
    let ran = 0;
    const missed: string[] = [];
    for (const name of NAMES) {
      for (const wrap of WRAP) {
        const command = wrap(`${name} victim`);
        if (!ranRm(command)) continue;
        ran++;
        // The same text as the agent would send it: the x=rm assignment is part of the command.
        const sent = `x=rm; ${command}`;
        if (decideCommand(sent, rules).kind !== "deny") missed.push(sent);
      }
    }
    assert.deepEqual(missed, []);
    // The check means something only if the shell did run rm for most of them.
    assert.ok(ran > (NAMES.length * WRAP.length) / 2, `rm ran for ${ran} of ${NAMES.length * WRAP.length}`);
  });

  it("runs nothing for the allowed commands of the corpus' kind", () => {
    for (const command of ["ls", "cat victim", "grep -c x victim", "ls && pwd", "cat victim | wc -l"]) {
      assert.equal(decideCommand(command, rules).kind, "allow", command);
      assert.equal(ranRm(command), false, command);
    }
  });
});
