import type { Logger } from "../common/logger";
import { fingerprint } from "./fingerprint";

/**
 * Removes API keys from text before it is shown, stored, sent or logged.
 *
 * Known keys (every key of every pool) are found as any 8-character piece,
 * because a tool or a provider may print a key cut, masked or wrapped. An
 * attacker who wants a key out through a tool's output will encode it, so
 * pieces are also looked for
 * - case-folded and reversed,
 * - percent-, `\xHH`-, `\uHHHH`- and `&#…;`-decoded, with whitespace and ASCII
 *   punctuation removed (URL-encoded keys, JSON escapes, `fold`-ed, wrapped,
 *   `od -c` or comma-separated output),
 * - as hex (`xxd -p`, `od`),
 * - as base64 and base64url at each of the three byte alignments, which also
 *   covers the base64 of any framing around the key (`Bearer <key>`,
 *   `user:<key>` of Basic auth, `KEY=<key>` lines of an env file).
 * What is cut becomes `[redacted key …abcd]` (the fingerprint only).
 *
 * For logs and error messages a second net removes bearer tokens, key
 * assignments and the key shapes of common providers, for keys we do not
 * hold. It is not applied to file contents or command output, where it would
 * corrupt ordinary code the agents read and edit.
 */

const REDACTED = "[redacted]";
const WINDOW = 8;
const HEX_WINDOW = 16;

/**
 * Provider-sealed blobs that a conversation hands back unchanged, found only
 * in the items of an assistant turn's `replay` state, by the `type` of the
 * item: the encrypted content of a Responses reasoning item, the signature of
 * an Anthropic thinking block, the data of a redacted one. They are
 * ciphertext or signatures the provider issued, not text anyone wrote, and
 * one changed byte makes the provider refuse the request. The items' readable
 * parts (summaries, thinking text) are redacted as usual. The exemption
 * follows the shape (any `replay` object with `items`), not who wrote it,
 * and it is safe for that: a sealed field is kept only when redaction would
 * leave it unchanged anyway, and an item whose sealed field holds a piece of
 * a key is dropped whole (see `sealsSecret`). So is a thinking block whose
 * text holds one: its signature covers the text, so a redacted text would
 * make the provider refuse the whole request.
 */
const REPLAY_FIELD = "replay";
const SEALED_FIELDS: ReadonlyMap<string, string> = new Map([
  ["reasoning", "encrypted_content"],
  ["thinking", "signature"],
  ["redacted_thinking", "data"],
]);
/** Readable fields a sealed field signs: redacting one breaks the signature. */
const SIGNED_FIELDS: ReadonlyMap<string, string> = new Map([["thinking", "thinking"]]);

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+(?!\[redacted)[^\s"',;]+/gi, `$1 ${REDACTED}`],
  [/\b((?:x-)?api[-_]?key|authorization|access[-_]?token|secret)(["']?\s*[:=]\s*["']?)(?!\[redacted)[^\s"',;}]+/gi, `$1$2${REDACTED}`],
  // OpenAI-style (also Moonshot, DeepSeek, OpenRouter "sk-or-…", Anthropic "sk-ant-…"), masked forms included.
  [/\b(?:sk|pk|rk)-[A-Za-z0-9_\-*.]{6,}/g, `sk-${REDACTED}`],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, REDACTED],
  [/\b(?:gsk|xai|hf)[-_][A-Za-z0-9]{16,}/g, REDACTED],
];

/** Pieces to look for, by view and length, each mapped to the index of its key. */
interface KeyMatcher {
  readonly fingerprints: string[];
  /** Case-folded view: pieces of the key, reversed, and its hex. */
  readonly folded: Map<number, Map<string, number>>;
  /** Case-kept view: pieces of the key's base64. */
  readonly base64: Map<number, Map<string, number>>;
  /** Length of the shortest piece. */
  shortest: number;
  foldedSets: PieceSet[];
  base64Sets: PieceSet[];
}

function addPiece(into: Map<number, Map<string, number>>, piece: string, keyIndex: number): void {
  let byText = into.get(piece.length);
  if (!byText) into.set(piece.length, (byText = new Map()));
  if (!byText.has(piece)) byText.set(piece, keyIndex);
}

