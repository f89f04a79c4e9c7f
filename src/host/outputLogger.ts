import type * as vscode from "vscode";
import type { Logger } from "../core/common/logger";

/**
 * The core's Logger on the "Subagents" LogOutputChannel (which filters by the
 * user's log level). Every line passes through `redact` first, so nothing
 * key-like reaches the channel whoever wrote the message.
 */
export class OutputLogger implements Logger {
  constructor(
    private readonly channel: vscode.LogOutputChannel,
    private readonly redact: (text: string) => string,
  ) {}

  trace(message: string): void {
    this.channel.trace(this.redact(message));
  }
  debug(message: string): void {
    this.channel.debug(this.redact(message));
  }
  info(message: string): void {
    this.channel.info(this.redact(message));
  }
  warn(message: string): void {
    this.channel.warn(this.redact(message));
  }
  error(message: string): void {
    this.channel.error(this.redact(message));
  }
}
