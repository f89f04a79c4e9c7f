import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DEFINITION_FOLDERS, definitionDialectOf } from "../core/definitions/definitionFiles";

/**
 * The saved definition files of the workspace folders, read from disk so that
 * a name clash with a file that is not open is still reported. Open
 * documents override these texts in the server.
 */
export class DefinitionFilesOnDisk {
  private readonly texts = new Map<string, string>();

  constructor(private roots: readonly string[]) {}

  setRoots(roots: readonly string[]): void {
    this.roots = roots;
  }

  /** Path → text of every definition file under the roots. */
  entries(): ReadonlyMap<string, string> {
    return this.texts;
  }

  async rescan(): Promise<void> {
    const found = new Map<string, string>();
    for (const dir of this.folders()) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue; // no such folder: nothing defined there
      }
      for (const name of names.filter((n) => n.endsWith(".md")).sort()) {
        const path = join(dir, name);
        const text = await readText(path);
        if (text !== undefined) found.set(path, text);
      }
    }
    this.texts.clear();
    for (const [path, text] of found) this.texts.set(path, text);
  }

  /** Re-reads one file after a watcher event; a missing file is forgotten. */
  async refresh(path: string): Promise<void> {
    if (!definitionDialectOf(path) || !this.folders().includes(dirname(path))) return;
    const text = await readText(path);
    if (text === undefined) this.texts.delete(path);
    else this.texts.set(path, text);
  }

  private folders(): string[] {
    return this.roots.flatMap((root) => DEFINITION_FOLDERS.map(({ folder }) => join(root, ...folder.split("/"))));
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}
