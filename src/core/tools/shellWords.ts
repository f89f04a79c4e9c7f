import type { ShellWord, WordPart, WordPartKind } from "./shellLexer";

/*
 * Reading the words the shell lexer produced: what a word says when nothing
 * is expanded, as written, as `cmd.exe` reads it, and every string it could become.
 */

/** The word as the shell would pass it when no expansion is involved; expansions contribute nothing. */
export function wordText(word: ShellWord): string {
  return word.parts
    .filter((p) => p.kind !== "expansion")
    .map((p) => p.text)
    .join("");
}

/** The word as written, quotes removed: for messages. */
export function wordSource(word: ShellWord): string {
  return word.parts.map((p) => p.text).join("");
}

/** The word as `cmd.exe` would read it: backslashes are path separators and `^` escapes. */
export function cmdWordText(word: ShellWord): string {
  return word.parts
    .filter((p) => p.kind !== "expansion" && p.kind !== "caret")
    .map((p) => (p.kind === "escaped" ? `\\${p.text}` : p.text))
    .join("");
}

/** True when every part is unquoted literal text: the word means exactly what it shows. */
export function isPlainWord(word: ShellWord): boolean {
  return word.parts.every((p) => p.kind === "literal");
}

export function hasPart(word: ShellWord, kind: WordPartKind): boolean {
  return word.parts.some((p) => p.kind === kind);
}

/**
 * A regular expression source for every string the word could become: known
 * text stands for itself, an expansion or glob for anything, and a `^` may or
 * may not be there (it is an escape in `cmd.exe`, a character in `sh`).
 */
export function wordPattern(parts: readonly WordPart[], reading: "sh" | "cmd" = "sh"): string {
  return parts
    .map((p) => {
      switch (p.kind) {
        case "literal":
        case "quoted":
          return escapeRegExp(p.text);
        case "escaped":
          return escapeRegExp(reading === "cmd" ? `\\${p.text}` : p.text);
        case "caret":
          return "\\^?";
        case "tilde":
          return escapeRegExp(p.text);
        default:
          return "[^]*";
      }
    })
    .join("");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