function addWindows(into: Map<number, Map<string, number>>, text: string, size: number, keyIndex: number, step = 1): void {
  if (text.length <= size) {
    addPiece(into, text, keyIndex);
    return;
  }
  for (let i = 0; i + size <= text.length; i += step) addPiece(into, text.slice(i, i + size), keyIndex);
}

/** Base64 characters that depend only on key bytes, for each of the three alignments the key can have in a longer text. */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const encoded = padded.toString("base64");
    const firstGroup = Math.ceil(shift / 3);
    const endGroup = Math.floor((shift + bytes.length) / 3);
    if (endGroup > firstGroup) cores.push(encoded.slice(firstGroup * 4, endGroup * 4));
  }
  return cores;
}

function compile(keys: readonly string[]): KeyMatcher {
  const matcher: KeyMatcher = { fingerprints: [], folded: new Map(), base64: new Map(), shortest: Infinity, foldedSets: [], base64Sets: [] };
  keys.forEach((key, index) => {
    matcher.fingerprints.push(fingerprint(key));
    const folded = foldAscii(key.replace(SEPARATORS, ""));
    if (folded === "") return;
    // A key shorter than a window (only older stored ones can be) is looked for whole.
    const size = Math.min(WINDOW, folded.length);
    addWindows(matcher.folded, folded, size, index);
    addWindows(matcher.folded, [...folded].reverse().join(""), size, index);
    const bytes = Buffer.from(key, "utf8");
    if (bytes.length >= WINDOW) {
      addWindows(matcher.folded, bytes.toString("hex"), HEX_WINDOW, index, 2);
      for (const core of base64Cores(bytes)) addWindows(matcher.base64, core, WINDOW, index);
    }
  });
  matcher.shortest = Math.min(...matcher.folded.keys(), ...matcher.base64.keys());
  matcher.foldedSets = pieceSets(matcher.folded);
  matcher.base64Sets = pieceSets(matcher.base64);
  return matcher;
}

/** Lower-cases ASCII letters only, so positions stay aligned with the original text. */
function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** A normalised copy of the text and, for each of its characters, the span of the original it came from. */
interface View {
  text: string;
  from: Int32Array;
  to: Int32Array;
}

const ESCAPE = /^(?:%([0-9a-fA-F]{2})|\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})|\\u\{([0-9a-fA-F]{1,6})\}|&#[xX]([0-9a-fA-F]{1,6});|&#([0-9]{1,7});)/;

