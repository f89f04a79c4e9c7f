import type { Logger } from "../common/logger";

/**
 * Removes secrets from text that may reach a log, an error message or the UI,
 * where only a key's 4-character fingerprint may appear. Two nets, because either alone leaks:
 * - known keys: every 8-character piece of a key we hold is cut out, so a
 *   provider that echoes a truncated or masked key ("sk-abc1****wxyz") leaks
 *   nothing recognisable;
 * - patterns: bearer tokens, `api_key=` style assignments and the key shapes
 *   of common providers, for keys we do not hold (for example a key typed into
 *   a settings value or echoed by a proxy).
 */

const REDACTED = "[redacted]";
const WINDOW = 8;

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`],
  [/\b((?:x-)?api[-_]?key|authorization|access[-_]?token|secret)(["']?\s*[:=]\s*["']?)(?!\[redacted\])[^\s"',;}]+/gi, `$1$2${REDACTED}`],
  // OpenAI-style (also Moonshot, DeepSeek, OpenRouter "sk-or-…", Anthropic "sk-ant-…"), masked forms included.
  [/\b(?:sk|pk|rk)-[A-Za-z0-9_\-*.]{6,}/g, `sk-${REDACTED}`],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, REDACTED],
  [/\b(?:gsk|xai|hf)[-_][A-Za-z0-9]{16,}/g, REDACTED],
];

export function redactSecrets(text: string, knownKeys: Iterable<string> = []): string {
  return redactPatterns(redactKnownKeys(text, knownKeys));
}

function redactKnownKeys(text: string, knownKeys: Iterable<string>): string {
  const windows = new Set<string>();
  const shortKeys: string[] = [];
  for (const key of knownKeys) {
    if (key.length < WINDOW) {
      if (key.length >= 4) shortKeys.push(key);
      continue;
    }
    for (let i = 0; i + WINDOW <= key.length; i++) windows.add(key.slice(i, i + WINDOW));
  }
  let out = text;
  if (windows.size > 0 && out.length >= WINDOW) {
    // Mark every position covered by a window of a known key, then cut merged runs.
    const covered = new Uint8Array(out.length);
    let any = false;
    for (let i = 0; i + WINDOW <= out.length; i++) {
      if (windows.has(out.slice(i, i + WINDOW))) {
        covered.fill(1, i, i + WINDOW);
        any = true;
      }
    }
    if (any) {
      let result = "";
      for (let i = 0; i < out.length; ) {
        if (covered[i]) {
          while (i < out.length && covered[i]) i++;
          result += REDACTED;
        } else {
          result += out[i];
          i++;
        }
      }
      out = result;
    }
  }
  for (const key of shortKeys) out = out.split(key).join(REDACTED);
  return out;
}

function redactPatterns(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A logger that redacts every line; `knownKeys` is read per line so new keys are covered at once. */
export function redactingLogger(inner: Logger, knownKeys: () => Iterable<string>): Logger {
  const wrap = (write: (message: string) => void) => (message: string) => write(redactSecrets(message, knownKeys()));
  return {
    trace: wrap((m) => inner.trace(m)),
    debug: wrap((m) => inner.debug(m)),
    info: wrap((m) => inner.info(m)),
    warn: wrap((m) => inner.warn(m)),
    error: wrap((m) => inner.error(m)),
  };
}
