import type { ChatMessage, ToolSpec } from "../llm/modelClient";
import { countIsFinal, countTextTokens, loadTokenizer, type TokenizerKind } from "./tokenCount";

/** The window assumed for a model whose provider entry gives none. */
export const DEFAULT_CONTEXT_WINDOW = 128_000;

/** A request is compacted before it would pass this share of the window (the rest is room for the answer). */
export const COMPACT_AT_SHARE = 0.8;

/**
 * Tokens each message costs beyond its text (role and separators): OpenAI
 * documents 3; one more keeps the count on the safe side for other APIs.
 */
const MESSAGE_OVERHEAD_TOKENS = 4;

/**
 * Tool specs are shared, frozen objects (one per tool and description), so a
 * spec's count is kept with the spec for every agent and meter that sends it:
 * a fan-out's children do not each tokenize the same dozen definitions.
 */
const specTokens = new WeakMap<ToolSpec, Partial<Record<TokenizerKind, number>>>();

/**
 * Counts a conversation's tokens for one model. A message's count is kept
 * with the message object (messages are never changed in place: compaction
 * replaces them), so each turn counts only what is new.
 */
export class ContextMeter {
  private readonly counted = new WeakMap<ChatMessage, number>();

  constructor(
    readonly tokenizer: TokenizerKind,
    readonly window: number,
  ) {}

  /** Resolves once exact counting is available (the estimate serves until then). */
  ready(): Promise<void> {
    return loadTokenizer(this.tokenizer);
  }

  /** Above this many tokens a request is compacted first. */
  get compactAt(): number {
    return Math.floor(this.window * COMPACT_AT_SHARE);
  }

  message(message: ChatMessage): number {
    const known = this.counted.get(message);
    if (known !== undefined) return known;
    let tokens = MESSAGE_OVERHEAD_TOKENS + this.text(contentText(message.content));
    if (message.role === "assistant" && message.tool_calls) {
      for (const call of message.tool_calls) {
        if (call.type === "function") tokens += MESSAGE_OVERHEAD_TOKENS + this.text(call.function.name) + this.text(call.function.arguments);
      }
    }
    this.counted.set(message, tokens);
    return tokens;
  }

  messages(messages: readonly ChatMessage[]): number {
    let total = 0;
    for (const message of messages) total += this.message(message);
    return total;
  }

  /** The tool definitions sent with every request count against the window too. */
  tools(specs: readonly ToolSpec[]): number {
    // One token per spec for the separators of the list they are sent in.
    let total = 0;
    for (const spec of specs) total += this.spec(spec) + 1;
    return total;
  }

  private spec(spec: ToolSpec): number {
    let counts = specTokens.get(spec);
    const known = counts?.[this.tokenizer];
    if (known !== undefined) return known;
    const tokens = this.text(JSON.stringify(spec));
    // Only exact counts are kept: an estimate made before the tokenizer loaded is redone once it has.
    if (countIsFinal(this.tokenizer)) {
      counts ??= {};
      counts[this.tokenizer] = tokens;
      specTokens.set(spec, counts);
    }
    return tokens;
  }

  request(messages: readonly ChatMessage[], specs: readonly ToolSpec[]): number {
    return this.messages(messages) + this.tools(specs);
  }

  text(text: string): number {
    return countTextTokens(text, this.tokenizer);
  }
}

/** The text of a message's content, whichever form it takes. */
export function contentText(content: ChatMessage["content"]): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((part) => ("text" in part && typeof part.text === "string" ? part.text : "")).join("");
}
