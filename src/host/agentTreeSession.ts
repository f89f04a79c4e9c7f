import { systemClock, type Clock } from "../core/common/clock";
import { Disposable } from "../core/common/disposable";
import { actionEffect, agentRowContextSchema, type AgentActionId } from "../core/protocol/agentActions";
import {
  parseWebviewMessage,
  type HostToWebviewMessage,
  type NoticeMessage,
  type WebviewMessageOf,
  type WebviewMessageType,
} from "../core/protocol/messages";
import { agentTreeHandlers, type AgentTreeDeps, type AgentTreeHandlers, type HandlerContext } from "./agentTreeHandlers";
import { DEFAULT_MIN_INTERVAL_MS, TreeUpdateCoalescer } from "./treeUpdateCoalescer";

/** The one thing the session needs from a `vscode.Webview`. */
export interface AgentTreeWebviewPort {
  postMessage(message: HostToWebviewMessage): void;
}

export interface AgentTreeSessionOptions {
  readonly clock?: Clock;
  readonly minIntervalMs?: number;
  /** Replaceable for tests; defaults to the real handlers. */
  readonly handlers?: AgentTreeHandlers;
}

/**
 * One webview's conversation with the host, free of `vscode` so it runs in
 * plain Node tests. Nothing is posted until the webview says `ready`; then a
 * snapshot, then coalesced patches. Hiding the view stops the stream until
 * the reloaded page says `ready` again.
 */
export class AgentTreeSession extends Disposable {
  private readonly coalescer: TreeUpdateCoalescer;
  private readonly handlers: AgentTreeHandlers;
  private readonly context: HandlerContext;

  constructor(
    private readonly deps: AgentTreeDeps,
    private readonly port: AgentTreeWebviewPort,
    options: AgentTreeSessionOptions = {},
  ) {
    super();
    this.handlers = options.handlers ?? agentTreeHandlers;
    this.coalescer = this.register(
      new TreeUpdateCoalescer(
        {
          agents: () => deps.supervisor.snapshot(),
          keys: () => deps.keySummary(),
          spawningPaused: () => deps.supervisor.spawningPaused,
        },
        (message) => this.port.postMessage(message),
        options.clock ?? systemClock,
        options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS,
      ),
    );
    this.context = {
      deps,
      onReady: () => this.coalescer.start(),
      notify: (level, message) => this.notify(level, message),
    };
    this.register(deps.supervisor.onDidChange(() => this.coalescer.markDirty()));
    this.register(deps.onDidChangeKeys(() => this.coalescer.markDirty()));
  }

  /** Whether the webview said `ready` and has not been hidden since. */
  get isStreaming(): boolean {
    return this.coalescer.isActive;
  }

  get messagesPosted(): number {
    return this.coalescer.messagesPosted;
  }

  /** Entry point for `webview.onDidReceiveMessage`. Never throws. */
  handleMessage(raw: unknown): void {
    if (this.isDisposed) return;
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.deps.logger.warn(`agent tree: dropped a malformed message from the webview (${parsed.error})`);
      return;
    }
    this.dispatch(parsed.message.type, parsed.message);
  }

  /**
   * A command from the row's native context menu; `menuContext` is the row's
   * `data-vscode-context` as VS Code passes it. It takes the same path as the
   * row's button: the same message through the same handler, or the view's
   * own prompt for actions that need an answer typed first.
   */
  runAgentAction(action: AgentActionId, menuContext: unknown): void {
    if (this.isDisposed) return;
    const parsed = agentRowContextSchema.safeParse(menuContext);
    if (!parsed.success) {
      this.deps.logger.warn(`agent tree: ${action} from the context menu ignored, it came without an agent id`);
      return;
    }
    const agent = this.deps.supervisor.get(parsed.data.agentId);
    if (!agent) {
      this.notify("warning", "That agent no longer exists.");
      return;
    }
    const effect = actionEffect(action, agent, parsed.data.requestId);
    if (effect.kind === "post") this.dispatch(effect.message.type, effect.message);
    else if (this.coalescer.isActive) this.port.postMessage({ type: "openPrompt", agentId: agent.id, prompt: effect.prompt });
  }

  /** The view was hidden (its page is discarded) or shown again (its page will send `ready`). */
  setVisible(visible: boolean): void {
    if (!visible) this.coalescer.stop();
  }

  private dispatch<K extends WebviewMessageType>(type: K, message: WebviewMessageOf<K>): void {
    const handler = this.handlers[type] as (message: WebviewMessageOf<K>, ctx: HandlerContext) => void;
    try {
      handler(message, this.context);
    } catch (error: unknown) {
      // A handler bug must not take the view down; the user sees a notice, the log has the detail.
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.deps.logger.error(`agent tree: handler for ${type} failed: ${detail}`);
      this.notify("error", "That action failed unexpectedly; see the Subagents output for details.");
    }
  }

  private notify(level: NoticeMessage["level"], message: string): void {
    if (!this.coalescer.isActive) return;
    this.port.postMessage({ type: "notice", level, message });
  }
}
