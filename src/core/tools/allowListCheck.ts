import * as posixPath from "node:path/posix";
import { isAssignment, programName, runsOtherPrograms, type CommandPrograms } from "./commandPrograms";
import type { ProtectedPathMatcher } from "./protectedPaths";
import type { ShellWord } from "./shellLexer";
import { hasPart, isPlainWord, wordSource, wordText } from "./shellWords";

/**
 * Arguments that make an otherwise read-only program write, run a program,
 * read a configuration that names one, or follow links out of the workspace. Short flags are single letters
 * (they may be combined, as in `rg -iz`).
 */
const ESCAPE_ARGUMENTS: Record<string, { long: readonly string[]; short?: string }> = {
  // Following symbolic links while recursing would read through a link the repository placed to ~/.ssh.
  find: { long: ["-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0", "-fprintf", "-fls", "-L", "-H", "-follow"] },
  rg: { long: ["--pre", "--pre-glob", "--search-zip", "--hostname-bin", "--follow"], short: "zL" },
  grep: { long: ["--dereference-recursive"], short: "R" },
  // After the subcommand; git's own options before it are checked in gitGlobalEscape (-p means --paginate only there).
  git: {
    long: [
      "--config-env", "--exec-path", "--upload-pack", "--receive-pack", "--output", "--ext-diff", "--textconv",
      "--exec", "--extcmd", "--git-dir", "--work-tree", "--open-files-in-pager", "--paginate",
    ],
    short: "O",
  },
  sort: { long: ["--compress-program", "--output"], short: "o" },
  tar: { long: ["--to-command", "--use-compress-program", "--checkpoint-action", "--info-script", "--new-volume-script"], short: "IFx" },
  sed: { long: ["--in-place"], short: "i" },
};

/**
 * Why an `allowList` policy should still ask about a command the deny list
 * let through, or undefined when every part of it is allow-listed and read
 * completely. The first doubt found is the reason shown to the user.
 */
export function allowListDoubt(
  programs: CommandPrograms,
  allowedCommands: readonly string[],
  isProtected: ProtectedPathMatcher,
  cwd: string,
): string | undefined {
  // A redirection is asked anyway; naming what it touches makes the reason useful.
  for (const simple of programs.commands) {
    for (const target of simple.redirects) {
      const path = pathDoubt(wordText(target), isProtected, cwd);
      if (path !== undefined) return `it redirects output or input to a path: ${path.replace(/^the argument /, "")}`;
    }
  }
  const risk = programs.risks[0];
  if (risk !== undefined) return `it uses ${risk}, which the allow-list does not cover`;
  const hidden = programs.opaque[0];
  if (hidden !== undefined) return `it uses ${hidden}, which cannot be read before it runs`;
  if (programs.hasNested) return "it runs a command inside another command, which the allow-list does not cover";
  const allowed = allowedCommands.map((c) => c.trim().split(/\s+/)).filter((w) => w.length > 0 && w[0] !== "");
  for (const simple of programs.commands) {
    const doubt = simpleCommandDoubt(simple.words, allowed, isProtected, cwd);
    if (doubt !== undefined) return doubt;
  }
  return undefined;
}

function simpleCommandDoubt(
  words: readonly ShellWord[],
  allowed: readonly string[][],
  isProtected: ProtectedPathMatcher,
  cwd: string,
): string | undefined {
  const first = words[0];
  if (first === undefined) return "it has a redirection without a command";
  if (isAssignment(first)) return `it sets the environment variable ${wordText(first).split("=")[0] ?? ""} for the command, which can change what runs`;
  const shown = wordText(first);
  if (hasPart(first, "expansion")) return `its program name ${JSON.stringify(wordSource(first))} is an expansion, known only when it runs`;
  if (!isPlainWord(first)) return `its program name ${JSON.stringify(shown)} has quotes, escapes or patterns in it`;
  if (/[\\/]/.test(shown)) return `it names its program by a path (${shown}), not by an allow-listed name`;
  const name = programName(first) ?? shown;
  if (runsOtherPrograms(name)) return `"${shown}" runs other programs, so the allow-list does not cover it`;
  const prefix = allowed.find((p) => p.length <= words.length && p.every((w, i) => isPlainWord(words[i] as ShellWord) && wordText(words[i] as ShellWord) === w));
  const segmentText = words.map(wordText).join(" ");
  if (!prefix) return `"${segmentText}" is not in the allow-list`;
  const escapes = ESCAPE_ARGUMENTS[name];
  // node runs code for most of its options (--require, --import, --env-file…): only the exact entry is allowed.
  if (name === "node" && words.length > prefix.length) return `"${segmentText}" gives node more than the allow-listed words`;
  const gitEscape = name === "git" ? gitGlobalEscape(words.slice(1)) : undefined;
  if (gitEscape !== undefined) return `"git ${gitEscape}" can run programs or read another repository's config, so the allow-list does not cover it`;
  for (const word of words.slice(1)) {
    const text = wordText(word);
    if (hasPart(word, "expansion")) return `the argument ${JSON.stringify(wordSource(word))} holds an expansion, known only when it runs`;
    if (hasPart(word, "brace")) return `the argument ${JSON.stringify(text)} uses brace expansion`;
    if (hasPart(word, "tilde")) return `the argument ${JSON.stringify(text)} names a home folder, outside the workspace`;
    if (hasPart(word, "glob")) {
      // The shell expands it to names the policy never sees: options (a file named -delete), or .env and package.json.
      return text.startsWith("-") || escapes !== undefined
        ? `the pattern ${JSON.stringify(text)} could expand to file names that ${shown} reads as options`
        : `the pattern ${JSON.stringify(text)} could expand to protected files, which the allow-list does not cover`;
    }
    if (hasPart(word, "caret")) return `the argument ${JSON.stringify(text)} has a ^, an escape in cmd.exe`;
    const escape = escapes && escapeArgument(text, escapes);
    if (escape !== undefined) return `"${shown} ${escape}" can write files or run programs, so the allow-list does not cover it`;
    const path = pathDoubt(text, isProtected, cwd);
    if (path !== undefined) return path;
  }
  return undefined;
}

