import * as z from "zod";
import { MAX_TIMEOUT_SECONDS } from "../common/timeLimits";
import { agentSnapshotSchema, keyPoolSummarySchema } from "./agentSnapshot";

/**
 * Every message between the extension host and the agent-tree webview, one
 * zod schema per message type. Both sides import this file: the host parses
 * everything the webview sends (and drops what does not parse), the webview
 * parses everything the host sends.
 */

/** "Extend timeout" adds this much; the row's button and context menu say "5 minutes". */
export const EXTEND_TIMEOUT_SECONDS = 300;
/** Upper bound of a follow-up message typed into the view. */
export const MAX_MESSAGE_CHARS = 20_000;

/** An agent id or approval request id coming from the page: a short, non-empty string. */
export const agentIdSchema = z.string().min(1).max(256);
export const requestIdSchema = z.string().min(1).max(256);

// ---------------------------------------------------------------- host → webview

const updateHeader = {
  /** Increases by one per message of a webview session; a gap means a lost message. */
  seq: z.number().int().min(0),
  /** Host clock (epoch ms) when the message was built; the webview derives its clock offset from it. */
  hostNow: z.number(),
};

/** The whole tree; sent after every `ready` and whenever the host restarts the stream. */
export const snapshotMessageSchema = z.object({
  type: z.literal("snapshot"),
  ...updateHeader,
  agents: z.array(agentSnapshotSchema),
  keys: z.array(keyPoolSummarySchema),
  spawningPaused: z.boolean(),
});

/** What changed since the previous message: replaced agents, removed ids, and changed toolbar state. */
export const patchMessageSchema = z.object({
  type: z.literal("patch"),
  ...updateHeader,
  upserts: z.array(agentSnapshotSchema),
  removed: z.array(z.string()),
  keys: z.array(keyPoolSummarySchema).optional(),
  spawningPaused: z.boolean().optional(),
});

/** A short line for the user, e.g. why an action was refused. */
export const noticeMessageSchema = z.object({
  type: z.literal("notice"),
  level: z.enum(["info", "warning", "error"]),
  message: z.string(),
});

/**
 * Asks the view to open its inline prompt for an agent: "Set Timeout…" and
 * "Send Message…" chosen in VS Code's native context menu arrive at the host
 * as commands, and the answer is typed in the view like from the row's buttons.
 */
export const openPromptMessageSchema = z.object({
  type: z.literal("openPrompt"),
  agentId: agentIdSchema,
  prompt: z.enum(["timeout", "message"]),
});

export const hostToWebviewMessageSchema = z.discriminatedUnion("type", [
  snapshotMessageSchema,
  patchMessageSchema,
  noticeMessageSchema,
  openPromptMessageSchema,
]);

export type SnapshotMessage = z.infer<typeof snapshotMessageSchema>;
export type PatchMessage = z.infer<typeof patchMessageSchema>;
export type NoticeMessage = z.infer<typeof noticeMessageSchema>;
export type OpenPromptMessage = z.infer<typeof openPromptMessageSchema>;
export type HostToWebviewMessage = z.infer<typeof hostToWebviewMessageSchema>;

// ---------------------------------------------------------------- webview → host
// Strict objects: a message with unknown keys is malformed, not "mostly fine".

const agentId = agentIdSchema;
const timeoutSeconds = z.number().int().min(1).max(MAX_TIMEOUT_SECONDS);

/** The webview's script has loaded and listens; the host answers with a snapshot. */
export const readyMessageSchema = z.strictObject({ type: z.literal("ready") });

/** Stop the agent and its subtree. */
export const interruptMessageSchema = z.strictObject({ type: z.literal("interrupt"), agentId });

/** Add time to a running limit. */
export const extendTimeoutMessageSchema = z.strictObject({
  type: z.literal("extendTimeout"),
  agentId,
  seconds: timeoutSeconds,
});

/** Set a new limit from now; `null` removes it (foreground agents only). */
export const setTimeoutMessageSchema = z.strictObject({
  type: z.literal("setTimeout"),
  agentId,
  seconds: timeoutSeconds.nullable(),
});

/** Raise the budget of a root's task; the host asks for the new limit (VS Code input box) and checks it. */
export const raiseBudgetMessageSchema = z.strictObject({ type: z.literal("raiseBudget"), agentId });

/** Queue a follow-up; an idle or finished agent wakes and runs again. */
export const sendMessageMessageSchema = z.strictObject({
  type: z.literal("sendMessage"),
  agentId,
  message: z.string().trim().min(1).max(MAX_MESSAGE_CHARS),
});

