import { randomBytes } from "node:crypto";
import { OpenAI } from "openai";
import { Emitter } from "../src/core/common/emitter";
import { endpointOrigin } from "../src/core/keys/keyOrigin";
import { KeyPools } from "../src/core/keys/keyPools";
import type { KeyStore } from "../src/core/keys/keyStore";
import { ChatClient } from "../src/core/llm/chatClient";
import type { ChatMessage, CompletionRequest } from "../src/core/llm/modelClient";
import type { RateLimitOptions } from "../test/fixtures/fakeOpenAiRateLimit";
import { startFakeOpenAiServer, type RecordedRequest } from "../test/fixtures/fakeOpenAiServer";
import { startRemoteFakeServer } from "./fakeServerProcess";

/**
 * Key-pool throughput against the test server, side by side in one run, for
 * four shapes of per-key limit (K keys, M concurrent callers):
 * - slidingRequests: R requests per sliding window, OpenAI headers on every answer;
 * - fixedTokens: requests and tokens per fixed window, OpenAI headers; tokens bind;
 * - anthropic: requests, input and output tokens per sliding window, Anthropic
 *   headers with RFC 3339 reset times; input tokens bind;
 * - noHeaders: R requests per sliding window, nothing stated, bare 429s.
 * For each: `pool` is our ChatClient + KeyPool, `baseline.naiveRoundRobin`
 * the bare SDK on one shared key index that moves to the next key only after
 * a 429 and retries at once; for slidingRequests also `baseline.singleKey`
 * (our client with one key; efficiency still against K keys).
 *
 * Efficiency = units of the binding limit the server accepted per second in
 * the steady state ÷ its ceiling (K × limit ÷ window), measured alike for
 * every caller from the server's own log (see steadyUnits): the free first
 * window is left out, and every caller has work until past the end of the
 * measured span. 429 rate: refusals among all requests of the run.
 */
const K = 4;
const M = 24;
const WINDOW_MS = 1000;
/** Windows of work per scenario, after the free first one. */
const WINDOWS = 8;

const OVERHEAD_CALLS = 300;
/** BENCH_REFUSALS_COUNT=1: the server counts refused requests against the request limit (see RateLimitOptions.refusalsCount). */
const REFUSALS_COUNT = process.env.BENCH_REFUSALS_COUNT === "1";
/** Start points of the measured span, spread over one window. */
const PHASES = 20;

type Unit = "requests" | "tokens" | "inputTokens";

interface Shape {
  name: string;
  limits: RateLimitOptions;
  /** The limit that binds, and its size per window and key. */
  binds: Unit;
  perWindow: number;
  /** Extra characters in each request (random up to this many): makes tokens bind. */
  filler: number;
  windows: number;
}

const SHAPES: Shape[] = [
  { name: "slidingRequests", limits: { requests: 10, windowMs: WINDOW_MS }, binds: "requests", perWindow: 10, filler: 0, windows: WINDOWS },
  {
    name: "fixedTokens",
    limits: { requests: 30, tokens: 2000, windowMs: WINDOW_MS, window: "fixed" },
    binds: "tokens",
    perWindow: 2000,
    filler: 1200,
    windows: WINDOWS,
  },
  {
    name: "anthropic",
    limits: { requests: 30, inputTokens: 2000, outputTokens: 1000, windowMs: WINDOW_MS, headers: "anthropic" },
    binds: "inputTokens",
    perWindow: 2000,
    filler: 1200,
    windows: WINDOWS,
  },
  {
    name: "noHeaders",
    limits: { requests: 10, windowMs: WINDOW_MS, headers: "none", retryAfter: "none" },
    binds: "requests",
    perWindow: 10,
    filler: 0,
    windows: 2 * WINDOWS,
  },
];