/** git's options before its subcommand that name programs, config or another repository (-c, -C, -p, --git-dir…). */
function gitGlobalEscape(args: readonly ShellWord[]): string | undefined {
  for (const word of args) {
    const text = wordText(word);
    if (!text.startsWith("-")) return undefined;
    const hit = /^(-[cCp]|--paginate|--exec-path|--git-dir|--work-tree|--config-env|--namespace|--super-prefix|--list-cmds)(=|$|.)/.exec(text);
    if (hit) return hit[1];
  }
  return undefined;
}

function escapeArgument(text: string, escapes: { long: readonly string[]; short?: string }): string | undefined {
  const long = escapes.long.find((e) => text === e || text.startsWith(`${e}=`) || (/^-[A-Za-z]$/.test(e) && text.startsWith(e)));
  if (long !== undefined) return long;
  if (escapes.short && /^-[A-Za-z0-9]+$/.test(text)) {
    const letter = [...text.slice(1)].find((l) => escapes.short?.includes(l));
    if (letter !== undefined) return `-${letter}`;
  }
  return undefined;
}

/** Arguments (and `--option=value` values) naming a path outside the workspace or a protected one. */
function pathDoubt(text: string, isProtected: ProtectedPathMatcher, cwd: string): string | undefined {
  const value = text.startsWith("-") ? optionValue(text) : text;
  if (value === undefined || value === "" || value.includes("://")) return undefined;
  const slashed = value.replace(/\\/g, "/");
  if (slashed.startsWith("/") || slashed.startsWith("~") || /^[A-Za-z]:/.test(slashed)) return `the argument ${JSON.stringify(value)} is a path outside the workspace`;
  const joined = posixPath.normalize(posixPath.join(cwd.replace(/\\/g, "/"), slashed));
  if (joined === ".." || joined.startsWith("../")) return `the argument ${JSON.stringify(value)} is a path outside the workspace`;
  const glob = isProtected(joined);
  if (glob !== undefined) return `the argument ${JSON.stringify(value)} names a protected path ("${glob}" in subagents.approval.protectedPaths)`;
  return undefined;
}

/**
 * The workspace paths a command's arguments and redirections name (after
 * `cwd`), for the check that follows symbolic links: the lexer cannot see
 * that `notes.txt` in the repository is a link to `~/.ssh/id_rsa`.
 */
export function namedPaths(programs: CommandPrograms, cwd: string): string[] {
  const out = new Set<string>();
  for (const simple of programs.commands) {
    for (const word of [...simple.words.slice(1), ...simple.redirects]) {
      const text = wordText(word);
      const value = text.startsWith("-") ? optionValue(text) : text;
      if (value === undefined || value === "" || value.includes("://")) continue;
      const joined = posixPath.normalize(posixPath.join(cwd.replace(/\\/g, "/"), value.replace(/\\/g, "/")));
      if (joined !== ".." && !joined.startsWith("../") && !posixPath.isAbsolute(joined)) out.add(joined);
    }
  }
  return [...out];
}

/** The path-like value inside an option word: `--file=x`, or a short option's attached value (`-f/etc/shadow`, `-f../x`). */
function optionValue(text: string): string | undefined {
  if (text.includes("=")) return text.slice(text.indexOf("=") + 1);
  if (!text.startsWith("--") && text.length > 2) {
    const attached = text.slice(2);
    if (/[\\/~]/.test(attached) || attached.startsWith(".")) return attached;
  }
  return undefined;
}
