import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fingerprint } from "../../../src/core/keys/fingerprint";

/** Raw test keys of this process; nothing the harness prints or keeps may contain them. */
const secrets = new Set<string>();

export function registerSecret(raw: string): void {
  secrets.add(raw);
}

/** Replaces every 8-character run of a registered key with a marker naming its fingerprint. */
export function redact(text: string): string {
  let out = text;
  for (const raw of secrets) {
    const marker = `[key ${fingerprint(raw)} redacted]`;
    if (out.includes(raw)) out = out.split(raw).join(marker);
    for (let i = 0; i + 8 <= raw.length; i++) {
      const window = raw.slice(i, i + 8);
      if (out.includes(window)) out = out.split(window).join(marker);
    }
  }
  return out;
}

/** Redacts every text file under `dir` in place (logs kept after a failure). */
export function redactTree(dir: string): void {
  if (secrets.size === 0) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) redactTree(full);
    else if (entry.isFile() && statSync(full).size < 50_000_000) {
      const text = readFileSync(full, "utf8");
      const clean = redact(text);
      if (clean !== text) writeFileSync(full, clean);
    }
  }
}
