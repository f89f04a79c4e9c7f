import { readdir, readFile } from "node:fs/promises";

/**
 * Finds every process a command started, also those that left its process
 * group (`setsid`, a daemonising `nohup … &`) and those whose parent exited
 * so they were re-parented to init: the runner puts a marker variable into
 * the command's environment, which every descendant inherits, and the walk
 * over parent ids catches the rest (a child that cleared its environment
 * while its parent still runs). Linux only (it reads /proc); elsewhere only
 * the process group is killed.
 */
export const RUN_MARKER_VARIABLE = "SUBAGENTS_COMMAND_RUN";

interface ProcInfo {
  pid: number;
  ppid: number;
}

export async function runProcesses(rootPid: number, marker: string): Promise<number[]> {
  const entries = await readdir("/proc").catch(() => [] as string[]);
  const infos: ProcInfo[] = [];
  const marked = new Set<number>();
  const needle = `${RUN_MARKER_VARIABLE}=${marker}\0`;
  await Promise.all(
    entries.map(async (entry) => {
      if (!/^\d+$/.test(entry)) return;
      const pid = Number(entry);
      if (pid === process.pid) return;
      const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
      if (stat === undefined) return;
      // The name in parentheses may contain spaces or parentheses; the fields after the last ")" do not.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // A zombie is already dead; it only waits for its parent to read its exit status.
      if (fields[0] === "Z") return;
      infos.push({ pid, ppid: Number(fields[1]) });
      const environ = await readFile(`/proc/${pid}/environ`, "latin1").catch(() => "");
      if (`${environ}\0`.includes(needle) || environ.endsWith(needle.slice(0, -1))) marked.add(pid);
    }),
  );
  const children = new Map<number, number[]>();
  for (const info of infos) children.set(info.ppid, [...(children.get(info.ppid) ?? []), info.pid]);
  const found = new Set<number>(marked);
  const queue = [rootPid, ...marked];
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    for (const child of children.get(pid) ?? []) {
      if (!found.has(child)) {
        found.add(child);
        queue.push(child);
      }
    }
  }
  found.delete(rootPid);
  return [...found];
}
