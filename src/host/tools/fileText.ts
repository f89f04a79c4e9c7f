import { createHash } from "node:crypto";

/** Files larger than this are refused by read_file even with a line range. */
export const MAX_READ_BYTES = 8 * 1024 * 1024;
/** Characters of one read_file answer; longer answers stop at a line boundary with a note. */
export const MAX_READ_CHARS = 100_000;

/** Git's heuristic: a NUL byte in the first 8 KB means binary. */
export function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 8000);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/**
 * Version token of a text as the agent saw it. A content hash rather than
 * mtime, because an unsaved editor buffer has no mtime and two saves within
 * one mtime tick would look equal.
 */
export function contentVersion(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

export function countLines(text: string): number {
  if (text === "") return 0;
  const lines = text.split("\n").length;
  return text.endsWith("\n") ? lines - 1 : lines;
}

/** 1-based inclusive line range; out-of-range requests get a message the model can act on. */
export function sliceLines(
  text: string,
  range: { startLine?: number; endLine?: number } | undefined,
  maxChars = MAX_READ_CHARS,
): { text: string; totalLines: number } {
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();
  const totalLines = text === "" ? 0 : lines.length;
  const start = range?.startLine ?? 1;
  const end = Math.min(range?.endLine ?? totalLines, totalLines);
  if (!Number.isInteger(start) || start < 1) throw new Error(`start_line must be 1 or more (got ${start}).`);
  if (range?.endLine !== undefined && (!Number.isInteger(range.endLine) || range.endLine < start)) {
    throw new Error(`end_line must be at least start_line (got ${range.startLine ?? 1}–${range.endLine}).`);
  }
  if (totalLines > 0 && start > totalLines) {
    throw new Error(`start_line ${start} is past the end of the file (${totalLines} lines).`);
  }
  const picked: string[] = [];
  let used = 0;
  let last = start - 1;
  for (let n = start; n <= end; n++) {
    const line = lines[n - 1] ?? "";
    if (used + line.length + 1 > maxChars && picked.length > 0) break;
    picked.push(line);
    used += line.length + 1;
    last = n;
  }
  let out = picked.join("\n");
  if (last < end) {
    out += `\n[truncated: showing lines ${start}–${last} of ${totalLines}; read the rest with start_line=${last + 1}]`;
  }
  return { text: out, totalLines };
}

/**
 * Finds the single occurrence of `oldText`. When the file uses CRLF and the
 * model wrote LF (models almost always do), the LF form is matched against
 * the CRLF text, and `newText` gets the file's line endings.
 */
export function locateUniqueEdit(
  text: string,
  oldText: string,
  newText: string,
  displayPath: string,
): { offset: number; length: number; replacement: string } {
  if (oldText === "") throw new Error(`old_text is empty; to replace the whole of ${displayPath}, use write_file.`);
  const candidates: Array<[string, string]> = [[oldText, newText]];
  if (text.includes("\r\n") && !oldText.includes("\r\n") && oldText.includes("\n")) {
    candidates.push([oldText.replace(/\n/g, "\r\n"), newText.replace(/\r?\n/g, "\r\n")]);
  }
  for (const [needle, replacement] of candidates) {
    const first = text.indexOf(needle);
    if (first < 0) continue;
    const second = text.indexOf(needle, first + 1);
    if (second >= 0) {
      const count = countOccurrences(text, needle);
      throw new Error(
        `old_text matches ${count} places in ${displayPath}; include more surrounding lines so it matches exactly one.`,
      );
    }
    return { offset: first, length: needle.length, replacement };
  }
  throw new Error(`old_text was not found in ${displayPath}; read the file again and copy the text exactly.`);
}

function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) count++;
  return count;
}

/** The stale-read rule, so two agents editing one file never silently overwrite each other: the message names the file and says what to do. */
export function assertFresh(displayPath: string, expected: string | undefined, actual: string | undefined): void {
  if (expected === undefined || expected === actual) return;
  const what = actual === undefined ? "was deleted" : "changed";
  throw new Error(
    `${displayPath} ${what} since you read it (another agent or the user edited it). Read it again, then redo the edit.`,
  );
}
