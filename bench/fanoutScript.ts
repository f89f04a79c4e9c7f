import type { ScriptedReply, ScriptedRequest } from "../test/fixtures/fakeOpenAiServer";
import { spawnCall, viewOf } from "../test/fakes/liveModelKit";

/** Children of the fan-out benchmark's root. */
export const FANOUT_CHILDREN = 16;
/** What each child's model call waits before answering. */
export const FANOUT_CALL_MS = 100;

/**
 * The fan-out benchmark's model, run by the test server in its own process:
 * the root spawns 16 children in one turn; each child lists files three
 * times and then answers, every call taking 100 ms.
 */
export function script(request: ScriptedRequest): ScriptedReply {
  const v = viewOf(request);
  if (v.role === "root") return v.turn === 0 ? { toolCalls: Array.from({ length: FANOUT_CHILDREN }, (_, i) => spawnCall(`child ${i}`)) } : { text: "ok" };
  if (v.turn < 3) return { toolCalls: [{ name: "list_files", arguments: {} }], delayMs: FANOUT_CALL_MS };
  return { text: `${v.task} done`, delayMs: FANOUT_CALL_MS };
}
