import { lexShell, type ShellWord, type SimpleCommand } from "./shellLexer";
import { cmdWordText, hasPart, isPlainWord, wordPattern, wordText } from "./shellWords";

/**
 * Which words of a command may end up running as a program. A shell runs
 * the first word of each simple command, but many programs run others:
 * wrappers (`env rm`, `sudo rm`), shells and `eval` (`bash -c "rm x"`),
 * `find -exec`, `xargs`, `busybox`, `git -c alias.x=!rm`. The deny list
 * must see through all of them, and the allow list must ask about them.
 */

/** A word at a place where the shell or another program may run it. */
export interface ProgramUse {
  word: ShellWord;
  /** Its simple command and its index there; the words after it matter for a denied `git push`. */
  words: readonly ShellWord[];
  at: number;
}

/** The words after a program use (copied only when needed: a long chain of wrappers has many uses). */
export function restOf(use: ProgramUse): readonly ShellWord[] {
  return use.words.slice(use.at + 1);
}

export interface CommandPrograms {
  /** The top-level simple commands, as the lexer split them. */
  commands: SimpleCommand[];
  uses: ProgramUse[];
  /** Code in another language given inline (`python -c`, `node -e`, `awk '…'`). */
  inlineCode: string[];
  /** Why some of what runs cannot be read before it runs (an expanded `eval`, `sh` reading its input…). */
  opaque: string[];
  /** Constructs the lexer found anywhere, nested commands included. */
  risks: string[];
  /** True when some command runs inside another (substitution, `sh -c`, `eval`, `find -exec`, …). */
  hasNested: boolean;
}

/** Programs that run the rest of their arguments as a command (after options of their own). */
const WRAPPERS = new Set([
  "env", "nice", "nohup", "timeout", "sudo", "doas", "command", "builtin", "exec", "time", "stdbuf", "ionice",
  "setsid", "chroot", "chrt", "taskset", "flock", "unbuffer", "xargs", "busybox", "toybox", "strace", "ltrace",
  "valgrind", "nsenter", "unshare", "firejail", "torsocks", "proxychains", "proxychains4", "fakeroot", "caffeinate",
  "systemd-run", "runuser", "pkexec", "start", "call", "npx", "pnpx", "bunx", "parallel", "watch", "script", "su",
  "then", "else", "do", "if", "elif", "while", "until", "!", "{", "}", "coproc", "sg", "newgrp", "catchsegv",
  "prlimit", "cgexec", "runas", "gtimeout", "gnice", "entr", "retry", "with-contenv", "dbus-launch", "xvfb-run",
  "sshpass", "expect", "faketime", "linux32", "linux64", "setarch", "numactl", "cpulimit", "trickle", "tsocks",
]);

/** Shells: `-c STRING` (or `/c` …) runs STRING; with no string they run a file or their input. */
const SHELLS = new Set([
  "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "yash", "posh", "rbash", "cmd",
  "powershell", "pwsh", "wsl", "bash.exe",
]);

/** Interpreters whose flag takes code in their own language. */
const INLINE_CODE_FLAGS: Record<string, readonly string[]> = {
  python: ["-c"], python2: ["-c"], python3: ["-c"], py: ["-c"], pypy: ["-c"], pypy3: ["-c"],
  node: ["-e", "--eval", "-p", "--print"], nodejs: ["-e", "--eval", "-p", "--print"], deno: ["eval"], bun: ["-e", "--eval"],
  perl: ["-e", "-E"], ruby: ["-e"], php: ["-r"], lua: ["-e"], luajit: ["-e"], osascript: ["-e"], tclsh: [],
  rscript: ["-e"], r: ["-e"], julia: ["-e"], jshell: [], groovy: ["-e"], scala: ["-e"], elixir: ["-e"], erl: ["-eval"],
};

/** Programs whose first non-option argument is a program in their own language. */
const SCRIPT_FIRST = new Set(["awk", "gawk", "mawk", "nawk", "busybox-awk", "jq"]);

/** `source`-like: run a file in this shell. */
const SOURCES = new Set(["source", ".", "eval"]);

const MAX_DEPTH = 6;

/** Everything the deny and allow checks need to know about a command. */
export function analyzeCommand(command: string): CommandPrograms {
  const out: CommandPrograms = { commands: [], uses: [], inlineCode: [], opaque: [], risks: [], hasNested: false };
  const top = lexShell(command);
  out.commands = top.commands;
  visit(top.commands, top.nested, top.risks, out, 0);
  return out;
}

