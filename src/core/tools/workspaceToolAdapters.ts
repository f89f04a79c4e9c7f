import { createTwoFilesPatch } from "diff";
import * as z from "zod";
import { MAX_COMMAND_TIMEOUT_SECONDS } from "../common/timeLimits";
import { FileLedger, normalizePath, staleReadMessage } from "./fileLedger";
import { defineTool, ToolError, type AgentTool, type ToolContext } from "./toolDefinition";
import type { WorkspaceTools } from "./workspaceTools";
import type { ChangeRecorder } from "../changes/agentChanges";

/** The verdict of the approval step for one `run_command` call or one protected write. */
export type CommandVerdict = { run: true } | { run: false; message: string };

/** What the approval step is asked about. */
export type ApprovalRequest =
  | { kind: "command"; command: string; cwd?: string }
  /** A call of another extension's (or an MCP server's) tool; `input` is its JSON. */
  | { kind: "tool"; tool: string; input: string }
  /** `diff` is built only when the user has to see it. */
  | {
      kind: "write";
      tool: "write_file" | "edit_file";
      path: string;
      /** Where the path leads through symbolic links, when that differs. */
      realPath?: string;
      diff: () => Promise<string>;
    };

/**
 * Applies the approval policy to commands and to writes (and, on "ask",
 * waits for the user without a slot).
 */
export type CommandGate = (request: ApprovalRequest, context: ToolContext) => Promise<CommandVerdict>;

/** Diffs larger than this are cut in the approval view (the note says how much). */
const MAX_DIFF_CHARS = 20_000;

const MAX_LISTED = 500;
/** Matches shown to the model; the host may stop collecting at its own limit, so a count of the rest is a lower bound. */
const MAX_MATCHES = 200;

/*
 * Parameter schemas live at module level: every agent gets its own tool set
 * (its own ledger), but the schemas are the same, so their JSON schema is
 * converted once and zod compiles each parser once.
 */
const READ_FILE_PARAMETERS = z.object({
  path: z.string().min(1).describe("Workspace-relative path"),
  start_line: z.number().int().min(1).optional(),
  end_line: z.number().int().min(1).optional(),
});

const LIST_FILES_PARAMETERS = z.object({
  path: z.string().optional().describe("Workspace-relative folder; default the whole workspace"),
  glob: z.string().optional().describe("Glob such as **/*.ts"),
});

const SEARCH_TEXT_PARAMETERS = z.object({
  query: z.string().min(1),
  glob: z.string().optional().describe("Only files matching this glob"),
  regex: z.boolean().optional().describe("Treat query as a regular expression"),
});

const EDIT_FILE_PARAMETERS = z.object({
  path: z.string().min(1),
  old_text: z.string().min(1),
  new_text: z.string(),
});

const WRITE_FILE_PARAMETERS = z.object({ path: z.string().min(1), content: z.string() });

const RUN_COMMAND_PARAMETERS = z.object({
  command: z.string().min(1),
  cwd: z.string().optional().describe("Workspace-relative working directory"),
  timeout_seconds: z.number().positive().max(MAX_COMMAND_TIMEOUT_SECONDS).optional(),
});

const GET_DIAGNOSTICS_PARAMETERS = z.object({ path: z.string().optional() });

/**
 * The workspace tools as the model sees them (their names are a public contract): thin adapters
 * over the host's `WorkspaceTools` that add the file ledger and the approval
 * gate. One set per agent, because the ledger is that agent's view.
 */