export async function runBench(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  // BENCH_SHAPES=anthropic,noHeaders runs only those shapes (to iterate on one faster).
  const only = process.env.BENCH_SHAPES?.split(",");
  for (const shape of SHAPES.filter((s) => !only || only.includes(s.name))) {
    const pool = await throughput(shape, K, poolCaller);
    const naive = await throughput(shape, K, naiveCaller);
    out[`pool.${shape.name}.efficiency`] = pool.efficiency;
    out[`pool.${shape.name}.rate429`] = pool.rate429;
    out[`baseline.naiveRoundRobin.${shape.name}.efficiency`] = naive.efficiency;
    out[`baseline.naiveRoundRobin.${shape.name}.rate429`] = naive.rate429;
    if (shape.name === "slidingRequests") {
      const single = await throughput(shape, 1, poolCaller);
      out["baseline.singleKey.efficiency"] = single.efficiency;
      out["baseline.singleKey.rate429"] = single.rate429;
    }
  }
  out["client.overheadMsPerCall"] = await clientOverheadMs();
  return out;
}

/** One caller strategy: makes one request, resolves true on success, false on failure or abort. */
type Caller = (baseUrl: string, keys: string[]) => { call(messages: ChatMessage[], signal: AbortSignal): Promise<boolean>; dispose(): void };

async function throughput(shape: Shape, keyCount: number, makeCaller: Caller): Promise<{ efficiency: number; rate429: number }> {
  const server = await startRemoteFakeServer({ rateLimit: { ...shape.limits, refusalsCount: REFUSALS_COUNT } });
  const caller = makeCaller(server.baseUrl, benchKeys(keyCount));
  // Fixed windows are aligned to the clock: start at a boundary, so the first window is whole.
  if (shape.limits.window === "fixed") await new Promise((resolve) => setTimeout(resolve, WINDOW_MS - (Date.now() % WINDOW_MS) + 2));
  // Every caller always has work until well after the measured span ends.
  const stop = new AbortController();
  let firstSuccess: number | undefined;
  const loops = Array.from({ length: M }, async () => {
    while (!stop.signal.aborted) {
      const ok = await caller.call(benchMessages(shape.filler), stop.signal);
      if (ok && firstSuccess === undefined) {
        firstSuccess = Date.now();
        setTimeout(() => stop.abort(), (shape.windows + 2.5) * WINDOW_MS);
      }
    }
  });
  await Promise.all(loops);
  caller.dispose();
  const requests = await server.requests();
  await server.close();
  const total = requests.filter((r) => r.status !== 499).length;
  const limited = requests.filter((r) => r.status === 429).length;
  const units = steadyUnits(requests, shape);
  return { efficiency: units.perWindow / (K * shape.perWindow), rate429: total > 0 ? limited / total : 0 };
}

/**
 * Units of the binding limit the server accepted per window in the steady
 * state, from its own log. The free first window (each key's full limit,
 * used at once) is left out: spans start half a window or more after the
 * first acceptance. The count over `windows` whole windows is averaged over
 * start points spread across one window: whatever rhythm the caller has
 * (waves at each reset, or an even stream), a span's edges then cut its
 * waves at every phase alike, so an edge that happens to catch one wave more
 * or less does not bend the rate. Every caller has work until past the end.
 */
function steadyUnits(requests: readonly RecordedRequest[], shape: Shape): { perWindow: number } {
  const accepted = requests.filter((r) => r.status === 200);
  const t0 = Math.min(...accepted.map((r) => r.at));
  const span = shape.windows * WINDOW_MS;
  let total = 0;
  for (let phase = 0; phase < PHASES; phase++) {
    const from = t0 + WINDOW_MS / 2 + (phase * WINDOW_MS) / PHASES;
    for (const r of accepted) if (r.at >= from && r.at < from + span) total += unitsOf(r, shape.binds);
  }
  return { perWindow: total / PHASES / shape.windows };
}

function unitsOf(request: RecordedRequest, unit: Unit): number {
  const counted = request.counted ?? { inputTokens: 0, outputTokens: 0 };
  if (unit === "requests") return 1;
  return unit === "inputTokens" ? counted.inputTokens : counted.inputTokens + counted.outputTokens;
}

