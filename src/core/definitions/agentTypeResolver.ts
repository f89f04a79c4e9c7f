import type { AgentTypeResolver } from "../agents/supervisorContext";
import { applyAgentDefinition, describeAgentTypes, unknownAgentTypeMessage, type AgentDefinitions } from "./agentDefinitions";

/**
 * Adapts the workspace's agent definitions to the agent supervisor. `definitions`
 * is read on every use, so a reload of the files applies to the next spawn
 * (and to the type list of the next root that starts) without a restart.
 */
export function createAgentTypeResolver(definitions: () => AgentDefinitions): AgentTypeResolver {
  return {
    resolve(agentType, request, parentTools) {
      const current = definitions();
      const definition = current.get(agentType.trim());
      if (!definition) return { error: unknownAgentTypeMessage(agentType, current) };
      return applyAgentDefinition(definition, request, parentTools);
    },
    describe: () => describeAgentTypes(definitions()),
  };
}
