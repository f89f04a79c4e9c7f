import { canSpawn } from "../scheduler/spawnRules";
import { createAgentTools, type AgentToolHost } from "../tools/agentTools";
import { FileLedger } from "../tools/fileLedger";
import type { AgentTool } from "../tools/toolDefinition";
import { createWorkspaceTools, type CommandGate } from "../tools/workspaceToolAdapters";
import type { AgentRecord } from "./agentRecord";
import type { ActiveRun } from "./agentRuns";
import type { RunSetup } from "./agentRunner";
import { Conversation, messagesFromTranscript } from "./conversation";
import type { AgentStartupOverrides, ServiceContext } from "./serviceContext";
import { systemPromptFor, taskMessage } from "./systemPrompt";

/**
 * Builds what one run needs: the tool set (by role and depth) and the
 * conversation — fresh for a new agent, rebuilt from the transcript for a
 * resumed one (a finished agent keeps no conversation in memory).
 */
export class RunSetupFactory {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly toolHost: AgentToolHost,
    private readonly gate: CommandGate,
  ) {}

  tools(record: AgentRecord, allowed?: readonly string[]): AgentTool[] {
    const tools = createWorkspaceTools(this.ctx.workspace, new FileLedger(), this.gate);
    if (canSpawn(record, this.ctx.settings().maxSpawnDepth)) tools.push(...createAgentTools(this.toolHost, record.id));
    if (allowed === undefined) return tools;
    const names = new Set(allowed);
    return tools.filter((t) => names.has(t.name));
  }

  fresh(record: AgentRecord, run: ActiveRun, overrides?: AgentStartupOverrides): RunSetup {
    const tools = this.tools(record, overrides?.toolNames);
    const conversation = new Conversation(record.id, this.ctx.transcripts, this.ctx.clock);
    const prompt =
      overrides?.systemPrompt ??
      systemPromptFor({
        role: record.role,
        depth: record.depth,
        maxSpawnDepth: this.ctx.settings().maxSpawnDepth,
        canSpawn: tools.some((t) => t.name === "spawn_agent"),
        name: record.name,
      });
    conversation.system(prompt);
    conversation.user(taskMessage(record.task, record.context));
    return this.setup(record, run, conversation, tools);
  }

  async resumed(record: AgentRecord, run: ActiveRun): Promise<RunSetup> {
    const events = await this.ctx.transcripts.read(record.id);
    const messages = messagesFromTranscript(events);
    if (messages.length === 0) return this.fresh(record, run);
    const conversation = new Conversation(record.id, this.ctx.transcripts, this.ctx.clock, messages);
    return this.setup(record, run, conversation, this.tools(record));
  }

  private setup(record: AgentRecord, run: ActiveRun, conversation: Conversation, tools: AgentTool[]): RunSetup {
    return {
      agentId: record.id,
      role: record.role === "root" ? "root" : "subagent",
      providerId: record.providerId,
      model: record.model,
      conversation,
      tools,
      client: this.ctx.modelClient,
      signal: run.abort.signal,
      maxTurns: this.ctx.maxTurns,
      partial: run.partial,
    };
  }
}
