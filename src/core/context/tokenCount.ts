/**
 * How an agent's conversation is measured. OpenAI's current families (GPT-4o,
 * GPT-4.1, GPT-5, the o-series, gpt-oss) use the o200k_base encoding, which
 * `gpt-tokenizer` implements exactly. Other families (Claude, Kimi, DeepSeek,
 * Llama, Qwen…) publish no tokenizer that fits in the package, so their
 * text is estimated from its length, on the high side: a conversation
 * compacted a little early costs less than one the provider refuses.
 */
export type TokenizerKind = "o200k_base" | "length_estimate";

/** Characters per token of the estimate; real tokenizers give about 4 for English and 3 for code. */
const ESTIMATE_CHARS_PER_TOKEN = 3;

const O200K_MODEL = /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|o[1-9](-|$)|gpt-oss|codex)/i;

export function tokenizerFor(model: string): TokenizerKind {
  // Routers prefix the vendor (`openai/gpt-5`); the family is what follows.
  const name = model.slice(model.lastIndexOf("/") + 1);
  return O200K_MODEL.test(name) ? "o200k_base" : "length_estimate";
}

let countO200k: ((text: string) => number) | undefined;
let loadingO200k: Promise<void> | undefined;

/**
 * Loads the tokenizer of `kind` once (its tables take a moment to build,
 * so this happens when the first agent needs them, not at activation).
 */
export function loadTokenizer(kind: TokenizerKind): Promise<void> {
  if (kind !== "o200k_base" || countO200k) return Promise.resolve();
  loadingO200k ??= import("gpt-tokenizer/encoding/o200k_base").then((module) => {
    countO200k = module.countTokens;
  });
  return loadingO200k;
}

/** Tokens of `text`; until its tokenizer is loaded, the (higher) length estimate stands in. */
export function countTextTokens(text: string, kind: TokenizerKind): number {
  if (text === "") return 0;
  if (kind === "o200k_base" && countO200k) return countO200k(text);
  return Math.ceil(text.length / ESTIMATE_CHARS_PER_TOKEN);
}

/** Whether `countTextTokens` gives `kind`'s final count now (not a stand-in until its tokenizer loads). */
export function countIsFinal(kind: TokenizerKind): boolean {
  return kind !== "o200k_base" || countO200k !== undefined;
}
