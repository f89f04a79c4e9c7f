/**
 * A shell lexer for the approval policy. It does not try to be a shell: its
 * job is to split a command into simple commands and words, and to mark every
 * part whose value the shell only knows when it runs (expansions, globs,
 * braces, `~`), so the policy can ask about whatever it cannot read. It
 * follows POSIX `sh` (what the runner uses on Linux and macOS) and also marks
 * the `cmd.exe` forms that change a word there (`^` escapes, `%VAR%`,
 * `!VAR!`), because the same policy guards the Windows runner.
 *
 * A hand-written lexer rather than a parser library: the libraries that fit
 * in the bundle either expand variables themselves or drop the quoting
 * details this check depends on (whether a quote or a backslash sat inside a
 * program name).
 */

/** How the shell treats one piece of a word. */
export type WordPartKind =
  /** Unquoted text, taken as is. */
  | "literal"
  /** Text inside quotes: taken as is, but the word was written in disguise. */
  | "quoted"
  /** The character after a backslash (in `cmd.exe` the backslash is a path separator instead). */
  | "escaped"
  /** `$x`, `${…}`, `$(…)`, backticks, `$'…'`, `%x%`: the value is known only when the command runs. */
  | "expansion"
  /** Unquoted `*`, `?`, `[…]`: becomes the names of matching files. */
  | "glob"
  /** Unquoted `{a,b}` or `{1..3}`: becomes several words. */
  | "brace"
  /** `~` or `~user` at the start of a word: a home folder. */
  | "tilde"
  /** `^` (the `cmd.exe` escape; literal in `sh`). */
  | "caret";

export interface WordPart {
  kind: WordPartKind;
  text: string;
}

export interface ShellWord {
  parts: WordPart[];
}

export interface SimpleCommand {
  /** Assignments, program and arguments in order. */
  words: ShellWord[];
  /** The targets of redirections (`> file`, `< file`, `2>&1`). */
  redirects: ShellWord[];
}

export interface ShellLex {
  commands: SimpleCommand[];
  /** Bodies of `$( )`, backticks and `<( )`: commands that run too, lexed by the caller. */
  nested: string[];
  /** What makes the command more than a chain of simple commands, in order of appearance. */
  risks: string[];
}

