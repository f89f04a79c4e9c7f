import { hasInvisibleCharacters } from "../protocol/visibleText";
import type { ApprovalPolicy } from "../settings/schema";
import { analyzeCommand, couldBeProgram, couldBeText, restOf, type CommandPrograms, type ProgramUse } from "./commandPrograms";
import { allowListDoubt, namedPaths } from "./allowListCheck";
import { protectedPathMatcher } from "./protectedPaths";
import type { ShellWord } from "./shellLexer";
import { isPlainWord, wordText } from "./shellWords";

/**
 * The approval policy for `run_command` and for writes to protected paths,
 * as pure functions so the agent loop, the host and tests agree on every
 * decision. It errs toward asking:
 *
 * 1. the deny list wins over everything, and it looks at every word that may
 *    run as a program: after wrappers (`env`, `sudo`, `xargs`, `busybox`…),
 *    inside `sh -c`, `eval`, `$( )`, backticks, `find -exec`, git options
 *    that name programs. A word whose value is only known when the shell
 *    runs (`$x`, `r${u}m`, `r*`) is refused when it could become a denied
 *    program, and so is a command the policy cannot read at all (an
 *    expanded `eval`, `sh` reading its input) while any program is denied;
 * 2. policy `deny` refuses, `ask` asks;
 * 3. `allowList` runs a command only when it is a chain of simple commands
 *    that the lexer reads completely, each starting with an allowed prefix,
 *    with no expansion, wrapper, path outside the workspace, protected path,
 *    or argument that turns a reader into a writer; everything else is asked.
 */
export interface ApprovalRules {
  policy: ApprovalPolicy;
  allowedCommands: readonly string[];
  deniedCommands: readonly string[];
  /** Globs of workspace paths whose change is approved like a command. */
  protectedPaths: readonly string[];
  /** The shell that will run the command: `sh` (Linux, macOS) or `cmd` (Windows); default `sh`. */
  shell?: "sh" | "cmd";
}

export type CommandDecision =
  | { kind: "allow"; reason: string }
  | { kind: "ask"; reason: string }
  | { kind: "deny"; reason: string };

/** Longer commands are not analysed: asked, or refused while any program is denied. */
export const MAX_ANALYSED_COMMAND_CHARS = 100_000;

