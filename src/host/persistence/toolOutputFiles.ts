import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import * as nodePath from "node:path";
import { isStoredOutputName, type ToolOutputStore } from "../../core/agents/storedToolOutputs";
import { transcriptFileName } from "./jsonlTranscriptStore";

const FOLDER_SUFFIX = ".outputs";

/**
 * Whole tool results too large for the conversation, one file per call in
 * a folder beside the agent's transcript (`<agent>.outputs/<call>.txt`).
 * Every text is redacted before it is written, like the transcript, and a
 * name is used only after the core's name check and a containment check, so
 * no name can reach outside the agent's folder.
 */
export class ToolOutputFiles implements ToolOutputStore {
  constructor(
    readonly directory: string,
    private readonly beforeWrite: (text: string) => string = (text) => text,
  ) {}

  async save(agentId: string, name: string, content: string): Promise<void> {
    const file = this.fileOf(agentId, name);
    await mkdir(nodePath.dirname(file), { recursive: true });
    await writeFile(file, this.beforeWrite(content), "utf8");
  }

  async read(agentId: string, name: string): Promise<string | undefined> {
    const file = this.fileOf(agentId, name);
    return readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
  }

  /** Deletes the folders of agents no longer in the tree (untouched since `olderThanMs`), as transcripts are pruned. */
  async prune(keep: ReadonlySet<string>, olderThanMs: number): Promise<number> {
    const keepFolders = new Set([...keep].map(folderName));
    const names = await readdir(this.directory).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      if (!name.endsWith(FOLDER_SUFFIX) || keepFolders.has(name)) continue;
      const folder = nodePath.join(this.directory, name);
      const info = await stat(folder).catch(() => undefined);
      if (!info?.isDirectory() || info.mtimeMs >= olderThanMs) continue;
      await rm(folder, { recursive: true, force: true }).then(() => removed++, () => undefined);
    }
    return removed;
  }

  private fileOf(agentId: string, name: string): string {
    if (!isStoredOutputName(name)) throw new Error(`"${name}" is not a stored tool result name`);
    const folder = nodePath.join(this.directory, folderName(agentId));
    const file = nodePath.join(folder, name);
    if (nodePath.dirname(file) !== folder) throw new Error(`"${name}" is not a stored tool result name`);
    return file;
  }
}

function folderName(agentId: string): string {
  return `${transcriptFileName(agentId).slice(0, -".jsonl".length)}${FOLDER_SUFFIX}`;
}
