import type { ApprovalBroker } from "../tools/approvalBroker";
import { decideCommand } from "../tools/approvalPolicy";
import type { CommandGate } from "../tools/workspaceToolAdapters";
import { RunAborted } from "./abort";
import type { AgentRegistry } from "./agentRegistry";
import type { SupervisorContext } from "./supervisorContext";

/**
 * The approval step of `run_command`. "ask" never opens a blocking prompt
 * (a subagent asking the user a modal question would freeze the UI or deadlock): the agent releases its slot, shows `pendingApproval` in
 * the tree and waits for `resolveApproval`, an interrupt or its timeout,
 * while every other agent keeps running.
 */
export function createCommandGate(ctx: SupervisorContext, registry: AgentRegistry, broker: ApprovalBroker): CommandGate {
  return async (request, context) => {
    const agent = registry.require(context.agentId);
    const settings = ctx.settings();
    const policy = agent.role === "root" ? settings["approval.root"] : settings["approval.subagents"];
    const decision = decideCommand(request.command, {
      policy,
      allowedCommands: settings["approval.allowedCommands"],
      deniedCommands: settings["approval.deniedCommands"],
    });
    if (decision.kind === "allow") return { run: true };
    if (decision.kind === "deny") {
      return {
        run: false,
        message: `Command refused by policy: ${decision.reason}. Do not retry it; find another way or report that it is needed.`,
      };
    }
    const answer = await context.waitWithoutSlot(`waiting for approval of: ${shorten(request.command)}`, async () => {
      const { pending, decision: answered } = broker.request(agent.id, request.command, request.cwd, context.signal);
      registry.update(agent.id, (r) => {
        r.pendingApproval = {
          requestId: pending.requestId,
          command: request.command,
          ...(request.cwd !== undefined ? { cwd: request.cwd } : {}),
        };
        r.lastEvent = "waiting for command approval";
      });
      ctx.logger.info(`agent ${agent.id} asks to run a command (request ${pending.requestId})`);
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
      message: "The user denied this command. Do not retry it; find another way or report that it is needed.",
    };
  };
}

function shorten(command: string): string {
  const flat = command.replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}
