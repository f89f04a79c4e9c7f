/** Palette commands of change review and worktree isolation; their titles are in package.json (category "Subagents"). */
export const CHANGE_COMMAND_IDS = {
  reviewAgentChanges: "subagents.reviewAgentChanges",
  revertAgentChanges: "subagents.revertAgentChanges",
  mergeAgentWorktree: "subagents.mergeAgentWorktree",
  discardAgentWorktree: "subagents.discardAgentWorktree",
} as const;
