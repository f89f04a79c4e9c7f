import { canSpawn } from "../scheduler/spawnRules";
import { createAgentTools, type AgentToolHost } from "../tools/agentTools";
import { FileLedger } from "../tools/fileLedger";
import type { AgentTool } from "../tools/toolDefinition";
import { createWorkspaceTools, type CommandGate } from "../tools/workspaceToolAdapters";
import type { AgentRecord } from "./agentRecord";
import type { ActiveRun } from "./activeRun";
import type { LoopInput } from "./agentLoop";
import { Conversation, messagesFromTranscript } from "./conversation";
import type { AgentStartupOverrides, SupervisorContext } from "./supervisorContext";
import { systemPromptFor, taskMessageParts } from "./systemPrompt";

/**
 * Builds what one run needs: the tool set (by role and depth) and the
 * conversation — fresh for a new agent, rebuilt from the transcript for a
 * resumed one (a finished agent keeps no conversation in memory).
 */
export class RunBuilder {
  constructor(
    private readonly ctx: SupervisorContext,
    private readonly toolHost: AgentToolHost,
    private readonly gate: CommandGate,
  ) {}

  /**
   * The agent's tools: by role and depth (a leaf gets no agent tools), then
   * narrowed by the record's allow-list (its agent type's) and `allowed`.
   */
  tools(record: AgentRecord, allowed?: readonly string[]): AgentTool[] {
    let tools = createWorkspaceTools(this.ctx.workspace, new FileLedger(), this.gate);
    if (canSpawn(record, this.ctx.settings().maxSpawnDepth)) tools.push(...createAgentTools(this.toolHost, record.id));
    for (const list of [record.allowedTools, allowed]) {
      if (list === undefined) continue;
      const names = new Set(list);
      tools = tools.filter((t) => names.has(t.name));
    }
    return tools;
  }

  /** Names of the tools the agent has now (what a child of it may at most get). */
  toolNames(record: AgentRecord): string[] {
    return this.tools(record).map((t) => t.name);
  }

  fresh(record: AgentRecord, run: ActiveRun, overrides?: AgentStartupOverrides): LoopInput {
    const tools = this.tools(record, overrides?.toolNames);
    const conversation = new Conversation(record.id, this.ctx.transcripts, this.ctx.clock);
    const prompt = overrides?.systemPrompt ?? this.generatedPrompt(record, tools);
    conversation.system(prompt);
    const first = taskMessageParts(record.task, record.context);
    conversation.user(first.text, first.sharedChars);
    return this.setup(record, run, conversation, tools);
  }

  async resumed(record: AgentRecord, run: ActiveRun): Promise<LoopInput> {
    const events = await this.ctx.transcripts.read(record.id);
    const messages = messagesFromTranscript(events);
    if (messages.length === 0) return this.fresh(record, run);
    const conversation = new Conversation(record.id, this.ctx.transcripts, this.ctx.clock, messages);
    return this.setup(record, run, conversation, this.tools(record));
  }

  /** The built-in prompt; an agent that may spawn also gets the list of agent types current when it starts. */
  private generatedPrompt(record: AgentRecord, tools: readonly AgentTool[]): string {
    const spawns = tools.some((t) => t.name === "spawn_agent");
    const prompt = systemPromptFor({
      role: record.role,
      depth: record.depth,
      maxSpawnDepth: this.ctx.settings().maxSpawnDepth,
      canSpawn: spawns,
    });
    const types = spawns ? this.ctx.agentTypes?.describe() ?? "" : "";
    return types === "" ? prompt : `${prompt}\n\n${types}`;
  }

  private setup(record: AgentRecord, run: ActiveRun, conversation: Conversation, tools: AgentTool[]): LoopInput {
    return {
      agentId: record.id,
      role: record.role === "root" ? "root" : "subagent",
      cacheKey: record.rootId,
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