/** ASCII punctuation and whitespace: skipped in the folded view, so `s,k,-,a…` or `s k - a` still match. */
const SEPARATORS = /[\s!-/:-@[-`{-~]+/g;

function isSeparator(code: number): boolean {
  return isSpace(code) || (code >= 33 && code <= 47) || (code >= 58 && code <= 64) || (code >= 91 && code <= 96) || (code >= 123 && code <= 126);
}

/** Whitespace as `\s` sees it, by code unit (a regex per character is too slow for large outputs). */
function isSpace(code: number): boolean {
  return (
    code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}

function foldedView(text: string): View {
  const out: string[] = [];
  const from = new Int32Array(text.length);
  const to = new Int32Array(text.length);
  let n = 0;
  let run = 0;
  // Plain characters are copied in runs; only escapes and spaces break a run.
  const flush = (end: number) => {
    if (end > run) out.push(foldAscii(text.slice(run, end)));
  };
  for (let i = 0; i < text.length; ) {
    const code = text.charCodeAt(i);
    if (code === 37 || code === 92 || code === 38) {
      const m = ESCAPE.exec(text.slice(i, i + 12));
      if (m) {
        flush(i);
        const hex = m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5];
        const point = hex !== undefined ? parseInt(hex, 16) : parseInt(m[6] ?? "0", 10);
        const decoded = point <= 0x10ffff ? String.fromCodePoint(point) : "";
        if (decoded.length === 1 && !isSeparator(decoded.charCodeAt(0))) {
          out.push(foldAscii(decoded));
          from[n] = i;
          to[n] = i + m[0].length;
          n++;
        }
        i += m[0].length;
        run = i;
        continue;
      }
    }
    if (isSeparator(code)) {
      flush(i);
      i++;
      run = i;
      continue;
    }
    from[n] = i;
    to[n] = i + 1;
    n++;
    i++;
  }
  flush(text.length);
  return { text: out.join(""), from, to };
}

function base64View(text: string): View {
  const from = new Int32Array(text.length);
  const to = new Int32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (isSpace(text.charCodeAt(i))) continue;
    from[n] = i;
    to[n] = i + 1;
    n++;
  }
  const compact = n === text.length ? text : text.replace(/\s+/g, "");
  return { text: compact.replace(/-/g, "+").replace(/_/g, "/"), from, to };
}

/** Polynomial hash of `text[from, from + size)`, in 32 bits. */
function hashOf(text: string, from: number, size: number): number {
  let h = 0;
  for (let i = from; i < from + size; i++) h = (Math.imul(h, HASH_BASE) + text.charCodeAt(i)) | 0;
  return h;
}

const HASH_BASE = 257;

/** Pieces of one length, found by a rolling hash so that no substring is built unless the hash matches. */
interface PieceSet {
  size: number;
  byText: Map<string, number>;
  hashes: Set<number>;
  /** HASH_BASE^(size-1), to drop the character leaving the window. */
  high: number;
}

function pieceSets(pieces: Map<number, Map<string, number>>): PieceSet[] {
  return [...pieces].map(([size, byText]) => {
    let high = 1;
    for (let i = 1; i < size; i++) high = Math.imul(high, HASH_BASE);
    return { size, byText, hashes: new Set([...byText.keys()].map((piece) => hashOf(piece, 0, size))), high };
  });
}

/** Marks the spans of the original text that hold a piece of a key; cell = key index + 1. */
function mark(covered: Int32Array, view: View, sets: readonly PieceSet[]): boolean {
  let any = false;
  const text = view.text;
  for (const { size, byText, hashes, high } of sets) {
    if (text.length < size) continue;
    let h = hashOf(text, 0, size);
    for (let j = 0; ; j++) {
      if (hashes.has(h)) {
        const keyIndex = byText.get(text.slice(j, j + size));
        if (keyIndex !== undefined) {
          const start = view.from[j] as number;
          const end = view.to[j + size - 1] as number;
          for (let p = start; p < end; p++) if (covered[p] === 0) covered[p] = keyIndex + 1;
          any = true;
        }
      }
      if (j + size >= text.length) break;
      h = (Math.imul(h - Math.imul(text.charCodeAt(j), high), HASH_BASE) + text.charCodeAt(j + size)) | 0;
    }
  }
  return any;
}

function cut(text: string, covered: Int32Array, fingerprints: readonly string[]): string {
  let result = "";
  for (let i = 0; i < text.length; ) {
    const owner = covered[i] as number;
    if (owner === 0) {
      result += text[i];
      i++;
      continue;
    }
    while (i < text.length && covered[i] !== 0) i++;
    result += `[redacted key ${fingerprints[owner - 1] ?? "…"}]`;
  }
  return result;
}

function redactWith(text: string, matcher: KeyMatcher): string {
  // Status words, ids and numbers are shorter than any piece: nothing to look at.
  if (matcher.fingerprints.length === 0 || text.length < matcher.shortest) return text;
  const covered = new Int32Array(text.length);
  const a = mark(covered, foldedView(text), matcher.foldedSets);
  const b = matcher.base64Sets.length > 0 && mark(covered, base64View(text), matcher.base64Sets);
  return a || b ? cut(text, covered, matcher.fingerprints) : text;
}

/**
 * Redacts with the keys of the moment. The compiled key set is kept until
 * the keys change, and results for long texts are remembered, because the
 * same conversation is redacted again on every request.
 */
export class SecretRedactor {
  private matcherKeys = "";
  private matcher: KeyMatcher = compile([]);
  private readonly remembered = new Map<string, string>();
  private rememberedValues = new WeakMap<object, unknown>();

  constructor(private readonly keys: () => Iterable<string>) {}

  /** Known keys only: for content (tool results, transcripts, the tree, request bodies). */
  redact(text: string): string {
    return this.redactWithMatcher(text, this.current());
  }

  private redactWithMatcher(text: string, matcher: KeyMatcher): string {
    if (text.length < 512) return redactWith(text, matcher);
    const known = this.remembered.get(text);
    if (known !== undefined) return known;
    const result = redactWith(text, matcher);
    if (this.remembered.size >= 256) this.remembered.clear();
    this.remembered.set(text, result);
    return result;
  }

  /** Known keys and secret-shaped patterns: for log lines and error messages. */
  redactMessage(text: string): string {
    return redactPatterns(this.redact(text));
  }

  /** A copy of a JSON-like value with every string redacted (keys of objects included). */
  redactDeep<T>(value: T): T {
    // One look at the key set per structure, not per string.
    return this.deep(value, this.current()) as T;
  }

  /**
   * `redactDeep` for each value of a list whose values are never changed in
   * place (the messages of a conversation): a value redacted before with the
   * same keys is taken from memory, because every turn sends the whole
   * conversation again.
   */
  redactEach<T extends object>(values: readonly T[]): T[] {
    const matcher = this.current();
    return values.map((value) => {
      const known = this.rememberedValues.get(value);
      if (known !== undefined) return known as T;
      const redacted = this.deep(value, matcher) as T;
      this.rememberedValues.set(value, redacted);
      return redacted;
    });
  }

  private deep(value: unknown, matcher: KeyMatcher, replayItem = false): unknown {
    if (typeof value === "string") return this.redactWithMatcher(value, matcher);
    if (Array.isArray(value)) return value.map((v) => this.deep(v, matcher));
    if (isPlainObject(value)) {
      const type = value.type;
      const sealed = replayItem && typeof type === "string" ? SEALED_FIELDS.get(type) : undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === sealed && typeof v === "string") out[k] = v;
        else if (k === REPLAY_FIELD && isPlainObject(v) && Array.isArray(v.items)) out[k] = this.replay(v, v.items, matcher);
        else out[this.redactWithMatcher(k, matcher)] = this.deep(v, matcher);
      }
      return out;
    }
    return value;
  }

  /** A replay state: its items may hold sealed fields; everything else is redacted. */
  private replay(state: Record<string, unknown>, items: unknown[], matcher: KeyMatcher): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(state)) {
      out[this.redactWithMatcher(k, matcher)] = k === "items" ? items.filter((item) => !this.sealsSecret(item, matcher)).map((item) => this.deep(item, matcher, true)) : this.deep(v, matcher);
    }
    return out;
  }

  /**
   * A sealed blob is kept byte-exact only while it holds nothing redaction
   * would cut: an endpoint could seal a key into one. Such an item is
   * dropped whole (a turn replays without it, as one from before it was
   * kept), and so is one whose signed text redaction would change.
   */
  private sealsSecret(item: unknown, matcher: KeyMatcher): boolean {
    if (!isPlainObject(item) || typeof item.type !== "string") return false;
    const changed = (field: string | undefined) => {
      const value = field === undefined ? undefined : item[field];
      return typeof value === "string" && this.redactWithMatcher(value, matcher) !== value;
    };
    return changed(SEALED_FIELDS.get(item.type)) || changed(SIGNED_FIELDS.get(item.type));
  }

  private current(): KeyMatcher {
    const keys = [...new Set(this.keys())].filter((k) => k.length > 0).sort();
    const id = keys.join("\u0000");
    if (id !== this.matcherKeys) {
      this.matcherKeys = id;
      this.matcher = compile(keys);
      this.remembered.clear();
      this.rememberedValues = new WeakMap();
    }
    return this.matcher;
  }
}

/** Known keys and patterns, for one-off messages. */
export function redactSecrets(text: string, knownKeys: Iterable<string> = []): string {
  return redactPatterns(redactWith(text, compile([...new Set(knownKeys)].filter((k) => k.length > 0))));
}

function redactPatterns(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A logger that redacts every line; `knownKeys` is read per line so new keys are covered at once. */
export function redactingLogger(inner: Logger, knownKeys: () => Iterable<string>): Logger {
  const redactor = new SecretRedactor(knownKeys);
  const wrap = (write: (message: string) => void) => (message: string) => write(redactor.redactMessage(message));
  return {
    trace: wrap((m) => inner.trace(m)),
    debug: wrap((m) => inner.debug(m)),
    info: wrap((m) => inner.info(m)),
    warn: wrap((m) => inner.warn(m)),
    error: wrap((m) => inner.error(m)),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype;
}
