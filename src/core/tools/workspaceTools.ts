/**
 * Workspace capabilities that agents use through their tools. The host
 * implements this on VS Code APIs; tests use an in-memory fake. Every path is
 * workspace-relative; implementations refuse paths outside the workspace.
 */
export interface FileVersion {
  /** Opaque version token (e.g. mtime+size or content hash); equal tokens = same content. */
  version: string;
}

export interface ReadFileResult extends FileVersion {
  text: string;
  totalLines: number;
}

export interface CommandRequest {
  command: string;
  cwd?: string;
  timeoutSeconds?: number;
  signal: AbortSignal;
}

export interface CommandResult {
  exitCode: number | null;
  output: string;
  truncated: boolean;
  timedOut: boolean;
}

export interface WorkspaceTools {
  readFile(path: string, range?: { startLine?: number; endLine?: number }): Promise<ReadFileResult>;
  /** Current version of a file, or undefined when it does not exist. */
  statVersion(path: string): Promise<string | undefined>;
  /**
   * The workspace-relative path a path leads to once symbolic links are
   * followed, so a protected file reached through a link is still protected.
   * Optional: a workspace without links need not implement it.
   */
  realPath?(path: string): Promise<string | undefined>;
  /**
   * The file's whole text exactly as stored (final newline, line endings),
   * or undefined when it does not exist; what an agent's change set keeps so
   * a revert restores the file byte for byte. Optional: without it the
   * change set falls back to read_file's text.
   */
  readText?(path: string): Promise<string | undefined>;
  listFiles(options: { path?: string; glob?: string }): Promise<string[]>;
  searchText(options: {
    query: string;
    glob?: string;
    regex?: boolean;
  }): Promise<Array<{ path: string; line: number; text: string }>>;
  /** Replaces exactly one occurrence; `expectedVersion` guards against stale reads. */
  editFile(options: { path: string; oldText: string; newText: string; expectedVersion?: string }): Promise<FileVersion>;
  writeFile(options: { path: string; content: string; expectedVersion?: string }): Promise<FileVersion>;
  runCommand(request: CommandRequest): Promise<CommandResult>;
  getDiagnostics(path?: string): Promise<Array<{ path: string; line: number; severity: string; message: string }>>;
}
