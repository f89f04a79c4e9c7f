import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import * as nodePath from "node:path";

/**
 * Replaces `file` with `text` so that a crash or power loss leaves either the
 * old or the new content: the data is written to a temp file and flushed to
 * the disk before the rename, and the directory is flushed after it so the
 * rename itself survives.
 */
export function writeFileDurably(file: string, text: string): void {
  const directory = nodePath.dirname(file);
  mkdirSync(directory, { recursive: true });
  const temp = `${file}.tmp`;
  const fd = openSync(temp, "w");
  try {
    writeSync(fd, text, null, "utf8");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  syncDirectory(directory);
}

/** Flushes a directory entry change; not possible on every platform (Windows), where it is skipped. */
export function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, "r");
    fsyncSync(fd);
  } catch {
    // Directories cannot be opened or synced on some platforms; the rename is then as durable as the OS makes it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