function visit(commands: readonly SimpleCommand[], nested: readonly string[], risks: readonly string[], out: CommandPrograms, depth: number): void {
  for (const r of risks) if (!out.risks.includes(r)) out.risks.push(r);
  for (const simple of commands) new CommandWalk(simple.words, out, depth).walk();
  for (const body of nested) runString(body, out, depth + 1);
}

/** Lexes a string that a shell will run, and looks at it like the top-level command. */
function runString(text: string, out: CommandPrograms, depth: number): void {
  out.hasNested = true;
  if (depth > MAX_DEPTH) {
    opaque(out, "commands nested too deeply to read");
    return;
  }
  const inner = lexShell(text);
  visit(inner.commands, inner.nested, inner.risks, out, depth);
}

function opaque(out: CommandPrograms, why: string): void {
  if (!out.opaque.includes(why)) out.opaque.push(why);
}

/** The name a program word stands for: base name, lower case, without a Windows program extension. */
export function programName(word: ShellWord): string | undefined {
  if (hasPart(word, "expansion") || hasPart(word, "glob") || hasPart(word, "brace")) return undefined;
  const text = word.parts
    .filter((p) => p.kind !== "caret")
    .map((p) => p.text)
    .join("");
  return baseName(text);
}

export function baseName(text: string): string {
  const base = text.split(/[\\/]/).pop() ?? text;
  return base.toLowerCase().replace(/\.(exe|com|bat|cmd|ps1)$/, "");
}

/**
 * Could this word, once the shell has expanded it, be the program `name`?
 * Both readings count: `sh` (a backslash escapes) and `cmd.exe` (a backslash
 * separates folders, `^` escapes), and case is ignored as Windows does.
 */
export function couldBeProgram(word: ShellWord, name: string): boolean {
  const wanted = baseName(name);
  const known = programName(word);
  if (known !== undefined) return known === wanted || baseName(cmdWordText(word)) === wanted;
  return (["sh", "cmd"] as const).some((reading) => {
    // Only what follows the last literal separator is the program's name; an expansion may hold separators itself.
    const separator = reading === "cmd" ? /[\\/]/ : /\//;
    let start = 0;
    word.parts.forEach((p, index) => {
      if ((p.kind === "literal" || p.kind === "quoted" || (reading === "cmd" && p.kind === "escaped")) && separator.test(p.text)) start = index;
      if (reading === "cmd" && p.kind === "escaped") start = index;
    });
    const parts = word.parts.slice(start).map((p, index) =>
      index === 0 && (p.kind === "literal" || p.kind === "quoted") ? { ...p, text: p.text.split(separator).pop() ?? "" } : p,
    );
    const pattern = wordPattern(parts, reading).replace(/^\\\\/, "");
    return new RegExp(`^(?:${pattern})(?:\\.(?:exe|com|bat|cmd|ps1))?$`, "i").test(wanted);
  });
}

/** Could this word, once expanded, be exactly `text` (case-insensitive, `^` optional)? */
export function couldBeText(word: ShellWord, text: string): boolean {
  return new RegExp(`^(?:${wordPattern(word.parts)})$`, "i").test(text);
}

/** Walks one simple command from a program position, following every runner. */
class CommandWalk {
  private readonly seen = new Set<number>();
  private readonly scheduled = new Set<number>([0]);
  /** Every word from this index on is already scheduled as a program position. */
  private everyFrom = Number.POSITIVE_INFINITY;
  /** Program positions still to look at; a worklist, so a chain of ten thousand wrappers cannot overflow the stack. */
  private readonly pending: number[] = [0];

  constructor(
    private readonly words: readonly ShellWord[],
    private readonly out: CommandPrograms,
    private readonly depth: number,
  ) {}

  walk(): void {
    for (let next = this.pending.pop(); next !== undefined; next = this.pending.pop()) this.visit(next);
  }

  private from(start: number): void {
    if (this.scheduled.has(start)) return;
    this.scheduled.add(start);
    this.pending.push(start);
  }

