import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The garbage collector as a function, so heap readings after it compare like with like. */
export function exposeGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Heap in use after a few full collections (one may leave garbage a finaliser freed). */
export function heapAfterGc(gc: () => void): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}
