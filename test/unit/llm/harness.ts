import assert from "node:assert/strict";
import { ModelCallError } from "../../../src/core/llm/modelCallError";
import type { Logger } from "../../../src/core/common/logger";
import { endpointOrigin, providerOrigins } from "../../../src/core/keys/keyOrigin";
import { KeyPools } from "../../../src/core/keys/keyPools";
import { ChatClient, type ChatClientOptions } from "../../../src/core/llm/chatClient";
import type { CompletionRequest } from "../../../src/core/llm/modelClient";
import type { ProviderConfig } from "../../../src/core/settings/schema";
import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeOpenAiServerOptions } from "../../fixtures/fakeOpenAiServer";
import { MemoryKeyStore, testKeys } from "../keys/testDoubles";

/** Every line any logger level received, to search for leaks. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { logger: { trace: sink("trace"), debug: sink("debug"), info: sink("info"), warn: sink("warn"), error: sink("error") }, lines };
}

export interface Harness {
  server: FakeOpenAiServer;
  keys: string[];
  store: MemoryKeyStore;
  pools: KeyPools;
  client: ChatClient;
  providers: ProviderConfig[];
  lines: string[];
  close(): Promise<void>;
}

export async function harness(
  options: { keyCount?: number; keys?: string[]; server?: FakeOpenAiServerOptions; client?: Partial<ChatClientOptions> } = {},
): Promise<Harness> {
  const server = await startFakeOpenAiServer(options.server);
  const keys = options.keys ?? testKeys("llm", options.keyCount ?? 3);
  const providers: ProviderConfig[] = [{ id: "p", baseUrl: server.baseUrl, models: ["m"] }];
  const store = new MemoryKeyStore({ p: keys }, endpointOrigin(server.baseUrl) ?? "");
  const pools = new KeyPools({ store, originOf: providerOrigins(() => providers) });
  const { logger, lines } = capturingLogger();
  const client = new ChatClient({
    pools,
    providers: () => providers,
    logger,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    stallTimeoutMs: 10_000,
    ...options.client,
  });
  return {
    server,
    keys,
    store,
    pools,
    client,
    providers,
    lines,
    async close() {
      client.dispose();
      pools.dispose();
      await server.close();
    },
  };
}

export function request(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    providerId: "p",
    model: "m",
    messages: [{ role: "user", content: "hello" }],
    signal: new AbortController().signal,
    agent: { id: "agent-1", role: "root" },
    ...overrides,
  };
}

/** The ModelCallError a call failed with; fails the test when it did not fail. */
export async function rejection(promise: Promise<unknown>): Promise<ModelCallError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ModelCallError, `expected a ModelCallError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the call to fail");
}
