/**
 * Splits a Markdown file into its YAML front matter and body. Only the fences
 * are found here (a `---` first line, then a `---` or `...` line); the YAML
 * itself is parsed by the `yaml` package.
 */
export interface FrontMatterSplit {
  /** Offset of the opening fence's first character (1 after a BOM). */
  openOffset: number;
  /** Offset just after the opening fence's text (before its line break). */
  openEnd: number;
  /** Offset where the YAML text starts (the line after the opening fence). */
  yamlOffset: number;
  /** Offset where the YAML text ends (start of the closing fence, or end of file). */
  yamlEnd: number;
  /** The closing fence, when there is one. */
  close: { start: number; end: number } | undefined;
  /** Offset where the Markdown body starts (after the closing fence's line). */
  bodyOffset: number;
}

const FENCE = /^---[ \t]*$/;
const CLOSING_FENCE = /^(---|\.\.\.)[ \t]*$/;

export function splitFrontMatter(text: string): FrontMatterSplit | undefined {
  const openOffset = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const first = readLine(text, openOffset);
  if (!FENCE.test(first.text)) return undefined;
  const yamlOffset = first.next;
  let at = yamlOffset;
  while (at < text.length) {
    const line = readLine(text, at);
    if (CLOSING_FENCE.test(line.text)) {
      return {
        openOffset,
        openEnd: first.end,
        yamlOffset,
        yamlEnd: at,
        close: { start: at, end: line.end },
        bodyOffset: line.next,
      };
    }
    at = line.next;
  }
  return { openOffset, openEnd: first.end, yamlOffset, yamlEnd: text.length, close: undefined, bodyOffset: text.length };
}

function readLine(text: string, start: number): { text: string; end: number; next: number } {
  let end = start;
  while (end < text.length && text[end] !== "\n" && text[end] !== "\r") end++;
  let next = end;
  if (text[next] === "\r") next++;
  if (text[next] === "\n") next++;
  return { text: text.slice(start, end), end, next };
}
