import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { AgentSupervisor } from "../../src/core/agents/agentSupervisor";
import type { SupervisorDeps } from "../../src/core/agents/supervisorContext";
import { Emitter } from "../../src/core/common/emitter";
import { KeyPools } from "../../src/core/keys/keyPools";
import { endpointOrigin } from "../../src/core/keys/keyOrigin";
import type { KeyStore, StoredKey } from "../../src/core/keys/keyStore";
import type { TranscriptStore } from "../../src/core/agents/transcript";
import { ChatClient } from "../../src/core/llm/chatClient";
import type { CompletionRequest, CompletionResult, ModelClient } from "../../src/core/llm/modelClient";
import { settingSchemas, type ProviderApi, type ProviderConfig, type Settings } from "../../src/core/settings/schema";
import {
  startFakeOpenAiServer,
  type FakeOpenAiServer,
  type FakeOpenAiServerOptions,
  type ScriptedReply,
  type ScriptedRequest,
} from "../fixtures/fakeOpenAiServer";
import { testSettings } from "./agentTestKit";
import { FakeWorkspaceTools } from "./fakeWorkspaceTools";
import { MemoryTranscriptStore, MemoryTreeStore } from "./memoryStores";
import { TrackingClock } from "./trackingClock";
import { waitUntil } from "./polling";

/** Keys in memory, for the real KeyPools, bound to one origin. */
export class StaticKeyStore implements KeyStore {
  private readonly changed = new Emitter<string>();
  readonly onDidChange = this.changed.event;
  constructor(
    private readonly keys: Record<string, string[]>,
    private readonly origin: string,
  ) {}
  async list(providerId: string): Promise<readonly StoredKey[]> {
    return (this.keys[providerId] ?? []).map((key) => ({ key, origin: this.origin }));
  }
  async add(): Promise<boolean> {
    return false;
  }
  async remove(): Promise<boolean> {
    return false;
  }
  async rebind(): Promise<number> {
    return 0;
  }
}

/** What a scripted agent "sees" of one request to the test server. */
export interface AgentView {
  agentId: string;
  role: string;
  task: string;
  /** Completed assistant turns so far. */
  turn: number;
  lastTool: string;
  toolResults: string[];
  messages: ChatCompletionMessageParam[];
  request: ScriptedRequest;
}

export function viewOf(request: ScriptedRequest): AgentView {
  const messages = request.messages;
  const firstUser = messages.find((m) => m.role === "user");
  const toolResults = messages.filter((m) => m.role === "tool").map((m) => String(m.content));
  return {
    agentId: request.agentId ?? "",
    role: request.agentRole ?? "",
    task: typeof firstUser?.content === "string" ? firstUser.content : "",
    turn: messages.filter((m) => m.role === "assistant").length,
    lastTool: toolResults[toolResults.length - 1] ?? "",
    toolResults,
    messages,
    request,
  };
}

export interface LiveKit {
  server: FakeOpenAiServer;
  service: AgentSupervisor;
  pools: KeyPools;
  client: ChatClient;
  clock: TrackingClock;
  settings: Settings;
  workspace: FakeWorkspaceTools;
  transcripts: TranscriptStore;
  keys: string[];
  /** Every completed model call: who made it, and the usage it reported. */
  completions: Array<{ request: CompletionRequest; result: CompletionResult }>;
  /** Key leases handed out and not yet returned, over every provider. */
  leasesOut(): number;
  close(): Promise<void>;
}

/**
 * The real stack for scenario tests: the test server on 127.0.0.1, the real
 * KeyPools and ChatClient over the `openai` SDK, and the agent service on top,
 * all on one TrackingClock so a test can prove no timer is left behind.
 */
