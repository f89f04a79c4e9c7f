import type { ScriptedReply, ScriptedRequest } from "../../fixtures/fakeOpenAiServer";
import type { AgentTreeView } from "./workbench";

/** Text of a chat message's content (string or parts). */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === "object" && part && "text" in part ? String((part as { text: unknown }).text) : "")).join("");
  }
  return "";
}

/** The agent's first user message: its task (plus any context from its parent). */
export function taskOf(request: ScriptedRequest): string {
  const first = request.messages.find((m) => m.role === "user");
  return first ? contentText(first.content) : "";
}

/** Every user message after the task (follow-ups sent with "Send message…"). */
export function followUps(request: ScriptedRequest): string[] {
  return request.messages.filter((m) => m.role === "user").slice(1).map((m) => contentText(m.content));
}

/** Contents of the tool results the agent has received so far, oldest first. */
export function toolResults(request: ScriptedRequest): string[] {
  return request.messages.filter((m) => m.role === "tool").map((m) => contentText(m.content));
}

export function spawnCall(args: { name: string; task: string; timeout_seconds?: number; background?: boolean; isolation?: "none" | "worktree" }): NonNullable<ScriptedReply["toolCalls"]>[number] {
  return { name: "spawn_agent", arguments: args };
}

/**
 * Records every status each tree row shows, polling the webview until
 * stopped, so a test can assert an agent went through queued/running.
 */
export class StatusRecorder {
  readonly seen = new Map<string, string[]>();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly tree: AgentTreeView, intervalMs = 100) {
    this.loop = (async () => {
      // One more look after stop(), so the final statuses are in.
      for (let last = false; !last; ) {
        last = !this.running;
        try {
          for (const row of await this.tree.rows()) {
            const list = this.seen.get(row.name) ?? [];
            if (list[list.length - 1] !== row.status) list.push(row.status);
            this.seen.set(row.name, list);
          }
        } catch {
          /* the frame re-rendered; try again */
        }
        if (!last) await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    })();
  }

  statuses(name: string): string[] {
    return this.seen.get(name) ?? [];
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