  private visit(start: number): void {
    let i = start;
    // Leading NAME=value words set the environment; the program comes after them.
    while (i < this.words.length && isAssignment(this.words[i])) i++;
    if (i >= this.words.length || this.seen.has(i)) return;
    this.seen.add(i);
    const word = this.words[i] as ShellWord;
    this.out.uses.push({ word, words: this.words, at: i });
    const name = programName(word);
    if (name === undefined) {
      // An expanded program name could be any program, including a runner.
      this.everyWordFrom(i + 1);
      return;
    }
    if (WRAPPERS.has(name)) {
      if (name === "xargs" && this.words.some((w, k) => k > i && /^(-I|-i|-J|--replace)/.test(wordText(w)))) {
        opaque(this.out, "xargs building its command from its input");
      }
      if (name === "watch" || name === "su" || name === "script") this.stringArguments(this.words.slice(i + 1));
      this.everyWordFrom(i + 1);
      return;
    }
    const rest = this.words.slice(i + 1);
    if (name === "eval") {
      this.joined(rest, "eval of an expanded value");
      return;
    }
    if (name === "source" || name === ".") {
      if (rest[0] && !isPlainWord(rest[0])) opaque(this.out, "a sourced file named by an expansion");
      return;
    }
    if (SHELLS.has(name)) {
      this.shell(name, rest);
      return;
    }
    if (name in INLINE_CODE_FLAGS) {
      this.inlineCode(INLINE_CODE_FLAGS[name] ?? [], rest);
      return;
    }
    if (SCRIPT_FIRST.has(name)) {
      const script = rest.find((w) => !wordText(w).startsWith("-"));
      if (script) this.code(script);
      return;
    }
    if (name === "find") {
      rest.forEach((w, k) => {
        if (["-exec", "-execdir", "-ok", "-okdir"].some((flag) => couldBeText(w, flag))) this.from(i + 2 + k);
      });
      return;
    }
    if (name === "git") this.git(i, rest);
  }

  /** Every later word may be the program (a wrapper's own options have unknown arity). */
  private everyWordFrom(start: number): void {
    const end = Math.min(this.everyFrom, this.words.length);
    for (let j = start; j < end; j++) this.from(j);
    this.everyFrom = Math.min(this.everyFrom, start);
  }

  private shell(name: string, rest: readonly ShellWord[]): void {
    const texts = rest.map(wordText);
    if (name === "cmd") {
      const at = texts.findIndex((t) => /^\/[ck]$/i.test(t));
      if (at >= 0) this.joined(rest.slice(at + 1), "cmd /c with an expanded command");
      else opaque(this.out, "cmd reading commands from its input");
      return;
    }
    if (name === "powershell" || name === "pwsh") {
      const encoded = texts.findIndex((t) => /^[-/]e(c|nc|ncodedcommand)?$/i.test(t));
      if (encoded >= 0) {
        opaque(this.out, "an encoded PowerShell command");
        return;
      }
      const at = texts.findIndex((t) => /^[-/](c|command)$/i.test(t));
      const firstArg = texts.findIndex((t) => !t.startsWith("-"));
      if (at >= 0) this.joined(rest.slice(at + 1), "PowerShell with an expanded command");
      else if (firstArg >= 0 && !/^-(file|f)$/i.test(texts[firstArg - 1] ?? "")) this.joined(rest.slice(firstArg), "PowerShell with an expanded command");
      else if (firstArg < 0) opaque(this.out, "PowerShell reading commands from its input");
      return;
    }
    if (name === "wsl") {
      this.everyWordFrom(this.words.length - rest.length);
      return;
    }
    // POSIX shells: -c (also combined, as in -ec or -lc) takes the next argument as the script.
    const at = texts.findIndex((t) => /^-[A-Za-z]*c[A-Za-z]*$/.test(t) && !t.startsWith("--"));
    if (at >= 0) {
      const script = rest[at + 1];
      if (script === undefined) opaque(this.out, `${name} -c without a command`);
      else this.string(script, `${name} -c with an expanded command`);
      return;
    }
    const file = rest.find((w) => !wordText(w).startsWith("-") && !wordText(w).startsWith("+"));
    if (file === undefined) opaque(this.out, `${name} reading commands from its input`);
    else if (!isPlainWord(file)) opaque(this.out, `${name} running a script named by an expansion`);
  }