export async function startLiveKit(options: {
  keyCount: number;
  script: (view: AgentView) => ScriptedReply | Promise<ScriptedReply>;
  settings?: Partial<Settings>;
  server?: Omit<FakeOpenAiServerOptions, "script" | "keys">;
  deps?: Partial<SupervisorDeps>;
  /** The provider's models (names or `{name, contextWindow}` entries); default `["fake-model"]`. */
  models?: unknown[];
  /** The API the "live" provider speaks (default: Chat Completions). */
  api?: ProviderApi;
  /** A provider with `auth: "none"`: no keys, and a server that takes none. */
  keyless?: boolean;
  /** Stores that outlive this kit, as workspace storage outlives a window reload. */
  stores?: { transcripts: TranscriptStore; treeStore: MemoryTreeStore };
}): Promise<LiveKit> {
  const keys = options.keyless ? [] : Array.from({ length: options.keyCount }, (_, i) => `sk-live-test-${"k".repeat(16)}${String(i).padStart(4, "0")}`);
  const server = await startFakeOpenAiServer({
    ...options.server,
    ...(options.keyless ? { keyless: true } : { keys }),
    script: (request) => options.script(viewOf(request)),
  });
  const clock = new TrackingClock();
  const origin = endpointOrigin(server.baseUrl) ?? "";
  const pools = new KeyPools({ store: new StaticKeyStore({ live: keys }, origin), originOf: () => origin, clock, cooldownSeconds: [1] });
  await pools.load(["live"]);
  const settings = testSettings({
    providers: [
      settingSchemas.providers.parse([
        {
          id: "live",
          baseUrl: server.baseUrl,
          models: options.models ?? ["fake-model"],
          ...(options.api ? { api: options.api } : {}),
          ...(options.keyless ? { auth: "none" as const } : {}),
        },
      ])[0] as ProviderConfig,
    ],
    model: "live:fake-model",
    ...options.settings,
  });
  const client = new ChatClient({
    pools,
    providers: () => settings.providers,
    clock,
    retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 8 },
    stallTimeoutMs: 10_000,
  });
  const completions: LiveKit["completions"] = [];
  const recording: ModelClient = {
    complete: async (request) => {
      const result = await client.complete(request);
      completions.push({ request, result });
      return result;
    },
  };
  const workspace = new FakeWorkspaceTools({ "README.md": "# project\n", "src/a.ts": "export const a = 1;\n" });
  const transcripts = options.stores?.transcripts ?? new MemoryTranscriptStore();
  const service = new AgentSupervisor({
    settings: () => settings,
    modelClient: recording,
    workspace,
    transcripts,
    treeStore: options.stores?.treeStore ?? new MemoryTreeStore(),
    usableKeyCount: (id) => pools.usableKeyCount(id),
    clock,
    treeSaveDelayMs: 20,
    ...options.deps,
  });
  return {
    server,
    service,
    pools,
    client,
    clock,
    settings,
    workspace,
    transcripts,
    keys,
    completions,
    leasesOut: () => pools.snapshot().reduce((n, p) => n + p.keys.reduce((m, k) => m + k.inFlight, 0), 0),
    async close() {
      service.dispose();
      client.dispose();
      pools.dispose();
      await server.close();
    },
  };
}

export const spawnCall = (task: string, extra: Record<string, unknown> = {}) => ({
  name: "spawn_agent",
  arguments: { task, name: task, ...extra },
});

/** Agent ids from the background-spawn results among the tool results. */
export function spawnedIds(view: AgentView): string[] {
  return view.toolResults.flatMap((content) => {
    try {
      const parsed = JSON.parse(content) as { agent_id?: unknown };
      return typeof parsed.agent_id === "string" ? [parsed.agent_id] : [];
    } catch {
      return [];
    }
  });
}

/** Waits until the kit's supervisor holds nothing: no slot, run, deadline, stale timer, lease or pending timer. */
export async function assertDrained(k: LiveKit): Promise<void> {
  await waitUntil(`a drained service: ${JSON.stringify(k.service.stats())}, leases ${k.leasesOut()}`, () => {
    const s = k.service.stats();
    return s.slots.held === 0 && s.slots.queued === 0 && s.activeRuns === 0 && s.deadlineTimers === 0 && !s.staleTimerPending && k.leasesOut() === 0;
  });
  // Key cooldowns (1 s in these tests) may still be ticking; everything else is already gone.
  await waitUntil(`no pending timers (${k.clock.pendingTimers})`, () => k.clock.pendingTimers === 0, 5000);
}
