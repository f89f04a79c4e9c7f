/**
 * One file as one agent changed it: its text before the agent's first change
 * and after its last. `null` means the file did not exist (created by the
 * agent, or deleted by it). Texts are as the agent's tools saw them, i.e.
 * with every pool key already redacted.
 */
export interface FileChange {
  path: string;
  before: string | null;
  after: string | null;
  /** Order of the first and last change among all agents (survives a reload), so "who changed it later" has an answer. */
  firstSeq: number;
  lastSeq: number;
  /** Epoch ms of the last change. */
  changedAt: number;
}

/** The change sets of every agent; the host keeps them under the extension's storage. */
export interface ChangeStore {
  save(agentId: string, changes: readonly FileChange[]): void;
  /** Every saved change set by agent id; a damaged one is left out (and kept aside by the host), never thrown. */
  load(): Promise<Map<string, FileChange[]>>;
}

/** How a path is shown and keyed: workspace-relative, forward slashes, no `./`. */
export function changeKey(path: string): string {
  let p = path.trim().replace(/\\/g, "/");
  while (p.startsWith("./")) p = p.slice(2);
  return p.replace(/\/{2,}/g, "/");
}

/** What happened to the file overall. */
export function changeKind(change: Pick<FileChange, "before" | "after">): "created" | "deleted" | "modified" {
  if (change.before === null) return "created";
  if (change.after === null) return "deleted";
  return "modified";
}
