import type { CompletionRequest } from "./modelClient";

/** Forwards stream progress; tells the listener when a retry voids the text it has seen. */
export class ProgressRelay {
  private sentText = false;
  private pendingRestart = false;

  constructor(private readonly listener: CompletionRequest["onProgress"]) {}

  beginAttempt(): void {
    if (this.sentText) this.pendingRestart = true;
    this.sentText = false;
  }

  chunk(textDelta: string, keyFingerprint: string): void {
    if (!this.listener) return;
    const event: { textDelta?: string; keyFingerprint: string; restarted?: boolean } = { keyFingerprint };
    if (textDelta) event.textDelta = textDelta;
    if (this.pendingRestart) event.restarted = true;
    this.pendingRestart = false;
    if (textDelta) this.sentText = true;
    try {
      this.listener(event);
    } catch {
      // A faulty progress listener must not fail the model call.
    }
  }
}