export function decideCommand(command: string, rules: ApprovalRules, cwd = "."): CommandDecision {
  if (command.trim() === "") return { kind: "deny", reason: "the command is empty" };
  const programs = analyze(command);
  if (programs === undefined) {
    const why = `it is too long (${command.length} characters) to be checked`;
    if (rules.deniedCommands.length > 0 || rules.policy === "deny") return { kind: "deny", reason: `${why} against the denied commands` };
    return { kind: "ask", reason: why };
  }
  const denied = deniedMatch(programs, rules.deniedCommands) ?? deniedMatch(analyzeCmdReading(command), rules.deniedCommands);
  if (denied !== undefined) return { kind: "deny", reason: denied };
  if (rules.policy === "deny") return { kind: "deny", reason: 'the approval policy for this agent is "deny"' };
  if (rules.policy === "ask") return { kind: "ask", reason: 'the approval policy for this agent is "ask"' };
  if (hasInvisibleCharacters(command)) {
    return { kind: "ask", reason: "it contains control, zero-width or bidirectional characters that hide what it does" };
  }
  // cmd.exe takes no '…' quotes and splits at & | < > even inside them, expands %…% and !…! inside "…", escapes with ^.
  if (rules.shell === "cmd" && /[&|<>^%!()'"]/.test(command)) {
    return { kind: "ask", reason: "it uses characters that cmd.exe reads differently from a POSIX shell (quotes, & | < > ^ % ! or parentheses)" };
  }
  const doubt = allowListDoubt(programs, rules.allowedCommands, protectedPathMatcher(rules.protectedPaths), cwd);
  if (doubt !== undefined) return { kind: "ask", reason: doubt };
  return { kind: "allow", reason: "every part of the command is in the allow-list" };
}

/** Writes outside protected paths run; writes to them are asked, or refused under policy "deny". */
export function decideWrite(path: string, rules: ApprovalRules): CommandDecision {
  const glob = protectedPathMatcher(rules.protectedPaths)(path);
  if (glob === undefined) return { kind: "allow", reason: "the path is not protected" };
  const why = `${path} is a protected path ("${glob}" in subagents.approval.protectedPaths)`;
  if (rules.policy === "deny") return { kind: "deny", reason: `${why} and the approval policy for this agent is "deny"` };
  return { kind: "ask", reason: why };
}

/**
 * Why a command is refused by the deny list, or undefined. Exported for the
 * host, which checks again right before it starts the process.
 */
export function findDeniedCommand(command: string, denied: readonly string[]): string | undefined {
  if (denied.length === 0) return undefined;
  const programs = analyze(command);
  if (programs === undefined) return `it is too long (${command.length} characters) to be checked against the denied commands`;
  return deniedMatch(programs, denied) ?? deniedMatch(analyzeCmdReading(command), denied);
}

/**
 * The command as cmd.exe splits it: a single quote is an ordinary character
 * there, so `grep 'a & rm x' f` runs rm. The deny list checks this reading
 * as well on every platform (a false match only refuses).
 */
function analyzeCmdReading(command: string): CommandPrograms {
  return command.includes("'") ? analyzeCommand(command.replace(/'/g, "\u2019")) : EMPTY_PROGRAMS;
}

const EMPTY_PROGRAMS: CommandPrograms = { commands: [], uses: [], inlineCode: [], opaque: [], risks: [], hasNested: false };

function analyze(command: string): CommandPrograms | undefined {
  return command.length > MAX_ANALYSED_COMMAND_CHARS ? undefined : analyzeCommand(command);
}

function deniedMatch(programs: CommandPrograms, denied: readonly string[]): string | undefined {
  const entries = denied.map((d) => d.trim().split(/\s+/)).filter((w) => w.length > 0 && w[0] !== "");
  if (entries.length === 0) return undefined;
  for (const entry of entries) {
    const hit = programs.uses.find((use) => usesEntry(use, entry));
    if (hit) return `it could run the denied command "${entry.join(" ")}" (subagents.approval.deniedCommands)`;
    const code = programs.inlineCode.find((text) => entry.every((w) => new RegExp(`(^|[^\\w-])${escapeRegExp(w)}($|[^\\w-])`, "i").test(text)));
    if (code !== undefined) return `its inline code mentions the denied command "${entry.join(" ")}" (subagents.approval.deniedCommands)`;
  }
  const first = programs.opaque[0];
  if (first !== undefined) {
    return `it uses ${first}, which could run a denied command (subagents.approval.deniedCommands) and cannot be read before it runs`;
  }
  return undefined;
}

/**
 * `git push` is used when the program could be git and `push` could be its
 * subcommand: the next word that is not an option, or a word that follows an
 * option (which may have taken a value, as in `git -C . push`).
 */
function usesEntry(use: ProgramUse, entry: readonly string[]): boolean {
  const [program, ...words] = entry;
  if (program === undefined || !couldBeProgram(use.word, program)) return false;
  const rest = restOf(use);
  let from = 0;
  for (const w of words) {
    // An option in the entry ("rm -rf") may stand anywhere after the program; a subcommand ("git push") only where one can.
    const candidates = w.startsWith("-") ? rest.map((_, index) => index).filter((index) => index >= from) : subcommandCandidates(rest, from);
    const at = candidates.find((index) => couldBeText(rest[index] as ShellWord, w));
    if (at === undefined) return false;
    from = at + 1;
  }
  return true;
}

/** Indexes from `from` on that may hold the next positional word: up to the first one that surely is. */
function subcommandCandidates(rest: readonly ShellWord[], from: number): number[] {
  const out: number[] = [];
  for (let i = from; i < rest.length; i++) {
    const word = rest[i] as ShellWord;
    const text = wordText(word);
    const isOption = text.startsWith("-") && isPlainWord(word);
    if (isOption) continue;
    out.push(i);
    const previous = i > from ? wordText(rest[i - 1] as ShellWord) : "";
    if (!previous.startsWith("-")) break;
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The last step before an allow-listed command runs unasked: every path it
 * names is followed through symbolic links, and a link that leads outside
 * the workspace or to a protected path makes the command asked after all.
 * `realPath` throws for a path that leaves the workspace.
 */
export async function followLinks(
  command: string,
  rules: ApprovalRules,
  cwd: string,
  realPath: (path: string) => Promise<string | undefined>,
): Promise<CommandDecision | undefined> {
  const isProtected = protectedPathMatcher(rules.protectedPaths);
  const programs = analyze(command);
  if (programs === undefined) return { kind: "ask", reason: "it is too long to be checked" };
  for (const path of namedPaths(programs, cwd)) {
    let real: string | undefined;
    try {
      real = await realPath(path);
    } catch {
      return { kind: "ask", reason: `${path} leads outside the workspace (through a symbolic link)` };
    }
    const glob = real === undefined ? undefined : isProtected(real);
    if (glob !== undefined) return { kind: "ask", reason: `${path} leads to the protected path ${real} ("${glob}" in subagents.approval.protectedPaths)` };
  }
  return undefined;
}
