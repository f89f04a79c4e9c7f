import type {
  CommandRequest,
  CommandResult,
  FileVersion,
  ReadFileResult,
  WorkspaceTools,
} from "../../src/core/tools/workspaceTools";

/**
 * An in-memory workspace for core tests: files with version counters (so
 * stale edits are detectable), and commands answered by a script that sees
 * the abort signal. It enforces `expectedVersion` as the host must.
 */
export class FakeWorkspaceTools implements WorkspaceTools {
  readonly files = new Map<string, { text: string; version: number }>();
  readonly commands: CommandRequest[] = [];
  private counter = 0;

  constructor(
    files: Record<string, string> = {},
    public runScript: (request: CommandRequest) => Promise<CommandResult> | CommandResult = (request) => ({
      exitCode: 0,
      output: `ran: ${request.command}`,
      truncated: false,
      timedOut: false,
    }),
  ) {
    for (const [path, text] of Object.entries(files)) this.put(path, text);
  }

  /** Changes a file as another agent or the user would. */
  put(path: string, text: string): string {
    const version = ++this.counter;
    this.files.set(path, { text, version });
    return String(version);
  }

  text(path: string): string | undefined {
    return this.files.get(path)?.text;
  }

  async readFile(path: string, range?: { startLine?: number; endLine?: number }): Promise<ReadFileResult> {
    path = path.replace(/^\.\//, "");
    const file = this.files.get(path);
    if (!file) throw new Error(`${path} does not exist`);
    const lines = file.text.split("\n");
    const start = (range?.startLine ?? 1) - 1;
    const end = range?.endLine ?? lines.length;
    return { text: lines.slice(start, end).join("\n"), totalLines: lines.length, version: String(file.version) };
  }

  async readText(path: string): Promise<string | undefined> {
    return this.files.get(path)?.text;
  }

  async statVersion(path: string): Promise<string | undefined> {
    const file = this.files.get(path);
    return file ? String(file.version) : undefined;
  }

  async listFiles(options: { path?: string; glob?: string }): Promise<string[]> {
    const prefix = options.path && options.path !== "." ? `${options.path.replace(/\/$/, "")}/` : "";
    return [...this.files.keys()].filter((p) => p.startsWith(prefix)).sort();
  }

  async searchText(options: { query: string; glob?: string; regex?: boolean }) {
    const out: Array<{ path: string; line: number; text: string }> = [];
    const test = options.regex ? (l: string) => new RegExp(options.query).test(l) : (l: string) => l.includes(options.query);
    for (const [path, file] of this.files) {
      file.text.split("\n").forEach((l, i) => {
        if (test(l)) out.push({ path, line: i + 1, text: l });
      });
    }
    return out;
  }

  async editFile(options: { path: string; oldText: string; newText: string; expectedVersion?: string }): Promise<FileVersion> {
    const file = this.files.get(options.path);
    if (!file) throw new Error(`${options.path} does not exist`);
    this.checkVersion(options.path, options.expectedVersion);
    const count = file.text.split(options.oldText).length - 1;
    if (count === 0) throw new Error(`old_text was not found in ${options.path}`);
    if (count > 1) throw new Error(`old_text occurs ${count} times in ${options.path}; include more context`);
    return { version: this.put(options.path, file.text.replace(options.oldText, options.newText)) };
  }

  async writeFile(options: { path: string; content: string; expectedVersion?: string }): Promise<FileVersion> {
    this.checkVersion(options.path, options.expectedVersion);
    return { version: this.put(options.path, options.content) };
  }

  async runCommand(request: CommandRequest): Promise<CommandResult> {
    this.commands.push(request);
    return this.runScript(request);
  }

  async getDiagnostics(path?: string) {
    return path === undefined ? [] : [{ path, line: 1, severity: "warning", message: "fake diagnostic" }];
  }

  private checkVersion(path: string, expected: string | undefined): void {
    if (expected === undefined) return;
    const current = this.files.get(path);
    if (!current || String(current.version) !== expected) throw new Error(`${path} changed since it was read`);
  }
}