/** A short instruction plus a random amount of filler, so requests differ in size as real ones do. */
function benchMessages(filler: number): ChatMessage[] {
  const extra = filler > 0 ? "x".repeat(Math.floor(Math.random() * filler)) : "";
  return [{ role: "user", content: `Say ok.${extra}` }];
}

const poolCaller: Caller = (baseUrl, keys) => {
  const pools = new KeyPools({ store: staticStore(keys, baseUrl), originOf: () => endpointOrigin(baseUrl) });
  const client = new ChatClient({ pools, providers: () => [{ id: "bench", baseUrl, models: ["m"] }], retry: { maxAttempts: 8 } });
  let n = 0;
  return {
    async call(messages, signal) {
      try {
        await client.complete({ providerId: "bench", model: "m", messages, signal, agent: { id: `a${n++ % M}`, role: "subagent" } });
        return true;
      } catch {
        return false;
      }
    },
    dispose() {
      client.dispose();
      pools.dispose();
    },
  };
};

const naiveCaller: Caller = (baseUrl, keys) => {
  const clients = keys.map((apiKey) => new OpenAI({ baseURL: baseUrl, apiKey, maxRetries: 0, logLevel: "off" }));
  let index = 0;
  return {
    async call(messages, signal) {
      for (let tries = 0; tries < 20 && !signal.aborted; tries++) {
        const current = index;
        try {
          await drain(clients[current] ?? clients[0]!, messages, signal);
          return true;
        } catch (error) {
          if ((error as { status?: number }).status !== 429) return false;
          if (index === current) index = (index + 1) % clients.length;
        }
      }
      return false;
    },
    dispose() {},
  };
};

async function drain(client: OpenAI, messages: ChatMessage[], signal?: AbortSignal): Promise<string> {
  const stream = await client.chat.completions.create({ model: "m", messages, stream: true, stream_options: { include_usage: true } }, signal ? { signal } : {});
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
  return text;
}

/**
 * Our client vs the bare SDK, same streamed request against a zero-latency
 * server, interleaved in blocks so drift hits both alike; medians resist GC pauses.
 */
async function clientOverheadMs(): Promise<number> {
  const server = await startFakeOpenAiServer();
  const [key = ""] = benchKeys(1);
  const pools = new KeyPools({ store: staticStore([key], server.baseUrl), originOf: () => endpointOrigin(server.baseUrl) });
  const client = new ChatClient({ pools, providers: () => [{ id: "bench", baseUrl: server.baseUrl, models: ["m"] }] });
  const bare = new OpenAI({ baseURL: server.baseUrl, apiKey: key, maxRetries: 0, logLevel: "off" });
  const messages = benchMessages(0);
  const request: CompletionRequest = { providerId: "bench", model: "m", messages, signal: new AbortController().signal, agent: { id: "a", role: "root" } };
  const ours: number[] = [];
  const theirs: number[] = [];
  const time = async (samples: number[], fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  };
  for (let i = 0; i < 50; i++) {
    await client.complete(request);
    await drain(bare, messages);
  }
  const block = 25;
  for (let done = 0; done < OVERHEAD_CALLS; done += block) {
    for (let i = 0; i < block; i++) await time(ours, () => client.complete(request));
    for (let i = 0; i < block; i++) await time(theirs, () => drain(bare, messages));
  }
  client.dispose();
  pools.dispose();
  await server.close();
  return median(ours) - median(theirs);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Keys made at runtime, never written anywhere. */
function benchKeys(count: number): string[] {
  return Array.from({ length: count }, () => `sk-bench-${randomBytes(12).toString("hex")}`);
}

function staticStore(keys: string[], baseUrl: string): KeyStore {
  const changed = new Emitter<string>();
  return {
    list: async () => keys.map((key) => ({ key, origin: endpointOrigin(baseUrl) })),
    add: async () => false,
    remove: async () => false,
    rebind: async () => 0,
    onDidChange: changed.event,
  };
}
