import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentSupervisor } from "../src/core/agents/agentSupervisor";
import { silentLogger } from "../src/core/common/logger";
import { applyCompaction, SUMMARY_INSTRUCTION } from "../src/core/context/compaction";
import { planCompaction } from "../src/core/context/compactor";
import { ContextMeter } from "../src/core/context/contextMeter";
import { loadTokenizer, tokenizerFor } from "../src/core/context/tokenCount";
import type { ChatMessage, CompletionRequest, CompletionResult, ModelClient } from "../src/core/llm/modelClient";
import { JsonlTranscriptStore } from "../src/host/persistence/jsonlTranscriptStore";
import { TEST_PROVIDERS, testSettings } from "../test/fakes/agentTestKit";
import { FakeWorkspaceTools } from "../test/fakes/fakeWorkspaceTools";
import { exposeGc, heapAfterGc } from "./heap";

/**
 * Long-task benchmarks:
 * - longTask.heapGrowthKBPerTurn: one agent in a 300-turn tool loop (a 16k
 *   window, so it compacts on its way), transcripts written to disk as in the
 *   host: heap after turn 300 minus heap after turn 30, per turn (target < 5);
 * - compaction.msP95: the time a compaction adds to a turn, the model's
 *   summary call excluded (it answers at once here), for a conversation that
 *   just passed 80% of a 128k window (target < 20).
 */
export async function runBench(): Promise<Record<string, number>> {
  await loadTokenizer("o200k_base");
  const heap = await heapGrowthPerTurn();
  const compaction = await compactionTimes();
  return {
    "longTask.heapGrowthKBPerTurn": heap,
    "compaction.msP95": compaction.p95,
    "compaction.msP50": compaction.p50,
  };
}

const NOTE = Array.from({ length: 60 }, (_, i) => `note ${String(i).padStart(2, "0")}: the quick brown fox jumps over the lazy dog`).join("\n");

/** A model for the loop: read_file 300 times, then answer; asked for a summary, writes a short one. Keeps nothing. */
class LoopingModel implements ModelClient {
  turns = 0;
  readonly heapAt = new Map<number, number>();

  constructor(
    private readonly total: number,
    private readonly gc: () => void,
  ) {}

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    // An answer arrives as I/O, so the event loop turns (and the transcript store's batched writes run) between calls.
    await new Promise((resolve) => setImmediate(resolve));
    const last = request.messages.at(-1);
    const usage = { promptTokens: 100, completionTokens: 20 };
    if (!request.tools && typeof last?.content === "string" && last.content.startsWith(SUMMARY_INSTRUCTION)) {
      return { content: "Summary: read notes repeatedly; nothing changed; open: keep reading.", toolCalls: [], usage, keyFingerprint: "…bnch", finishReason: "stop" };
    }
    if (this.turns === 30 || this.turns === this.total) this.heapAt.set(this.turns, heapAfterGc(this.gc));
    if (this.turns >= this.total) return { content: "done", toolCalls: [], usage, keyFingerprint: "…bnch", finishReason: "stop" };
    this.turns++;
    const call = { id: `call_${this.turns}`, name: "read_file", arguments: JSON.stringify({ path: `notes/n${this.turns % 5}.txt` }) };
    return { content: "", toolCalls: [call], usage, keyFingerprint: "…bnch", finishReason: "stop" };
  }
}

async function heapGrowthPerTurn(): Promise<number> {
  const gc = exposeGc();
  const directory = mkdtempSync(join(tmpdir(), "subagents-bench-long-"));
  const transcripts = new JsonlTranscriptStore(directory, silentLogger);
  const model = new LoopingModel(300, gc);
  const workspace = new FakeWorkspaceTools(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`notes/n${i}.txt`, NOTE])));
  const settings = testSettings({
    providers: [{ ...TEST_PROVIDERS[0]!, models: ["gpt-5-mini"], modelOptions: { "gpt-5-mini": { contextWindow: 16_000 } } }],
    model: "alpha:gpt-5-mini",
    maxTurns: 400,
  });
  const service = new AgentSupervisor({ settings: () => settings, modelClient: model, workspace, transcripts, usableKeyCount: () => 4 });
  try {
    const final = await service.runRoot({ task: "read the notes 300 times" }).done;
    if (final.status !== "completed") throw new Error(`the long task ended ${final.status}: ${final.error ?? ""}`);
    const early = model.heapAt.get(30);
    const late = model.heapAt.get(300);
    if (early === undefined || late === undefined) throw new Error("heap was not sampled");
    return (late - early) / 270 / 1024;
  } finally {
    service.dispose();
    transcripts.dispose();
    rmSync(directory, { recursive: true, force: true });
  }
}

async function compactionTimes(): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let run = 0; run < 40; run++) {
    const meter = new ContextMeter(tokenizerFor("gpt-5"), 128_000);
    const messages = conversationPast(meter, run);
    meter.messages(messages); // counted already by the turn before, as in the loop
    const started = performance.now();
    const marker = await planCompaction({
      messages,
      specs: [],
      meter,
      round: 1,
      force: false,
      summarize: async () => "Summary: files read, nothing changed, open: continue.",
    });
    if (!marker) throw new Error("the conversation did not need compaction");
    applyCompaction(messages, marker);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95) };
}

/** A tool-loop conversation just over 80% of the meter's window (distinct text per run, so no cache helps). */
function conversationPast(meter: ContextMeter, run: number): ChatMessage[] {
  const messages: ChatMessage[] = [
    { role: "system", content: "You are a coding agent." },
    { role: "user", content: "Read the notes and report." },
  ];
  let tokens = meter.messages(messages);
  for (let turn = 0; tokens <= meter.compactAt; turn++) {
    const assistant: ChatMessage = {
      role: "assistant",
      content: null,
      tool_calls: [{ id: `c${turn}`, type: "function", function: { name: "read_file", arguments: `{"path":"notes/n${turn % 5}.txt"}` } }],
    };
    const result: ChatMessage = { role: "tool", tool_call_id: `c${turn}`, content: `run ${run} turn ${turn}\n${NOTE}` };
    messages.push(assistant, result);
    tokens += meter.message(assistant) + meter.message(result);
  }
  return messages;
}

