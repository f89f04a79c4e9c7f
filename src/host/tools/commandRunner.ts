import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { MAX_COMMAND_TIMEOUT_SECONDS } from "../../core/common/timeLimits";
import type { CommandResult } from "../../core/tools/workspaceTools";
import { childEnvironment, type HiddenEnvironment } from "./childEnvironment";
import { RUN_MARKER_VARIABLE, runProcesses } from "./processTree";

export const DEFAULT_COMMAND_TIMEOUT_SECONDS = 120;
export const MAX_COMMAND_OUTPUT_CHARS = 30_000;
/** Time between the polite SIGTERM and SIGKILL of the process group. */
const KILL_GRACE_MS = 1500;
/** After the shell exits, how long background children may keep its pipes open. */
const PIPE_DRAIN_MS = 300;

/**
 * Keeps the head and the tail of a stream of output within a budget: the
 * start shows what ran, the end shows how it failed.
 */
export class OutputCapture {
  private head = "";
  private tail = "";
  private dropped = 0;

  constructor(private readonly maxChars: number) {}

  append(chunk: string): void {
    const headBudget = Math.floor(this.maxChars / 3);
    if (this.head.length < headBudget) {
      const take = chunk.slice(0, headBudget - this.head.length);
      this.head += take;
      chunk = chunk.slice(take.length);
    }
    if (chunk === "") return;
    this.tail += chunk;
    const tailBudget = this.maxChars - headBudget;
    if (this.tail.length > tailBudget) {
      this.dropped += this.tail.length - tailBudget;
      this.tail = this.tail.slice(this.tail.length - tailBudget);
    }
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  text(): string {
    if (this.dropped === 0) return this.head + this.tail;
    return `${this.head}\n[… ${this.dropped} characters of output omitted …]\n${this.tail}`;
  }
}

export interface ShellRun {
  command: string;
  cwd: string;
  timeoutSeconds?: number;
  signal: AbortSignal;
  maxOutputChars?: number;
  env?: NodeJS.ProcessEnv;
  /** Variables the command must not see (key pools' and secret names). */
  hidden: HiddenEnvironment;
}

/** Clamps an agent-supplied timeout; 0 or absent means the default, never "forever". */
export function effectiveTimeoutSeconds(requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested) || requested <= 0) return DEFAULT_COMMAND_TIMEOUT_SECONDS;
  return Math.min(Math.ceil(requested), MAX_COMMAND_TIMEOUT_SECONDS);
}

/**
 * Runs a shell command in its own process group and kills the whole group,
 * and every process it started that left the group, on abort, timeout or
 * when the shell exits, so `make` or `npm test` leave nothing behind. The
 * command sees the extension host's environment minus every secret.
 * Resolves with the captured output; rejects with an AbortError (after the
 * group is dead) when the signal aborts.
 */
export function runShellCommand(run: ShellRun): Promise<CommandResult> {
  if (run.signal.aborted) return Promise.reject(abortError());
  const capture = new OutputCapture(run.maxOutputChars ?? MAX_COMMAND_OUTPUT_CHARS);
  const isWindows = process.platform === "win32";
  const marker = randomUUID();
  const child = spawn(isWindows ? (process.env.ComSpec ?? "cmd.exe") : "/bin/sh", isWindows ? ["/d", "/s", "/c", run.command] : ["-c", run.command], {
    cwd: run.cwd,
    detached: !isWindows,
    windowsHide: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: childEnvironment(
      {
        ...process.env,
        // Nothing may wait for a terminal that is not there.
        PAGER: "cat",
        GIT_PAGER: "cat",
        GIT_TERMINAL_PROMPT: "0",
        ...run.env,
        [RUN_MARKER_VARIABLE]: marker,
      },
      run.hidden,
    ),
  });
  child.stdout?.setEncoding("utf8").on("data", (d: string) => capture.append(d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => capture.append(d));

  return new Promise<CommandResult>((resolve, reject) => {
    let timedOut = false;
    let aborted = false;
    let exitCode: number | null = null;
    let settled = false;
    /** One kill of the group per run; settling waits for it. */
    let killing: Promise<void> | undefined;
    const kill = () => (killing ??= killProcessTree(child, marker));
    const timer = setTimeout(() => {
      timedOut = true;
      void kill();
    }, effectiveTimeoutSeconds(run.timeoutSeconds) * 1000);
    const onAbort = () => {
      aborted = true;
      void kill();
    };
    run.signal.addEventListener("abort", onAbort, { once: true });

    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      run.signal.removeEventListener("abort", onAbort);
      // The pipes close as soon as the shell and its piped children die; a
      // child that ignores SIGTERM, writes elsewhere or left the group may
      // still run, so the result is reported only once all of them are gone.
      void kill().then(() => {
        if (aborted) {
          reject(abortError());
          return;
        }
        let output = capture.text();
        if (timedOut) output += `\n[killed after ${effectiveTimeoutSeconds(run.timeoutSeconds)} s timeout]`;
        resolve({ exitCode: timedOut ? null : exitCode, output, truncated: capture.truncated, timedOut });
      });
    };

    child.on("error", (error) => {
      capture.append(`\n[could not start the command: ${error.message}]`);
      finish();
    });
    child.on("exit", (code) => {
      exitCode = code;
      // A background child of the shell may hold stdout open forever; give it
      // a moment to flush, then take the group down and report.
      setTimeout(() => {
        if (settled) return;
        void kill().then(finish);
      }, PIPE_DRAIN_MS).unref();
    });
    child.on("close", finish);
  });
}

/**
 * SIGTERM to the process group and to every process the command started
 * outside it, SIGKILL after a grace period; resolves when all are gone.
 */
export async function killProcessTree(child: ChildProcess, marker: string): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  if (process.platform === "win32") {
    await new Promise<void>((resolve) => {
      const killer = spawn("taskkill", ["/pid", String(pid), "/T", "/F"], { windowsHide: true, stdio: "ignore" });
      killer.on("exit", () => resolve());
      killer.on("error", () => resolve());
    });
    return;
  }
  const strays = async () => runProcesses(pid, marker);
  let groupAlive = signalGroup(pid, "SIGTERM");
  let others = await strays();
  for (const other of others) signalProcess(other, "SIGTERM");
  const deadline = Date.now() + KILL_GRACE_MS;
  while ((groupAlive || others.length > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    groupAlive = signalGroup(pid, 0);
    others = (await strays()).filter((p) => signalProcess(p, 0));
  }
  // Whatever is left (or was started meanwhile) is killed outright, until nothing carries the marker.
  for (let round = 0; round < 20 && (groupAlive || others.length > 0); round++) {
    signalGroup(pid, "SIGKILL");
    for (const other of others) signalProcess(other, "SIGKILL");
    await new Promise((r) => setTimeout(r, 20));
    groupAlive = signalGroup(pid, 0);
    others = (await strays()).filter((p) => signalProcess(p, 0));
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Signals every process in the group led by `pid`; false when the group no longer exists. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function abortError(): Error {
  const error = new Error("The command was stopped because the agent was interrupted.");
  error.name = "AbortError";
  return error;
}
