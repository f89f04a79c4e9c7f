import type { RequestCost } from "../keys/keyLease";
import type { CompletionRequest } from "./modelClient";

/** Characters per token of typical English and code; providers' tokenizers land near it. */
const CHARS_PER_TOKEN = 4;

/**
 * What a request will count against a provider's token limits, before it is
 * sent: the length of what goes over the wire (messages and tool schemas) in
 * tokens. The pool corrects the estimate by the usage answers report, and
 * guesses the output from earlier replies. This one function is the place to
 * swap in a real tokenizer.
 */
export function estimateRequestTokens(request: Pick<CompletionRequest, "messages" | "tools">): RequestCost {
  let chars = JSON.stringify(request.messages).length;
  if (request.tools && request.tools.length > 0) chars += JSON.stringify(request.tools).length;
  return { inputTokens: Math.ceil(chars / CHARS_PER_TOKEN) };
}
