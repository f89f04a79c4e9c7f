import { randomBytes } from "node:crypto";
import { OpenAI } from "openai";
import { Emitter } from "../src/core/common/emitter";
import { endpointOrigin } from "../src/core/keys/keyOrigin";
import { KeyPools } from "../src/core/keys/keyPools";
import type { KeyStore } from "../src/core/keys/keyStore";
import { ChatClient } from "../src/core/llm/chatClient";
import type { CompletionRequest } from "../src/core/llm/modelClient";
import { startFakeOpenAiServer } from "../test/fixtures/fakeOpenAiServer";
import { startRemoteFakeServer } from "./fakeServerProcess";

/**
 * Key-pool throughput against the test server, side by side in one run:
 * K keys, each limited to R requests per second, M concurrent callers.
 * - pool: our ChatClient + KeyPool;
 * - baseline.singleKey: the same client with one key (efficiency is still
 *   measured against K × R, so it shows what the extra keys buy);
 * - baseline.naiveRoundRobin: the bare SDK on one shared key index that moves
 *   to the next key only after a 429 and retries at once.
 * Efficiency = achieved successful requests/s ÷ (K × R). Each scenario does
 * a fixed amount of work, W = keys × R × WINDOWS successful requests. A
 * sliding window admits one burst of keys × R at once, so the rate is
 * (W − keys × R) ÷ (last success − first success): exact for a client that
 * saturates the limit, whether it sends in bursts or smoothly.
 */
const K = 4;
const R = 10;
const M = 16;
const WINDOW_MS = 1000;
/** Windows of work per scenario (plus the free first burst). */
const WINDOWS = 6;

const OVERHEAD_CALLS = 300;

const messages: CompletionRequest["messages"] = [{ role: "user", content: "Say ok." }];

export async function runBench(): Promise<Record<string, number>> {
  const pool = await throughput(K, poolCaller);
  const single = await throughput(1, poolCaller);
  const naive = await throughput(K, naiveCaller);
  const overhead = await clientOverheadMs();
  return {
    "pool.efficiency": pool.efficiency,
    "pool.rate429": pool.rate429,
    "baseline.singleKey.efficiency": single.efficiency,
    "baseline.singleKey.rate429": single.rate429,
    "baseline.naiveRoundRobin.efficiency": naive.efficiency,
    "baseline.naiveRoundRobin.rate429": naive.rate429,
    "client.overheadMsPerCall": overhead,
  };
}

/** One caller strategy: returns a function that makes one request and resolves true on success. */
type Caller = (baseUrl: string, keys: string[]) => { call(): Promise<boolean>; dispose(): void };

async function throughput(keyCount: number, makeCaller: Caller): Promise<{ efficiency: number; rate429: number }> {
  const server = await startRemoteFakeServer({ rateLimit: { requests: R, windowMs: WINDOW_MS } });
  const caller = makeCaller(server.baseUrl, benchKeys(keyCount));
  const work = keyCount * R * (WINDOWS + 1);
  let claimed = 0;
  const successes: number[] = [];
  const loops = Array.from({ length: M }, async () => {
    while (claimed < work) {
      claimed++;
      if (await caller.call()) successes.push(performance.now());
      else claimed--;
    }
  });
  await Promise.all(loops);
  caller.dispose();
  const requests = await server.requests();
  const total = requests.length;
  const limited = requests.filter((r) => r.status === 429).length;
  await server.close();
  const span = Math.max(...successes) - Math.min(...successes);
  const rate = ((successes.length - keyCount * R) * WINDOW_MS) / Math.max(span, 1);
  return { efficiency: rate / (K * R), rate429: total > 0 ? limited / total : 0 };
}

const poolCaller: Caller = (baseUrl, keys) => {
  const pools = new KeyPools({ store: staticStore(keys, baseUrl), originOf: () => endpointOrigin(baseUrl) });
  const client = new ChatClient({ pools, providers: () => [{ id: "bench", baseUrl, models: ["m"] }] });
  let n = 0;
  return {
    async call() {
      try {
        await client.complete({ providerId: "bench", model: "m", messages, signal: new AbortController().signal, agent: { id: `a${n++ % M}`, role: "subagent" } });
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
    async call() {
      for (let tries = 0; tries < 20; tries++) {
        const current = index;
        try {
          await drain(clients[current] ?? clients[0]!);
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

async function drain(client: OpenAI): Promise<string> {
  const stream = await client.chat.completions.create({ model: "m", messages: [...messages], stream: true, stream_options: { include_usage: true } });
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
    await drain(bare);
  }
  const block = 25;
  for (let done = 0; done < OVERHEAD_CALLS; done += block) {
    for (let i = 0; i < block; i++) await time(ours, () => client.complete(request));
    for (let i = 0; i < block; i++) await time(theirs, () => drain(bare));
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
