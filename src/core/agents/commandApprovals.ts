import type { ApprovalBroker, ApprovalSubject } from "../tools/approvalBroker";
import { decideCommand, decideWrite, followLinks, type ApprovalRules, type CommandDecision } from "../tools/approvalPolicy";
import type { ApprovalRequest, CommandGate } from "../tools/workspaceToolAdapters";
import { showInvisibles } from "../protocol/visibleText";
import { RunAborted } from "./abort";
import type { AgentRegistry } from "./agentRegistry";
import type { SupervisorContext } from "./supervisorContext";

/**
 * The approval step of `run_command` and of writes to protected paths. "ask"
 * never opens a blocking prompt: the agent releases its slot, shows
 * `pendingApproval` in the tree (with the diff, for a write) and waits for
 * `resolveApproval`, an interrupt or its timeout, while every other agent
 * keeps running.
 */
export function createCommandGate(ctx: SupervisorContext, registry: AgentRegistry, broker: ApprovalBroker): CommandGate {
  return async (request, context) => {
    const agent = registry.require(context.agentId);
    const settings = ctx.settings();
    const rules: ApprovalRules = {
      policy: agent.role === "root" ? settings["approval.root"] : settings["approval.subagents"],
      allowedCommands: settings["approval.allowedCommands"],
      deniedCommands: settings["approval.deniedCommands"],
      protectedPaths: settings["approval.protectedPaths"],
      shell: process.platform === "win32" ? "cmd" : "sh",
    };
    let decision = decide(request, rules);
    const realPath = ctx.workspace.realPath?.bind(ctx.workspace);
    if (decision.kind === "allow" && request.kind === "command" && realPath) {
      decision = (await followLinks(request.command, rules, request.cwd ?? ".", realPath)) ?? decision;
    }
    const what = request.kind === "command" ? "command" : request.kind === "tool" ? "tool call" : "change";
    if (decision.kind === "allow") return { run: true };
    if (decision.kind === "deny") {
      return {
        run: false,
        message: `${what === "command" ? "Command" : what === "tool call" ? "Tool call" : "Change"} refused by policy: ${decision.reason}. Do not retry it; find another way or report that it is needed.`,
      };
    }
    const subject = await approvalSubject(request);
    const answer = await context.waitWithoutSlot(`waiting for approval of: ${shorten(subject.command)}`, async () => {
      const { pending, decision: answered } = broker.request(agent.id, subject, context.signal);
      registry.update(agent.id, (r) => {
        r.pendingApproval = {
          requestId: pending.requestId,
          command: subject.command,
          ...(subject.cwd !== undefined ? { cwd: subject.cwd } : {}),
          ...(subject.diff !== undefined ? { diff: subject.diff } : {}),
        };
        r.lastEvent = `waiting for ${what} approval`;
      });
      const asks = request.kind === "command" ? "run a command" : request.kind === "tool" ? `call the tool ${request.tool}` : "change a protected file";
      ctx.logger.info(`agent ${agent.id} asks to ${asks} (request ${pending.requestId})`);
      try {
        return await answered;
      } finally {
        const current = registry.get(agent.id);
        if (current?.pendingApproval?.requestId === pending.requestId) registry.update(agent.id, (r) => delete r.pendingApproval);
      }
    });
    if (answer === "approved") return { run: true };
    if (answer === "cancelled") throw new RunAborted("approval cancelled");
    return {
      run: false,
      message: `The user denied this ${what}. Do not retry it; find another way or report that it is needed.`,
    };
  };
}

function decide(request: ApprovalRequest, rules: ApprovalRules): CommandDecision {
  if (request.kind === "command") return decideCommand(request.command, rules, request.cwd);
  // The allow-list names command prefixes; another extension's tool is never on it, so it is asked.
  if (request.kind === "tool") {
    return rules.policy === "deny" ? { kind: "deny", reason: 'the approval policy for this agent is "deny"' } : { kind: "ask", reason: "extension tools are always asked" };
  }
  const direct = decideWrite(request.path, rules);
  // A link to a protected file is as protected as the file.
  const linked = request.realPath !== undefined ? decideWrite(request.realPath, rules) : direct;
  const rank = { allow: 0, ask: 1, deny: 2 } as const;
  return rank[linked.kind] > rank[direct.kind] ? linked : direct;
}

async function approvalSubject(request: ApprovalRequest): Promise<ApprovalSubject> {
  if (request.kind === "command") return { command: request.command, ...(request.cwd !== undefined ? { cwd: request.cwd } : {}) };
  // Shown where a command would be: which tool, and exactly the input it will get.
  if (request.kind === "tool") return { command: `extension tool ${request.tool} ${request.input}` };
  const diff = await request.diff().catch((error: unknown) => `(the current content could not be read for a diff: ${(error as Error).message})`);
  const through = request.realPath !== undefined ? ` (through a link to ${request.realPath})` : "";
  return { command: `${request.tool} ${request.path}${through}`, diff };
}

function shorten(command: string): string {
  const flat = showInvisibles(command).replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}
