import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as nodePath from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { DEFAULT_SETTINGS, type Settings } from "../../../src/core/settings/schema";
import { OutputCapture, effectiveTimeoutSeconds } from "../../../src/host/tools/commandRunner";
import { VscodeWorkspaceTools } from "../../../src/host/tools/vscodeWorkspaceTools";
import { resetShim, shimState } from "../../fakes/vscodeShim";
import { makeWorkspace, processAlive } from "./hostTestSupport";
import { waitUntil } from "../../fakes/polling";

const posix = process.platform !== "win32";

describe("workspace tools: run_command", { skip: posix ? false : "process groups are POSIX" }, () => {
  let ws: ReturnType<typeof makeWorkspace>;
  let settings: Settings;
  let tools: VscodeWorkspaceTools;
  const run = (command: string, extra: { cwd?: string; timeoutSeconds?: number; signal?: AbortSignal } = {}) =>
    tools.runCommand({ command, signal: extra.signal ?? new AbortController().signal, ...extra });

  beforeEach(() => {
    ws = makeWorkspace({ "sub/file.txt": "hello\n" });
    resetShim({ root: ws.root });
    settings = { ...DEFAULT_SETTINGS, "approval.deniedCommands": ["rm -rf", "git push"] };
    tools = new VscodeWorkspaceTools({ settings: () => settings, ripgrepPath: undefined });
  });
  afterEach(() => ws.cleanup());
  const pidOf = (name: string) => {
    const file = nodePath.join(ws.root, name);
    const text = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
    return text ? Number(text) : undefined;
  };

  it("runs in the workspace (or a cwd inside it) and captures stdout, stderr and the exit code", async () => {
    const result = await run("cat file.txt; echo oops >&2; exit 3", { cwd: "sub" });
    assert.equal(result.exitCode, 3);
    assert.match(result.output, /hello/);
    assert.match(result.output, /oops/);
    assert.equal(result.truncated, false);
    assert.equal(result.timedOut, false);
    assert.equal((await run("pwd")).output.trim(), ws.root);
  });

  it("truncates long output keeping its head and tail", async () => {
    const result = await run("seq 1 20000");
    assert.equal(result.truncated, true);
    assert.match(result.output, /^1\n2\n/);
    assert.match(result.output, /20000\n?$/);
    assert.match(result.output, /characters of output omitted/);
    assert.ok(result.output.length < 31_000);
  });

  it("refuses denied commands, also hidden in a chain, and does not run them", async () => {
    await assert.rejects(run("rm -rf sub"), /could run the denied command "rm -rf" \(subagents\.approval\.deniedCommands\)/);
    await assert.rejects(run("ls && git push origin main"), /git push/);
    assert.ok(existsSync(nodePath.join(ws.root, "sub/file.txt")));
  });

  it("refuses a cwd outside the workspace and any command in an untrusted workspace", async () => {
    await assert.rejects(run("ls", { cwd: "../.." }), /outside the workspace/);
    shimState.trusted = false;
    await assert.rejects(run("ls"), /not trusted \(Restricted Mode\), so agents cannot run commands/);
  });

  it("kills the whole process tree on interrupt", async () => {
    const controller = new AbortController();
    const pending = run("sh -c 'sleep 30 & echo $! > bg.pid; sleep 30 & echo $! > fg.pid; wait'", { signal: controller.signal });
    const bg = await waitUntil("the background sleep", () => pidOf("bg.pid"), 5000);
    const fg = await waitUntil("the foreground sleep", () => pidOf("fg.pid"), 5000);
    assert.ok(processAlive(bg) && processAlive(fg));
    controller.abort();
    await assert.rejects(pending, { name: "AbortError" });
    await waitUntil("both sleeps to die", () => !processAlive(bg) && !processAlive(fg), Number.POSITIVE_INFINITY);
  });

  it("also ends descendants that left the process group (setsid) on interrupt", { skip: process.platform === "linux" ? false : "reads /proc" }, async () => {
    const controller = new AbortController();
    // The setsid'd sleep gets its own session and process group, and the shell in between exits at once,
    // so the sleep is re-parented: neither the group kill nor the parent links reach it.
    const pending = run("sh -c 'setsid sleep 300 & echo $! > escaped.pid'; sleep 300", { signal: controller.signal });
    const escaped = await waitUntil("the setsid sleep", () => pidOf("escaped.pid"), Number.POSITIVE_INFINITY);
    assert.ok(processAlive(escaped));
    assert.notEqual(readFileSync(`/proc/${escaped}/stat`, "utf8").split(") ")[1]?.split(" ")[3], String(process.pid), "it left our group");
    controller.abort();
    await assert.rejects(pending, { name: "AbortError" });
    await waitUntil("the setsid sleep to die", () => !processAlive(escaped), Number.POSITIVE_INFINITY);
  });

  it("ends setsid descendants when the command itself finishes", { skip: process.platform === "linux" ? false : "reads /proc" }, async () => {
    const result = await run("setsid sleep 300 > /dev/null 2>&1 & echo $! > left.pid; echo done");
    assert.match(result.output, /done/);
    const left = pidOf("left.pid");
    assert.ok(left !== undefined);
    await waitUntil("the setsid sleep to die", () => !processAlive(left), Number.POSITIVE_INFINITY);
  });

  it("kills the tree on timeout and says so", async () => {
    const result = await run("sleep 20 & sleep 21; echo never", { timeoutSeconds: 1 });
    assert.equal(result.timedOut, true);
    assert.equal(result.exitCode, null);
    assert.match(result.output, /killed after 1 s timeout/);
    assert.doesNotMatch(result.output, /never/);
  });

  // The background sleep would keep the output pipe open for 25 s; this test's own
  // timeout (20 s, ten times what it takes) fails it if run() waited for the pipe.
  it("returns when the shell exits even if a background child keeps the pipe open", { timeout: 20_000 }, async () => {
    const result = await run("sleep 25 & echo \"started $!\"");
    assert.equal(result.exitCode, 0);
    const pid = Number(/started (\d+)/.exec(result.output)?.[1]);
    assert.ok(pid > 0, `the background pid in: ${result.output}`);
    await waitUntil("the left-over background child to be stopped", () => !processAlive(pid), 10_000);
  });

  it("hides every pool's variables and secret names from the command's environment", { skip: process.platform === "linux" ? false : "reads /proc/self/environ" }, async () => {
    // Values are built at run time; the check below looks for them in the child's view.
    const secret = (name: string) => `${name.toLowerCase()}-${process.pid}-${Date.now().toString(36)}`;
    const planted: Record<string, string> = {};
    for (const name of ["OPENAI_API_KEY", "OPENAI_API_KEY_3", "MOONSHOT_KEY_12", "GITHUB_TOKEN", "NPM_TOKEN", "AWS_SECRET_ACCESS_KEY", "MY_SERVICE_PASSWORD", "stripe_api_key", "DB_SECRET"]) {
      planted[name] = secret(name);
    }
    const kept = `kept-${process.pid}`;
    const saved = { ...process.env };
    Object.assign(process.env, planted, { HARMLESS_SETTING: kept });
    settings = { ...settings, providers: [...settings.providers, { id: "moon", baseUrl: "http://127.0.0.1:9/v1", models: ["m"], envPrefix: "MOONSHOT_KEY" }] };
    try {
      const result = await run("env; echo ----; cat /proc/self/environ | tr '\\0' '\\n'; echo ----; sh -c 'cat /proc/$$/environ' | tr '\\0' '\\n'");
      assert.equal(result.exitCode, 0, result.output);
      for (const [name, value] of Object.entries(planted)) {
        assert.ok(!result.output.includes(value), `${name} reached the command`);
        assert.ok(!new RegExp(`^${name}=`, "mi").test(result.output), `${name} is listed`);
      }
      assert.match(result.output, new RegExp(`HARMLESS_SETTING=${kept}`), "other variables stay");
      assert.match(result.output, /PATH=/);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });
});

describe("command output and timeouts", () => {
  it("keeps head and tail within the budget", () => {
    const capture = new OutputCapture(30);
    capture.append("0123456789");
    capture.append("abcdefghijklmnopqrstuvwxyz");
    capture.append("ABCDEFGHIJ");
    assert.equal(capture.truncated, true);
    assert.match(capture.text(), /^0123456789\n\[… 16 characters of output omitted …\]\nqrstuvwxyzABCDEFGHIJ$/);
  });

  it("uses the default for absent or non-positive timeouts and caps at an hour", () => {
    assert.equal(effectiveTimeoutSeconds(undefined), 120);
    assert.equal(effectiveTimeoutSeconds(0), 120);
    assert.equal(effectiveTimeoutSeconds(5), 5);
    assert.equal(effectiveTimeoutSeconds(99_999), 3600);
  });
});
