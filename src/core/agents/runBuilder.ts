import { canSpawn } from "../scheduler/spawnRules";
import { createAgentTools, type AgentToolHost } from "../tools/agentTools";
import { createExtensionTools } from "../tools/extensionTools";
import { FileLedger } from "../tools/fileLedger";
import { withStoredOutputs } from "../tools/storedOutputTools";
import type { AgentTool } from "../tools/toolDefinition";
import { createWorkspaceTools, type CommandGate } from "../tools/workspaceToolAdapters";
import type { AgentRecord } from "./agentRecord";
import type { ActiveRun } from "./activeRun";
import type { LoopInput } from "./agentLoop";
import { Conversation, conversationFromTranscript } from "./conversation";
import { ContextMeter, DEFAULT_CONTEXT_WINDOW } from "../context/contextMeter";
import { tokenizerFor } from "../context/tokenCount";
import { modelOptionsOf, requestOptions } from "../settings/schema";
import type { AgentStartupOverrides, SupervisorContext } from "./supervisorContext";
import { cutOffCalls } from "./reloadResume";
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
    // An isolated agent's edits stay in its worktree until Merge, so they are not in a change set.
    const workspace = this.ctx.workspaces?.workspaceFor(record.id, record.isolation, record.worktree) ?? this.ctx.workspace;
    let tools = createWorkspaceTools(workspace, new FileLedger(), this.gate, record.isolation === undefined ? this.ctx.changes : undefined);
    if (this.ctx.toolOutputs) tools = withStoredOutputs(tools, this.ctx.toolOutputs);
    if (canSpawn(record, this.ctx.settings().maxSpawnDepth)) tools.push(...createAgentTools(this.toolHost, record.id));
    if (this.ctx.extensionTools) {
      const taken = new Set(tools.map((t) => t.name));
      tools.push(...createExtensionTools(this.ctx.extensionTools, this.ctx.settings().extensionTools, this.gate, taken));
    }
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

  /**
   * A new run from the transcript. After a window reload (`reload`), the
   * tool calls of the last turn that have no recorded result are finished by
   * the loop before it calls the model (see cutOffCalls).
   */
  async resumed(record: AgentRecord, run: ActiveRun, reload?: { afterReload: true; approvalCommand?: string | undefined }): Promise<LoopInput> {
    const events = await this.ctx.transcripts.read(record.id);
    const restored = conversationFromTranscript(events, { keepTrailingOpenCalls: reload !== undefined });
    if (restored.messages.length === 0) return this.fresh(record, run);
    const conversation = new Conversation(record.id, this.ctx.transcripts, this.ctx.clock, restored);
    const input = this.setup(record, run, conversation, this.tools(record));
    if (restored.openCalls.length > 0) input.cutOff = cutOffCalls(restored.openCalls, reload?.approvalCommand);
    return input;
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

  /** The model's context budget: its configured window (or the default) and its family's tokenizer. */
  private meterFor(record: AgentRecord): ContextMeter {
    const options = modelOptionsOf(this.ctx.settings().providers, record.providerId, record.model);
    return new ContextMeter(tokenizerFor(record.model), options.contextWindow ?? DEFAULT_CONTEXT_WINDOW);
  }

  private setup(record: AgentRecord, run: ActiveRun, conversation: Conversation, tools: AgentTool[]): LoopInput {
    // What the client will send, resolved as it resolves it, for the tree to show.
    const provider = this.ctx.settings().providers.find((p) => p.id === record.providerId);
    const effort = provider ? requestOptions(provider, record.model, record.reasoningEffort)?.reasoningEffort : undefined;
    if (effort !== undefined) record.effort = effort;
    else delete record.effort;
    return {
      agentId: record.id,
      role: record.role === "root" ? "root" : "subagent",
      cacheKey: record.rootId,
      providerId: record.providerId,
      model: record.model,
      ...(record.reasoningEffort !== undefined ? { reasoningEffort: record.reasoningEffort } : {}),
      conversation,
      tools,
      client: this.ctx.modelClient,
      signal: run.abort.signal,
      maxTurns: record.maxTurns ?? this.ctx.settings().maxTurns,
      meter: this.meterFor(record),
      partial: run.partial,
    };
  }
}