const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAMETER = /[@*#?\-$!0-9]/;

/** Nested `${…}` deeper than this is not looked into (and is reported as a risk). */
const MAX_BRACE_DEPTH = 16;

/** Splits a command into simple commands (at `;`, `&&`, `||`, `|`, `&`, newlines, parentheses). */
export function lexShell(command: string, depth = 0): ShellLex {
  return new Lexer(command, depth).run();
}

class Lexer {
  private i = 0;
  private readonly commands: SimpleCommand[] = [];
  private readonly nested: string[] = [];
  private readonly risks: string[] = [];
  private current: SimpleCommand = { words: [], redirects: [] };
  private parts: WordPart[] = [];
  private inWord = false;
  private redirectNext = false;

  constructor(
    private readonly src: string,
    private readonly depth: number,
  ) {}

  run(): ShellLex {
    const s = this.src;
    while (this.i < s.length) {
      const c = s[this.i] ?? "";
      const next = s[this.i + 1] ?? "";
      switch (c) {
        case " ":
        case "\t":
          this.endWord();
          this.i++;
          break;
        case "\n":
        case ";":
          this.endCommand();
          this.i++;
          break;
        case "&":
          if (next === "&") {
            this.endCommand();
            this.i += 2;
          } else if (next === ">") {
            this.redirect(next === ">" && s[this.i + 2] === ">" ? 3 : 2);
          } else {
            this.risk("background execution (&)");
            this.endCommand();
            this.i++;
          }
          break;
        case "|":
          if (next === "&") this.risk("redirection");
          this.endCommand();
          this.i += next === "|" || next === "&" ? 2 : 1;
          break;
        case ">":
        case "<":
          this.angle(c, next);
          break;
        case "(":
        case ")":
          this.risk("a subshell");
          this.endCommand();
          this.i++;
          break;
        case "#":
          if (!this.inWord) this.risk("a comment");
          this.literal(c);
          break;
        default:
          this.wordChar(c, next);
      }
    }
    if (this.redirectNext) this.risk("a redirection without a target");
    this.endCommand();
    return { commands: this.commands, nested: this.nested, risks: this.risks };
  }

  /** Characters that build words (outside quotes). */
  private wordChar(c: string, next: string): void {
    const s = this.src;
    switch (c) {
      case "\\":
        if (next === "\n") {
          this.i += 2;
        } else if (next === "") {
          this.literal("\\");
        } else {
          this.push("escaped", next);
          this.i += 2;
        }
        return;
      case "'": {
        const end = s.indexOf("'", this.i + 1);
        if (end < 0) {
          this.risk("an unterminated quote");
          this.push("quoted", s.slice(this.i + 1));
          this.i = s.length;
        } else {
          this.push("quoted", s.slice(this.i + 1, end));
          this.i = end + 1;
        }
        this.inWord = true;
        return;
      }
      case '"':
        this.i++;
        this.doubleQuoted();
        return;
      case "$":
        this.dollar();
        return;
      case "`":
        this.backtick();
        return;
      case "*":
      case "?":
        this.push("glob", c);
        this.i++;
        return;
      case "[": {
        // A bracket expression is one character of a set; without a closing ] it is a literal [.
        const end = s.slice(this.i + 2).search(/[\]\s;&|<>()]/);
        const close = end < 0 ? -1 : this.i + 2 + end;
        if (close > 0 && s[close] === "]") {
          this.push("glob", s.slice(this.i, close + 1));
          this.i = close + 1;
        } else {
          this.push("glob", c);
          this.i++;
        }
        return;
      }
      case "{":
        if (this.braceExpansion()) return;
        this.literal(c);
        return;
      case "~":
        if (!this.inWord) {
          let end = this.i + 1;
          while (end < s.length && /[A-Za-z0-9_.+-]/.test(s[end] ?? "")) end++;
          this.push("tilde", s.slice(this.i, end));
          this.i = end;
          return;
        }
        this.literal(c);
        return;
      case "^":
        this.push("caret", "^");
        this.i++;
        return;
      case "%":
      case "!": {
        // cmd.exe expands %NAME% (and !NAME! with delayed expansion).
        const m = new RegExp(`^\\${c}[A-Za-z_][A-Za-z0-9_]*(?::[^${c}]*)?\\${c}`).exec(s.slice(this.i));
        if (m) {
          this.push("expansion", m[0]);
          this.i += m[0].length;
          return;
        }
        this.literal(c);
        return;
      }
      default:
        this.literal(c);
    }
  }

  private doubleQuoted(): void {
    const s = this.src;
    this.inWord = true;
    let text = "";
    const flush = () => {
      if (text !== "") this.push("quoted", text);
      text = "";
    };
    while (this.i < s.length) {
      const c = s[this.i] ?? "";
      const next = s[this.i + 1] ?? "";
      if (c === '"') {
        flush();
        this.i++;
        // An empty "" still makes a word.
        if (this.parts.length === 0) this.push("quoted", "");
        return;
      }
      if (c === "\\" && '"\\$`\n'.includes(next) && next !== "") {
        if (next !== "\n") text += next;
        this.i += 2;
      } else if (c === "$" && (next === "(" || next === "{" || NAME_CHAR.test(next) || SPECIAL_PARAMETER.test(next))) {
        flush();
        this.dollar();
      } else if (c === "`") {
        flush();
        this.backtick();
      } else {
        text += c;
        this.i++;
      }
    }
    flush();
    this.risk("an unterminated quote");
  }

  private dollar(): void {
    const s = this.src;
    const start = this.i;
    const next = s[this.i + 1] ?? "";
    if (next === "(") {
      const end = matchingClose(s, this.i + 1, "(", ")");
      const body = s.slice(this.i + 2, end < 0 ? s.length : end);
      if (end < 0) this.risk("an unterminated command substitution");
      this.risk(body.startsWith("(") ? "arithmetic expansion" : "a command substitution $( )");
      this.nested.push(body.startsWith("(") ? body.slice(1, -1) : body);
      this.i = end < 0 ? s.length : end + 1;
    } else if (next === "{") {
      const end = matchingClose(s, this.i + 1, "{", "}");
      const body = s.slice(this.i + 2, end < 0 ? s.length : end);
      if (end < 0) this.risk("an unterminated ${ }");
      // A default value such as ${x:-$(cmd)} runs that command too.
      if (this.depth >= MAX_BRACE_DEPTH) {
        this.risk("expansions nested too deeply to read");
        this.nested.push(body);
      } else {
        const inner = lexShell(body, this.depth + 1);
        this.nested.push(...inner.nested);
        for (const r of inner.risks) if (r !== "a subshell") this.risk(r);
      }
      this.i = end < 0 ? s.length : end + 1;
    } else if (next === "'") {
      let j = this.i + 2;
      while (j < s.length && s[j] !== "'") j += s[j] === "\\" ? 2 : 1;
      if (j >= s.length) this.risk("an unterminated quote");
      this.i = Math.min(j + 1, s.length);
    } else if (next === '"') {
      this.i++;
      this.push("expansion", "$");
      return;
    } else if (NAME_CHAR.test(next)) {
      let j = this.i + 1;
      if (/[0-9]/.test(next)) j++;
      else while (j < s.length && NAME_CHAR.test(s[j] ?? "")) j++;
      this.i = j;
    } else if (SPECIAL_PARAMETER.test(next) && next !== "") {
      this.i += 2;
    } else {
      this.literal("$");
      return;
    }
    this.push("expansion", s.slice(start, this.i));
  }

  private backtick(): void {
    const s = this.src;
    let j = this.i + 1;
    let body = "";
    while (j < s.length && s[j] !== "`") {
      if (s[j] === "\\" && j + 1 < s.length) {
        body += s[j + 1];
        j += 2;
      } else {
        body += s[j];
        j++;
      }
    }
    if (j >= s.length) this.risk("an unterminated backtick");
    this.risk("backticks");
    this.nested.push(body);
    this.push("expansion", s.slice(this.i, j + 1));
    this.i = j + 1;
  }

  /** `{a,b}` or `{1..3}` with no space or operator inside; anything else is a literal `{`. */
  private braceExpansion(): boolean {
    const s = this.src;
    const end = matchingClose(s, this.i, "{", "}");
    if (end < 0) return false;
    const body = s.slice(this.i + 1, end);
    if (/[\s;&|<>()]/.test(body) || !(body.includes(",") || body.includes(".."))) return false;
    this.push("brace", s.slice(this.i, end + 1));
    this.i = end + 1;
    return true;
  }

  private angle(c: string, next: string): void {
    if (next === "(") {
      const end = matchingClose(this.src, this.i + 1, "(", ")");
      this.risk("a process substitution");
      this.nested.push(this.src.slice(this.i + 2, end < 0 ? this.src.length : end));
      this.push("expansion", this.src.slice(this.i, end < 0 ? this.src.length : end + 1));
      this.i = end < 0 ? this.src.length : end + 1;
      return;
    }
    // A number right before the operator is the descriptor (2>file), not a word.
    if (this.parts.length > 0 && this.parts.every((p) => p.kind === "literal" && /^\d+$/.test(p.text))) {
      this.parts = [];
      this.inWord = false;
    } else {
      this.endWord();
    }
    let len = 1;
    const s = this.src;
    if (c === "<" && next === "<") {
      len = s[this.i + 2] === "<" ? 3 : 2;
      this.risk(len === 2 ? "a here-document" : "redirection");
      if (s[this.i + len] === "-") len++;
    } else {
      this.risk("redirection");
      if (next === ">" || next === "|" || next === "&" || (c === "<" && next === ">")) len = 2;
    }
    this.redirect(len);
  }

  private redirect(length: number): void {
    if (this.src[this.i] === "&") this.risk("redirection");
    this.endWord();
    this.i += length;
    this.redirectNext = true;
  }

  private literal(c: string): void {
    this.push("literal", c);
    this.i++;
  }

  private push(kind: WordPartKind, text: string): void {
    this.inWord = true;
    const last = this.parts[this.parts.length - 1];
    if (last && last.kind === kind && (kind === "literal" || kind === "quoted")) last.text += text;
    else this.parts.push({ kind, text });
  }

  private endWord(): void {
    if (this.inWord) {
      const word = { parts: this.parts };
      if (this.redirectNext) {
        this.current.redirects.push(word);
        this.redirectNext = false;
      } else {
        this.current.words.push(word);
      }
    }
    this.parts = [];
    this.inWord = false;
  }

  private endCommand(): void {
    this.endWord();
    if (this.current.words.length > 0 || this.current.redirects.length > 0) this.commands.push(this.current);
    this.current = { words: [], redirects: [] };
  }

  private risk(why: string): void {
    if (!this.risks.includes(why)) this.risks.push(why);
  }
}

/** Index of the bracket that closes the one at `open`, skipping quoted text; -1 when none. */
function matchingClose(s: string, open: number, opener: string, closer: string): number {
  let depth = 0;
  for (let j = open; j < s.length; j++) {
    const c = s[j];
    if (c === "\\") {
      j++;
    } else if (c === "'") {
      const end = s.indexOf("'", j + 1);
      if (end < 0) return -1;
      j = end;
    } else if (c === '"') {
      j++;
      while (j < s.length && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
    } else if (c === opener) {
      depth++;
    } else if (c === closer) {
      depth--;
      if (depth === 0) return j;
    }
  }
  return -1;
}
