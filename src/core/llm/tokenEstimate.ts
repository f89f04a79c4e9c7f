import type { RequestCost } from "../keys/keyLease";
import type { ChatMessage, CompletionRequest, ToolSpec } from "./modelClient";

/** Characters per token of typical English and code; providers' tokenizers land near it. */
const CHARS_PER_TOKEN = 4;

/**
 * Serialised lengths by object. Messages are never changed in place (a
 * conversation only appends, compaction replaces), and tool specs are
 * frozen and shared by every agent, so each is measured once rather than
 * on every call of a conversation that keeps growing.
 */
const measured = new WeakMap<object, number>();

function lengthOf(value: ChatMessage | ToolSpec): number {
  let chars = measured.get(value);
  if (chars === undefined) {
    chars = JSON.stringify(value).length;
    measured.set(value, chars);
  }
  return chars;
}

/**
 * What a request will count against a provider's token limits, before it is
 * sent: the length of what goes over the wire (messages and tool schemas) in
 * tokens. The pool corrects the estimate by the usage answers report, and
 * guesses the output from earlier replies. This one function is the place to
 * swap in a real tokenizer.
 */
export function estimateRequestTokens(request: Pick<CompletionRequest, "messages" | "tools">): RequestCost {
  let chars = 0;
  for (const message of request.messages) chars += lengthOf(message);
  for (const tool of request.tools ?? []) chars += lengthOf(tool);
  return { inputTokens: Math.ceil(chars / CHARS_PER_TOKEN) };
}
