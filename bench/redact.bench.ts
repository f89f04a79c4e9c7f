import { randomBytes } from "node:crypto";
import { SecretRedactor } from "../src/core/keys/redact";
import { largeTree } from "../test/webview/fixtures";

/**
 * Cost of key redaction at its choke points.
 *
 * - redact.msPer100KB: one uncached pass over 100 KB of ordinary command
 *   output with 10 keys held (a large tool result).
 * - redact.rememberedMsPer100KB: the same text again (a conversation is
 *   redacted on every request; long texts are remembered).
 * - redact.treeSnapshotMs: every string of a 2,000-agent snapshot (what the
 *   webview gets on `ready`).
 */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function runBench(): Promise<Record<string, number>> {
  const keys = Array.from({ length: 10 }, () => `sk-bench-${randomBytes(24).toString("base64url")}`);
  const redactor = new SecretRedactor(() => keys);
  const line = (i: number) => `src/module${i % 97}.ts:${i}: const value${i} = compute(${i}, "ordinary text") // note ${i}\n`;
  let text = "";
  for (let i = 0; text.length < 100 * 1024; i++) text += line(i);
  const fresh: number[] = [];
  const remembered: number[] = [];
  for (let round = 0; round < 9; round++) {
    const sample = `${round}${text}`;
    let t = performance.now();
    redactor.redact(sample);
    fresh.push(performance.now() - t);
    t = performance.now();
    redactor.redact(sample);
    remembered.push(performance.now() - t);
  }
  const tree = largeTree(2_000);
  const snapshots: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    redactor.redactDeep(tree);
    snapshots.push(performance.now() - t);
  }
  return {
    "redact.msPer100KB": median(fresh),
    "redact.rememberedMsPer100KB": median(remembered),
    "redact.treeSnapshotMs": median(snapshots),
  };
}
