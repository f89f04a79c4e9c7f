import { createHash } from "node:crypto";

/**
 * Tool results too large for the conversation are kept whole beside the
 * agent's transcript; the model sees their head and tail and reads the rest
 * with `read_file` on a path under this prefix. The prefix cannot name a
 * workspace file by accident in practice, and the workspace tools refuse to
 * write under it.
 */
export const STORED_OUTPUT_PREFIX = "@tool-output/";

/** Storage of whole tool results, per agent; the host writes files under workspace storage. */
export interface ToolOutputStore {
  save(agentId: string, name: string, content: string): Promise<void>;
  /** undefined when the agent has no stored output of that name. */
  read(agentId: string, name: string): Promise<string | undefined>;
}

/** Names the store accepts: no separators, no `..`, so a name can never leave the agent's folder. */
const NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,119}$/;

export function isStoredOutputName(name: string): boolean {
  return NAME_PATTERN.test(name) && !name.includes("..");
}

/** The file name of a call's stored result (plain call ids kept readable, others hashed). */
export function storedOutputName(callId: string): string {
  const plain = /^[A-Za-z0-9_-]{1,100}$/.test(callId) ? callId : createHash("sha256").update(callId).digest("hex").slice(0, 32);
  return `${plain}.txt`;
}

/** The stored output's name when `path` points at one (checked), "invalid" when it tries to and fails, undefined otherwise. */
export function storedOutputPath(path: string): string | "invalid" | undefined {
  const trimmed = path.trim();
  if (!trimmed.startsWith(STORED_OUTPUT_PREFIX)) return undefined;
  const name = trimmed.slice(STORED_OUTPUT_PREFIX.length);
  return isStoredOutputName(name) ? name : "invalid";
}

export interface HeadAndTail {
  head: string;
  tail: string;
  /** Last line (1-based) wholly or partly in the head. */
  headEndLine: number;
  /** First line (1-based) wholly or partly in the tail. */
  tailStartLine: number;
  totalLines: number;
  cutChars: number;
}

/**
 * The first and last parts of `text` within `limit` characters in all (about
 * 60% head, 40% tail), cut at line ends where one is near, so that what the
 * model sees starts and ends on whole lines where possible.
 */
export function headAndTail(text: string, limit: number): HeadAndTail {
  const totalLines = countLines(text);
  const headBudget = Math.floor(limit * 0.6);
  const tailBudget = Math.max(0, limit - headBudget);
  let headEnd = headBudget;
  const lastBreak = text.lastIndexOf("\n", headBudget);
  if (lastBreak > headBudget * 0.8) headEnd = lastBreak + 1;
  let tailStart = text.length - tailBudget;
  const nextBreak = text.indexOf("\n", tailStart);
  if (nextBreak >= 0 && nextBreak < tailStart + tailBudget * 0.2) tailStart = nextBreak + 1;
  if (tailStart < headEnd) tailStart = headEnd;
  const head = text.slice(0, headEnd);
  const tail = text.slice(tailStart);
  return {
    head,
    tail,
    headEndLine: lineAt(text, Math.max(0, headEnd - 1)),
    tailStartLine: lineAt(text, Math.min(tailStart, Math.max(0, text.length - 1))),
    totalLines,
    cutChars: text.length - head.length - tail.length,
  };
}

/** The 1-based line of the character at `index`. */
function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < index; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Lines as an editor counts them: a trailing newline does not start another line. */
export function countLines(text: string): number {
  if (text === "") return 0;
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return text.endsWith("\n") ? n - 1 : n;
}

/** Lines `start`..`end` (1-based, inclusive, clamped) of `text`. */
export function lineRange(text: string, start = 1, end?: number): { text: string; from: number; to: number; totalLines: number } {
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();
  const totalLines = lines.length;
  const from = Math.max(1, start);
  const to = Math.min(end ?? totalLines, totalLines);
  return { text: from > to ? "" : lines.slice(from - 1, to).join("\n"), from, to, totalLines };
}

/**
 * What the model gets for a result over `limit`: head, a note of what was
 * cut and how to read it, tail. `storedAs` is the stored copy's name, or
 * undefined when it could not be kept (then the note says so).
 */
export function shortenedToolResult(content: string, limit: number, storedAs: string | undefined): string {
  // The note takes room of its own; keep the whole within the limit.
  const cut = headAndTail(content, Math.max(200, limit - 400));
  const where =
    storedAs === undefined
      ? "The whole result could not be kept; run the tool again with a narrower request."
      : `The whole result (${cut.totalLines} lines) is stored as "${STORED_OUTPUT_PREFIX}${storedAs}": ` +
        `call read_file with that path and start_line/end_line to read it; the cut part is lines ${cut.headEndLine}-${cut.tailStartLine}.`;
  return (
    `${cut.head}${cut.head.endsWith("\n") ? "" : "\n"}` +
    `[… ${cut.cutChars.toLocaleString("en-US")} of ${content.length.toLocaleString("en-US")} characters cut from the middle of this result. ${where}]\n` +
    cut.tail
  );
}
