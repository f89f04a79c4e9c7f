import type { UserControls } from "../../../src/core/agents/userControls";
import { Emitter } from "../../../src/core/common/emitter";
import type { Logger } from "../../../src/core/common/logger";
import type { AgentSnapshot, KeyPoolSummary } from "../../../src/core/protocol/agentSnapshot";
import type { HostToWebviewMessage } from "../../../src/core/protocol/messages";
import type { AgentTreeDeps } from "../../../src/host/agentTreeHandlers";
import type { CommandId } from "../../../src/host/commandIds";

/** An UserControls over a plain map that records every call that could change something. */
export class FakeUserControls implements UserControls {
  readonly agents = new Map<string, AgentSnapshot>();
  readonly calls: string[] = [];
  readonly changes = new Emitter<void>();
  readonly onDidChange = this.changes.event;
  spawningPaused = false;
  /** When set, mutating calls throw this message (a refusal). */
  refuseWith: string | undefined;

  constructor(agents: readonly AgentSnapshot[] = []) {
    for (const agent of agents) this.agents.set(agent.id, agent);
  }

  /** Replaces an agent and fires a change, as the registry would. */
  update(agent: AgentSnapshot): void {
    this.agents.set(agent.id, agent);
    this.changes.fire();
  }

  remove(id: string): void {
    this.agents.delete(id);
    this.changes.fire();
  }

  snapshot(): AgentSnapshot[] {
    return [...this.agents.values()];
  }

  get(agentId: string): AgentSnapshot | undefined {
    return this.agents.get(agentId);
  }

  runRoot(): never {
    throw new Error("not used by the tree");
  }

  interrupt(agentId: string, reason?: string): void {
    this.record(`interrupt ${agentId} ${reason ?? ""}`.trim());
  }

  interruptAll(): void {
    this.record("interruptAll");
  }

  setTimeout(agentId: string, seconds: number | null): void {
    this.record(`setTimeout ${agentId} ${String(seconds)}`);
  }

  extendTimeout(agentId: string, seconds: number): void {
    this.record(`extendTimeout ${agentId} ${seconds}`);
  }

  sendMessage(agentId: string, message: string): void {
    this.record(`sendMessage ${agentId} ${message}`);
  }

  resolveApproval(requestId: string, decision: "approved" | "denied"): void {
    this.record(`resolveApproval ${requestId} ${decision}`);
  }

  raiseBudget(agentId: string, kind: "maxTokens" | "maxCostUsd", value: number): void {
    this.record(`raiseBudget ${agentId} ${kind} ${value}`);
  }

  setSpawningPaused(paused: boolean): void {
    this.record(`setSpawningPaused ${paused}`);
    this.spawningPaused = paused;
  }

  clearFinished(): number {
    this.record("clearFinished");
    return 0;
  }

  private record(call: string): void {
    if (this.refuseWith) throw new Error(this.refuseWith);
    this.calls.push(call);
  }
}

export class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  trace(message: string): void {
    this.lines.push(`trace ${message}`);
  }
  debug(message: string): void {
    this.lines.push(`debug ${message}`);
  }
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}

export interface TreeTestRig {
  readonly service: FakeUserControls;
  readonly deps: AgentTreeDeps;
  readonly logger: RecordingLogger;
  readonly commands: Array<[CommandId, ...unknown[]]>;
  readonly clipboard: string[];
  readonly keyChanges: Emitter<void>;
  keys: KeyPoolSummary[];
  readonly posted: HostToWebviewMessage[];
  /** Calls that reached the change actions, as `[method, ...args]`. */
  readonly changeCalls: unknown[][];
}

export function treeTestRig(agents: readonly AgentSnapshot[] = []): TreeTestRig {
  const service = new FakeUserControls(agents);
  const logger = new RecordingLogger();
  const commands: Array<[CommandId, ...unknown[]]> = [];
  const clipboard: string[] = [];
  const keyChanges = new Emitter<void>();
  const changeCalls: unknown[][] = [];
  const rig: TreeTestRig = {
    changeCalls,
    service,
    logger,
    commands,
    clipboard,
    keyChanges,
    keys: [{ providerId: "openai", healthy: 2, cooling: 0, invalid: 0 }],
    posted: [],
    deps: {
      supervisor: service,
      keySummary: () => rig.keys,
      onDidChangeKeys: keyChanges.event,
      runCommand: (id, ...args) => {
        commands.push([id, ...args]);
        return Promise.resolve();
      },
      copyToClipboard: (text) => {
        clipboard.push(text);
        return Promise.resolve();
      },
      logger,
      changes: {
        openDiff: async (...args) => void changeCalls.push(["openDiff", ...args]),
        review: async (...args) => void changeCalls.push(["review", ...args]),
        revert: async (...args) => void changeCalls.push(["revert", ...args]),
        keep: (...args) => void changeCalls.push(["keep", ...args]),
      },
      worktrees: {
        merge: async (...args) => void changeCalls.push(["merge", ...args]),
        discard: async (...args) => void changeCalls.push(["discard", ...args]),
      },
    },
  };
  return rig;
}
