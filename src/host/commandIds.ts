/** Command ids users, docs and keybindings rely on, so they never change silently; package.json lists the same ids and titles. */
export const COMMAND_IDS = {
  runTask: "subagents.runTask",
  addApiKey: "subagents.addApiKey",
  removeApiKey: "subagents.removeApiKey",
  importApiKeys: "subagents.importApiKeys",
  showKeyPool: "subagents.showKeyPool",
  interruptAgent: "subagents.interruptAgent",
  interruptAll: "subagents.interruptAll",
  setAgentTimeout: "subagents.setAgentTimeout",
  togglePauseSpawning: "subagents.togglePauseSpawning",
  openTranscript: "subagents.openTranscript",
  clearFinished: "subagents.clearFinished",
  raiseBudget: "subagents.raiseBudget",
} as const;

export type CommandId = (typeof COMMAND_IDS)[keyof typeof COMMAND_IDS];

export const AGENT_TREE_VIEW_ID = "subagents.agentTree";
