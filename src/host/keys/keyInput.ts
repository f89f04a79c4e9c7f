import { fingerprint } from "../../core/keys/fingerprint";

/**
 * Pure rules for keys typed or imported by the user. Messages carry the
 * fingerprint at most, never the key.
 */
export type KeyCheck = { ok: true; key: string } | { ok: false; message: string };

/**
 * Shorter keys are refused: redaction needs a piece long enough to recognise
 * without cutting ordinary words out of every text.
 */
export const MIN_KEY_LENGTH = 8;

export function checkNewKey(raw: string | undefined, existing: readonly string[], providerId: string): KeyCheck {
  const key = (raw ?? "").trim();
  if (key === "") return { ok: false, message: "The key is empty. Paste the API key from your provider's dashboard." };
  if (/\s/.test(key)) {
    return { ok: false, message: "An API key has no spaces or line breaks. Paste only the key (without \"Bearer\")." };
  }
  if (key.length < MIN_KEY_LENGTH) {
    return {
      ok: false,
      message:
        `An API key has at least ${MIN_KEY_LENGTH} characters; this one has ${key.length}. ` +
        'A server that needs no key (a local llama.cpp, vLLM or Ollama) needs none here: set "auth": "none" on its entry in subagents.providers.',
    };
  }
  if (existing.includes(key)) {
    return { ok: false, message: `This key (${fingerprint(key)}) is already in the ${providerId} pool.` };
  }
  return { ok: true, key };
}

export interface ImportOutcome {
  providerId: string;
  prefix: string;
  found: number;
  added: number;
}

/** One line for the notification after "Import API Keys from Environment". */
export function describeImport(outcomes: readonly ImportOutcome[]): { message: string; added: number } {
  const added = outcomes.reduce((sum, o) => sum + o.added, 0);
  if (outcomes.length === 0) {
    return { added, message: "No provider has an envPrefix in subagents.providers, so there is nothing to import." };
  }
  const found = outcomes.filter((o) => o.found > 0);
  if (found.length === 0) {
    const names = outcomes.map((o) => `${o.prefix}, ${o.prefix}_1 … ${o.prefix}_99`).join("; ");
    return {
      added,
      message: `No API keys found in the environment (looked for ${names}). The variables must be set where VS Code was started.`,
    };
  }
  const parts = found.map((o) => `${o.providerId}: ${o.added} new of ${o.found} found in ${o.prefix}*`);
  const head = added === 0 ? "No new API keys" : `Imported ${added} new API key${added === 1 ? "" : "s"}`;
  return { added, message: `${head} (${parts.join("; ")}).` };
}
