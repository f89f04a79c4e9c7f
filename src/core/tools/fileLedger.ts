/**
 * The versions of the files one agent has read. An edit or write
 * passes the version the agent saw, so a change made by another agent (or the
 * user) since that read makes the edit fail instead of silently overwriting.
 */
export class FileLedger {
  private readonly versions = new Map<string, string>();

  recordRead(path: string, version: string): void {
    this.versions.set(normalizePath(path), version);
  }

  /** After this agent's own successful write, its view is current again. */
  recordWrite(path: string, version: string): void {
    this.versions.set(normalizePath(path), version);
  }

  versionOf(path: string): string | undefined {
    return this.versions.get(normalizePath(path));
  }

  get size(): number {
    return this.versions.size;
  }
}

export function normalizePath(path: string): string {
  let p = path.trim().replace(/\\/g, "/");
  while (p.startsWith("./")) p = p.slice(2);
  return p.replace(/\/{2,}/g, "/");
}

export function staleReadMessage(path: string): string {
  return (
    `${normalizePath(path)} changed since you last read it (another agent or the user edited it). ` +
    `Read it again with read_file, then redo your edit on the current content.`
  );
}
