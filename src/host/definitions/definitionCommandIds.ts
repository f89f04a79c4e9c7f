/** Command id of "Subagents: New Agent Definition" (no `vscode` import, so plain Node tests can read it). */
export const NEW_AGENT_DEFINITION_COMMAND = "subagents.newAgentDefinition";