/** Answer the agent's pending `run_command` approval; `requestId` guards against a stale answer. */
export const resolveApprovalMessageSchema = z.strictObject({
  type: z.literal("resolveApproval"),
  agentId,
  requestId: requestIdSchema,
  decision: z.enum(["approved", "denied"]),
});

export const openTranscriptMessageSchema = z.strictObject({ type: z.literal("openTranscript"), agentId });

/** Copy the agent's result (or error) to the clipboard; the host does it, the webview has no clipboard rights. */
export const copyResultMessageSchema = z.strictObject({ type: z.literal("copyResult"), agentId });

/** Which agents a review action covers: the agent's own changes, or its whole subtree's. */
export const changeScopeSchema = z.enum(["agent", "subtree"]);
/** A workspace-relative path named by the page (the host only acts on paths in a change set). */
const changePath = z.string().min(1).max(4096);

/** Open VS Code's diff editor for one file an agent changed. */
export const openChangeMessageSchema = z.strictObject({ type: z.literal("openChange"), agentId, path: changePath });

/** Pick one of the subtree's changed files to diff (a quick pick in the host). */
export const reviewChangesMessageSchema = z.strictObject({ type: z.literal("reviewChanges"), agentId });

/** Restore the text from before the agent's changes: one file, or all of the scope's. */
export const revertChangesMessageSchema = z.strictObject({
  type: z.literal("revertChanges"),
  agentId,
  scope: changeScopeSchema,
  path: changePath.optional(),
});

/** Accept the changes as they are: they leave the review, the files stay. */
export const keepChangesMessageSchema = z.strictObject({
  type: z.literal("keepChanges"),
  agentId,
  scope: changeScopeSchema,
  path: changePath.optional(),
});

/** Apply an isolated agent's worktree changes to the workspace, then remove the worktree. */
export const mergeWorktreeMessageSchema = z.strictObject({ type: z.literal("mergeWorktree"), agentId });
/** Delete an isolated agent's worktree and branch (the host asks to confirm). */
export const discardWorktreeMessageSchema = z.strictObject({ type: z.literal("discardWorktree"), agentId });

/** Carries the wanted state rather than "toggle", so a view that lags behind cannot invert the user's intent. */
export const setSpawningPausedMessageSchema = z.strictObject({
  type: z.literal("setSpawningPaused"),
  paused: z.boolean(),
});

/** Toolbar and empty-state buttons that run a contributed command. */
export const TOOLBAR_COMMANDS = ["runTask", "interruptAll", "clearFinished", "showKeyPool", "addApiKey"] as const;
export type ToolbarCommand = (typeof TOOLBAR_COMMANDS)[number];
export const runCommandMessageSchema = z.strictObject({
  type: z.literal("runCommand"),
  command: z.enum(TOOLBAR_COMMANDS),
});

export const webviewToHostMessageSchema = z.discriminatedUnion("type", [
  readyMessageSchema,
  interruptMessageSchema,
  extendTimeoutMessageSchema,
  setTimeoutMessageSchema,
  raiseBudgetMessageSchema,
  sendMessageMessageSchema,
  resolveApprovalMessageSchema,
  openTranscriptMessageSchema,
  copyResultMessageSchema,
  setSpawningPausedMessageSchema,
  runCommandMessageSchema,
  openChangeMessageSchema,
  reviewChangesMessageSchema,
  revertChangesMessageSchema,
  keepChangesMessageSchema,
  mergeWorktreeMessageSchema,
  discardWorktreeMessageSchema,
]);

export type WebviewToHostMessage = z.infer<typeof webviewToHostMessageSchema>;
export type WebviewMessageType = WebviewToHostMessage["type"];
export type WebviewMessageOf<K extends WebviewMessageType> = Extract<WebviewToHostMessage, { type: K }>;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(message)"}: ${issue.message}`)
    .join("; ");
}

/** Parses a message from the webview. Never throws; the error names the first few bad fields. */
export function parseWebviewMessage(raw: unknown): ParseResult<WebviewToHostMessage> {
  const result = webviewToHostMessageSchema.safeParse(raw);
  return result.success ? { ok: true, message: result.data } : { ok: false, error: describe(result.error) };
}

/** Parses a message from the host. Never throws. */
export function parseHostMessage(raw: unknown): ParseResult<HostToWebviewMessage> {
  const result = hostToWebviewMessageSchema.safeParse(raw);
  return result.success ? { ok: true, message: result.data } : { ok: false, error: describe(result.error) };
}
