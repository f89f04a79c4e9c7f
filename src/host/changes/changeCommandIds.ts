/** Palette commands of change review; their titles are in package.json (category "Subagents"). */
export const CHANGE_COMMAND_IDS = {
  reviewAgentChanges: "subagents.reviewAgentChanges",
  revertAgentChanges: "subagents.revertAgentChanges",
} as const;