  private inlineCode(flags: readonly string[], rest: readonly ShellWord[]): void {
    rest.forEach((w, k) => {
      const text = wordText(w);
      const flag = flags.find((f) => text === f || (f.startsWith("--") && text.startsWith(`${f}=`)) || (/^-[A-Za-z]$/.test(f) && text.startsWith(f) && text.length > 2));
      if (flag === undefined) return;
      if (text === flag) {
        const code = rest[k + 1];
        if (code) this.code(code);
      } else {
        this.code({ parts: [{ kind: "quoted", text: text.slice(flag.length).replace(/^=/, "") }, ...w.parts.slice(1)] });
      }
    });
    if (flags.length === 0 && rest.length === 0) opaque(this.out, "an interpreter reading its input");
  }

  private code(word: ShellWord): void {
    this.out.hasNested = true;
    if (hasPart(word, "expansion")) opaque(this.out, "inline code built from an expansion");
    this.out.inlineCode.push(wordText(word));
  }

  /** git runs programs named in -c values, --exec-path, --upload-pack, aliases (`!cmd`), `submodule foreach`, `bisect run`… */
  private git(index: number, rest: readonly ShellWord[]): void {
    const subcommand = gitSubcommand(rest);
    // Short options mean different things per subcommand: -u is --upload-pack only for fetch and friends, -x runs a command only for rebase and difftool.
    const shortRuns = new Set<string>(["-c", "--config-env", "--exec", "--extcmd"]);
    if (["fetch", "pull", "clone", "ls-remote"].includes(subcommand ?? "")) shortRuns.add("-u");
    if (["rebase", "difftool"].includes(subcommand ?? "")) shortRuns.add("-x");
    rest.forEach((w, k) => {
      const text = wordText(w);
      let value: string | undefined;
      if (shortRuns.has(text)) {
        value = rest[k + 1] === undefined ? undefined : wordText(rest[k + 1] as ShellWord);
        if (rest[k + 1] && hasPart(rest[k + 1] as ShellWord, "expansion")) opaque(this.out, "a git option built from an expansion");
      } else if (/^-c./.test(text) && k < (subcommand === undefined ? rest.length : rest.findIndex((r) => wordText(r) === subcommand))) {
        value = text.slice(2);
      } else if (/^--(config-env|exec-path|upload-pack|receive-pack|exec|extcmd|open-files-in-pager)=/.test(text)) {
        value = text.slice(text.indexOf("=") + 1);
      } else if (subcommand === "grep" && /^-O./.test(text)) {
        value = text.slice(2);
      }
      if (value !== undefined) {
        const assigned = value.includes("=") ? value.slice(value.indexOf("=") + 1) : value;
        this.out.hasNested = true;
        runString(assigned.replace(/^!/, ""), this.out, this.depth + 1);
      }
      if (text === "foreach" || text === "run") this.everyWordFrom(index + 2 + k);
    });
  }

  /** Arguments that a program hands to `sh -c` after joining them with spaces. */
  private joined(words: readonly ShellWord[], whyOpaque: string): void {
    this.out.hasNested = true;
    if (words.some((w) => hasPart(w, "expansion"))) opaque(this.out, whyOpaque);
    runString(words.map(wordText).join(" "), this.out, this.depth + 1);
    // The words may also run as they stand (`eval rm x` runs rm).
    this.everyWordFrom(this.words.length - words.length);
  }

  private string(word: ShellWord, whyOpaque: string): void {
    this.out.hasNested = true;
    if (hasPart(word, "expansion")) opaque(this.out, whyOpaque);
    runString(wordText(word), this.out, this.depth + 1);
  }

  private stringArguments(words: readonly ShellWord[]): void {
    for (const w of words) if (!wordText(w).startsWith("-")) this.string(w, "a command built from an expansion");
  }
}

export function isAssignment(word: ShellWord | undefined): boolean {
  const first = word?.parts[0];
  return first !== undefined && first.kind === "literal" && /^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(first.text);
}

/**
 * Programs that always run another program or a script file. Interpreters
 * count only when given code (then the command is nested) and git and find
 * only with certain options (the allow-list check knows those).
 */
export function runsOtherPrograms(name: string): boolean {
  return WRAPPERS.has(name) || SHELLS.has(name) || SOURCES.has(name);
}

/** git's subcommand: the first word after its own options (some of which take the next word as their value). */
function gitSubcommand(args: readonly ShellWord[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const text = wordText(args[i] as ShellWord);
    if (["-c", "-C", "--git-dir", "--work-tree", "--namespace", "--config-env", "--super-prefix", "--exec-path"].includes(text)) {
      i++;
      continue;
    }
    if (!text.startsWith("-")) return text;
  }
  return undefined;
}
