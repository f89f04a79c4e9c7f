import { randomUUID } from "node:crypto";

export type ApprovalDecision = "approved" | "denied";

/** What waits for the user: a command, or a change to a protected path (`command` then names it). */
export interface ApprovalSubject {
  readonly command: string;
  readonly cwd?: string;
  /** The unified diff of a file change, for writes to protected paths. */
  readonly diff?: string;
}

export interface PendingApproval extends ApprovalSubject {
  readonly requestId: string;
  readonly agentId: string;
}

interface Waiter extends PendingApproval {
  settle(decision: ApprovalDecision | "cancelled"): void;
}

/**
 * Approvals (commands, writes to protected paths) that wait for the user. A request never
 * blocks anything but its own agent: the agent waits without a slot, the tree
 * shows the request, and the answer comes through `resolve()` — or the wait
 * ends as "cancelled" when the agent is interrupted or times out.
 */
export class ApprovalBroker {
  private readonly waiting = new Map<string, Waiter>();

  request(
    agentId: string,
    subject: ApprovalSubject,
    signal: AbortSignal,
  ): { pending: PendingApproval; decision: Promise<ApprovalDecision | "cancelled"> } {
    const requestId = randomUUID();
    const pending: PendingApproval = { ...subject, requestId, agentId };
    const decision = new Promise<ApprovalDecision | "cancelled">((resolve) => {
      if (signal.aborted) {
        resolve("cancelled");
        return;
      }
      const onAbort = () => waiter.settle("cancelled");
      const waiter: Waiter = {
        ...pending,
        settle: (value) => {
          signal.removeEventListener("abort", onAbort);
          this.waiting.delete(requestId);
          resolve(value);
        },
      };
      this.waiting.set(requestId, waiter);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return { pending, decision };
  }

  /** Returns false when no request with this id waits (already answered or cancelled). */
  resolve(requestId: string, decision: ApprovalDecision): boolean {
    const waiter = this.waiting.get(requestId);
    if (!waiter) return false;
    waiter.settle(decision);
    return true;
  }

  get pendingCount(): number {
    return this.waiting.size;
  }

  cancelAll(): void {
    for (const waiter of [...this.waiting.values()]) waiter.settle("cancelled");
  }
}