export function createWorkspaceTools(
  workspace: WorkspaceTools,
  ledger: FileLedger,
  gate: CommandGate,
  recorder?: ChangeRecorder,
): AgentTool[] {
  const readFile = defineTool({
    name: "read_file",
    description:
      "Read a text file of the workspace. Optional 1-based start_line/end_line select a range. " +
      "Read a file before you edit or overwrite it: edits based on an out-of-date read are refused.",
    parameters: READ_FILE_PARAMETERS,
    async execute(args) {
      const range: { startLine?: number; endLine?: number } = {};
      if (args.start_line !== undefined) range.startLine = args.start_line;
      if (args.end_line !== undefined) range.endLine = args.end_line;
      const result = await workspace.readFile(args.path, range);
      ledger.recordRead(args.path, result.version);
      const from = args.start_line ?? 1;
      const to = Math.min(args.end_line ?? result.totalLines, result.totalLines);
      const header =
        from === 1 && to >= result.totalLines
          ? `${normalizePath(args.path)} (${result.totalLines} lines)`
          : `${normalizePath(args.path)} (lines ${from}-${to} of ${result.totalLines})`;
      return `${header}\n${result.text}`;
    },
  });

  const listFiles = defineTool({
    name: "list_files",
    description: "List workspace files under a folder, optionally filtered by a glob. Respects excludes and .gitignore.",
    parameters: LIST_FILES_PARAMETERS,
    async execute(args) {
      const options: { path?: string; glob?: string } = {};
      if (args.path !== undefined) options.path = args.path;
      if (args.glob !== undefined) options.glob = args.glob;
      const files = await workspace.listFiles(options);
      if (files.length === 0) return "No files matched.";
      const shown = files.slice(0, MAX_LISTED).join("\n");
      return files.length > MAX_LISTED ? `${shown}\n[${files.length - MAX_LISTED} more files not shown; narrow the glob]` : shown;
    },
  });

  const searchText = defineTool({
    name: "search_text",
    description: "Search file contents of the workspace. Returns matches as path:line: text.",
    parameters: SEARCH_TEXT_PARAMETERS,
    async execute(args) {
      const options: { query: string; glob?: string; regex?: boolean } = { query: args.query };
      if (args.glob !== undefined) options.glob = args.glob;
      if (args.regex !== undefined) options.regex = args.regex;
      const matches = await workspace.searchText(options);
      if (matches.length === 0) return "No matches.";
      const lines = matches.slice(0, MAX_MATCHES).map((m) => `${m.path}:${m.line}: ${m.text}`);
      if (matches.length > MAX_MATCHES) lines.push(`[at least ${matches.length - MAX_MATCHES} more matches not shown; refine the query]`);
      return lines.join("\n");
    },
  });

  /** The file as it is now ("" when it does not exist yet), for the diff shown with an approval. */
  const currentText = async (path: string): Promise<string> => {
    if ((await workspace.statVersion(path)) === undefined) return "";
    return (await workspace.readFile(path)).text;
  };

  /** The file's text, or null when it does not exist; only read when changes are recorded. */
  const textOrNull = (path: string): Promise<string | null> => wholeText(workspace, path);

  /** Runs a write and adds it to the agent's change set (before its first change, after its last). */
  const recorded = async <T>(path: string, context: ToolContext, write: () => Promise<T>): Promise<T> => {
    if (!recorder) return write();
    let before: string | null;
    try {
      before = await textOrNull(path);
    } catch {
      // Unreadable as text (binary, too large): written as asked, but not revertible, so not recorded.
      return write();
    }
    const result = await write();
    try {
      recorder.recordChange(context.agentId, normalizePath(path), before, await textOrNull(path));
    } catch {
      // The write happened; a change set that cannot read the file back must not turn it into a tool error.
    }
    return result;
  };

  const approveWrite = async (request: ApprovalRequest & { kind: "write" }, context: ToolContext): Promise<void> => {
    const real = await workspace.realPath?.(request.path);
    if (real !== undefined && normalizePath(real) !== normalizePath(request.path)) request.realPath = real;
    const verdict = await gate(request, context);
    if (!verdict.run) throw new ToolError(verdict.message);
  };

  /** The core's own stale check gives a clear message even if the host's check words it differently. */
  const assertFresh = async (path: string): Promise<string | undefined> => {
    const known = ledger.versionOf(path);
    if (known === undefined) return undefined;
    const current = await workspace.statVersion(path);
    if (current !== known) throw new ToolError(staleReadMessage(path));
    return known;
  };

  const editFile = defineTool({
    name: "edit_file",
    description:
      "Replace exactly one occurrence of old_text with new_text in a file. Fails when old_text is missing or " +
      "ambiguous, or when the file changed since you read it.",
    parameters: EDIT_FILE_PARAMETERS,
    async execute(args, context) {
      const expectedVersion = await assertFresh(args.path);
      await approveWrite(
        { kind: "write", tool: "edit_file", path: args.path, diff: async () => editDiff(args.path, await currentText(args.path), args.old_text, args.new_text) },
        context,
      );
      const options: { path: string; oldText: string; newText: string; expectedVersion?: string } = {
        path: args.path,
        oldText: args.old_text,
        newText: args.new_text,
      };
      if (expectedVersion !== undefined) options.expectedVersion = expectedVersion;
      const written = await recorded(args.path, context, () => workspace.editFile(options));
      ledger.recordWrite(args.path, written.version);
      return `Edited ${normalizePath(args.path)}.`;
    },
  });

  const writeFile = defineTool({
    name: "write_file",
    description: "Create a file or replace its whole content. Read an existing file first; a stale read is refused.",
    parameters: WRITE_FILE_PARAMETERS,
    async execute(args, context) {
      const expectedVersion = await assertFresh(args.path);
      if (expectedVersion === undefined) {
        const existing = await workspace.statVersion(args.path);
        if (existing !== undefined) {
          throw new ToolError(
            `${normalizePath(args.path)} already exists and you have not read it. Read it with read_file first ` +
              `(or use edit_file), so that you do not overwrite changes you have not seen.`,
          );
        }
      }
      await approveWrite(
        { kind: "write", tool: "write_file", path: args.path, diff: async () => fileDiff(args.path, await currentText(args.path), args.content) },
        context,
      );
      const options: { path: string; content: string; expectedVersion?: string } = {
        path: args.path,
        content: args.content,
      };
      if (expectedVersion !== undefined) options.expectedVersion = expectedVersion;
      const written = await recorded(args.path, context, () => workspace.writeFile(options));
      ledger.recordWrite(args.path, written.version);
      return `Wrote ${normalizePath(args.path)} (${args.content.length} characters).`;
    },
  });

  const runCommand = defineTool({
    name: "run_command",
    description:
      "Run a shell command in the workspace (subject to the user's approval policy). Returns exit code and output.",
    parameters: RUN_COMMAND_PARAMETERS,
    async execute(args, context) {
      const request: { command: string; cwd?: string } = { command: args.command };
      if (args.cwd !== undefined) request.cwd = args.cwd;
      const verdict = await gate({ kind: "command", ...request }, context);
      if (!verdict.run) throw new ToolError(verdict.message);
      const result = await workspace.runCommand({
        ...request,
        ...(args.timeout_seconds !== undefined ? { timeoutSeconds: args.timeout_seconds } : {}),
        signal: context.signal,
      });
      const notes = [
        `exit code ${result.exitCode === null ? "none (killed)" : result.exitCode}`,
        ...(result.timedOut ? ["timed out"] : []),
        ...(result.truncated ? ["output truncated"] : []),
      ];
      return `${notes.join(", ")}\n${result.output}`;
    },
  });

  const getDiagnostics = defineTool({
    name: "get_diagnostics",
    description: "Problems (errors, warnings) reported by the language services, for one file or the workspace.",
    parameters: GET_DIAGNOSTICS_PARAMETERS,
    async execute(args) {
      const problems = await workspace.getDiagnostics(args.path);
      if (problems.length === 0) return "No problems.";
      return problems.map((p) => `${p.path}:${p.line}: ${p.severity}: ${p.message}`).join("\n");
    },
  });

  return [readFile, listFiles, searchText, editFile, writeFile, runCommand, getDiagnostics] as AgentTool[];
}

/** The file's exact text, or null when it does not exist. */
export async function wholeText(workspace: WorkspaceTools, path: string): Promise<string | null> {
  if (workspace.readText) return (await workspace.readText(path)) ?? null;
  return (await workspace.statVersion(path)) === undefined ? null : (await workspace.readFile(path)).text;
}

function fileDiff(path: string, before: string, after: string): string {
  const name = normalizePath(path);
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
  if (patch.length <= MAX_DIFF_CHARS) return patch;
  return `${patch.slice(0, MAX_DIFF_CHARS)}\n[… ${patch.length - MAX_DIFF_CHARS} more characters of the diff not shown …]\n`;
}

/** The change an edit would make; when old_text does not match once, the edit will fail, so its two texts are shown. */
function editDiff(path: string, before: string, oldText: string, newText: string): string {
  const at = before.indexOf(oldText);
  if (at >= 0 && before.indexOf(oldText, at + 1) < 0) {
    return fileDiff(path, before, before.slice(0, at) + newText + before.slice(at + oldText.length));
  }
  return fileDiff(path, oldText, newText);
}
