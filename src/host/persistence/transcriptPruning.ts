import type { Logger } from "../../core/common/logger";
import type { FileTreeStore } from "./fileTreeStore";
import type { JsonlTranscriptStore } from "./jsonlTranscriptStore";

/**
 * At activation, removes transcripts of agents that were cleared from the
 * tree. Only when the tree index was read intact: a rebuilt tree cannot tell
 * a cleared agent from one the damaged index forgot, so then nothing goes.
 */
export async function pruneClearedTranscripts(
  tree: Pick<FileTreeStore, "recovered">,
  transcripts: Pick<JsonlTranscriptStore, "prune">,
  agentIdsInTree: ReadonlySet<string>,
  olderThanMs: number,
  logger: Logger,
  /** Stores kept beside the transcripts (large tool results), pruned by the same rule. */
  companions: ReadonlyArray<Pick<JsonlTranscriptStore, "prune">> = [],
): Promise<number> {
  if (tree.recovered) {
    logger.info("kept every transcript: the agent tree was rebuilt from them");
    return 0;
  }
  const removed = await transcripts.prune(agentIdsInTree, olderThanMs);
  for (const companion of companions) await companion.prune(agentIdsInTree, olderThanMs);
  if (removed > 0) logger.info(`removed ${removed} transcript(s) of agents no longer in the tree`);
  return removed;
}
