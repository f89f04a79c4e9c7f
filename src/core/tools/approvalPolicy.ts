import type { ApprovalPolicy } from "../settings/schema";

/**
 * The `run_command` approval policy (`subagents.approval.*`), as a pure function so the
 * agent loop, the host and tests agree on every decision:
 *
 * 1. the deny-list wins over everything, and it looks inside subshells,
 *    chains and wrappers (`sudo`, `env`, `bash -c '…'`), because a denied
 *    command hidden behind `$( )` is still that command;
 * 2. policy `deny` refuses, `ask` asks;
 * 3. `allowList` runs a command only when every simple command in it starts
 *    with an allowed prefix (whole words), and asks when the command has
 *    redirection, a subshell, backticks, `$(`, background `&`, or arguments
 *    that turn a read-only tool into a writer (`find -delete`, `rg --pre`).
 */
export interface ApprovalRules {
  policy: ApprovalPolicy;
  allowedCommands: readonly string[];
  deniedCommands: readonly string[];
}

export type CommandDecision =
  | { kind: "allow"; reason: string }
  | { kind: "ask"; reason: string }
  | { kind: "deny"; reason: string };

export interface ShellParse {
  /** The simple commands between chaining operators, as words. */
  segments: string[][];
  /** Why the command is more than a chain of simple commands, if it is. */
  risk: string | undefined;
}

/** Arguments that make an otherwise read-only allowed program write or execute. */
const ESCAPE_ARGUMENTS: Record<string, readonly string[]> = {
  find: ["-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0", "-fprintf", "-fls"],
  rg: ["--pre"],
  git: ["--output", "--ext-diff"],
};

const WRAPPERS = ["sudo", "env", "xargs", "exec", "nohup", "time", "command", "nice", "timeout"];

export function decideCommand(command: string, rules: ApprovalRules): CommandDecision {
  const trimmed = command.trim();
  if (trimmed === "") return { kind: "deny", reason: "the command is empty" };
  const denied = findDeniedPrefix(trimmed, rules.deniedCommands);
  if (denied !== undefined) {
    return { kind: "deny", reason: `it matches the denied command "${denied}" (subagents.approval.deniedCommands)` };
  }
  if (rules.policy === "deny") return { kind: "deny", reason: "the approval policy for this agent is \"deny\"" };
  if (rules.policy === "ask") return { kind: "ask", reason: "the approval policy for this agent is \"ask\"" };

  const parsed = parseShell(trimmed);
  if (parsed.risk !== undefined) {
    return { kind: "ask", reason: `it uses ${parsed.risk}, which the allow-list does not cover` };
  }
  const allowed = rules.allowedCommands.map(words).filter((w) => w.length > 0);
  for (const segment of parsed.segments) {
    if (!allowed.some((prefix) => startsWithWords(segment, prefix))) {
      return { kind: "ask", reason: `"${segment.join(" ")}" is not in the allow-list` };
    }
    const escape = escapeArgument(segment);
    if (escape !== undefined) {
      return { kind: "ask", reason: `"${segment[0] ?? ""} ${escape}" can change files, so the allow-list does not cover it` };
    }
  }
  return { kind: "allow", reason: "every part of the command is in the allow-list" };
}

/**
 * Deny matching is deliberately conservative: it ignores quoting and looks
 * for the denied words at any command position (start, after `; & | ( { \``,
 * `$(`, a wrapper, or `-c` of a shell), so `bash -c "rm -rf x"` and
 * `echo $(rm -rf x)` are caught. A false positive only refuses a command.
 */
export function findDeniedPrefix(command: string, denied: readonly string[]): string | undefined {
  for (const entry of denied) {
    const parts = words(entry);
    if (parts.length === 0) continue;
    const body = parts.map(escapeRegExp).join("\\s+");
    const position = `(?:^|[;&|({\`\\n]|\\$\\(|\\b(?:${WRAPPERS.join("|")})\\s+|-c\\s+['"]?|['"])`;
    const assignments = `(?:[A-Za-z_][A-Za-z0-9_]*=\\S*\\s+)*`;
    const pattern = new RegExp(`${position}\\s*${assignments}${body}(?=$|[\\s;&|)\`'"])`);
    if (pattern.test(command)) return entry;
  }
  return undefined;
}

/** A small quote-aware shell lexer: enough to tell simple chains from everything else. */
export function parseShell(command: string): ShellParse {
  const segments: string[][] = [];
  let segment: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  let risk: string | undefined;
  const flag = (why: string) => {
    risk ??= why;
  };
  const endWord = () => {
    if (inWord) segment.push(word);
    word = "";
    inWord = false;
  };
  const endSegment = () => {
    endWord();
    if (segment.length > 0) segments.push(segment);
    segment = [];
  };

  for (let i = 0; i < command.length; i++) {
    const c = command[i] ?? "";
    const next = command[i + 1] ?? "";
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && '"\\$`'.includes(next) && next !== "") {
        word += next;
        i++;
      } else if (c === "`") flag("backticks");
      else if (c === "$" && next === "(") flag("a command substitution $( )");
      else word += c;
      continue;
    }
    switch (c) {
      case "\\":
        word += next;
        inWord = true;
        i++;
        break;
      case "'":
      case '"':
        quote = c;
        inWord = true;
        break;
      case " ":
      case "\t":
        endWord();
        break;
      case "\n":
      case ";":
        endSegment();
        break;
      case "&":
        if (next === "&") {
          endSegment();
          i++;
        } else if (next === ">") flag("redirection");
        else flag("background execution (&)");
        break;
      case "|":
        if (next === "&") flag("redirection");
        endSegment();
        if (next === "|" || next === "&") i++;
        break;
      case ">":
      case "<":
        if (next === "(") flag("a process substitution");
        else flag("redirection");
        break;
      case "(":
      case ")":
        flag("a subshell");
        break;
      case "`":
        flag("backticks");
        break;
      case "$":
        if (next === "(") flag("a command substitution $( )");
        word += c;
        inWord = true;
        break;
      default:
        word += c;
        inWord = true;
    }
  }
  if (quote !== undefined) flag("an unterminated quote");
  endSegment();
  return { segments, risk };
}

function escapeArgument(segment: readonly string[]): string | undefined {
  const program = segment[0];
  if (program === undefined) return undefined;
  const escapes = ESCAPE_ARGUMENTS[program];
  if (!escapes) return undefined;
  return segment.slice(1).find((arg) => escapes.some((e) => arg === e || arg.startsWith(`${e}=`)));
}

function startsWithWords(segment: readonly string[], prefix: readonly string[]): boolean {
  if (prefix.length > segment.length) return false;
  return prefix.every((w, i) => segment[i] === w);
}

function words(text: string): string[] {
  return text.trim().split(/\s+/).filter((w) => w !== "");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
