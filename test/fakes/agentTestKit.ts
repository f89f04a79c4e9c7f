import { afterEach } from "node:test";
import { AgentSupervisor } from "../../src/core/agents/agentSupervisor";
import type { SupervisorDeps } from "../../src/core/agents/supervisorContext";
import { isFinal } from "../../src/core/agents/status";
import type { ModelClient } from "../../src/core/llm/modelClient";
import type { AgentSnapshot } from "../../src/core/protocol/agentSnapshot";
import { DEFAULT_SETTINGS, type Settings } from "../../src/core/settings/schema";
import { FakeWorkspaceTools } from "./fakeWorkspaceTools";
import { MemoryTranscriptStore, MemoryTreeStore } from "./memoryStores";
import { ScriptedModelClient, type ModelScript } from "./scriptedModelClient";
import { TrackingClock } from "./trackingClock";
import { waitUntil } from "./polling";

export const TEST_PROVIDERS: Settings["providers"] = [
  { id: "alpha", baseUrl: "http://127.0.0.1:9/v1", models: ["m-alpha"] },
  { id: "beta", baseUrl: "http://127.0.0.1:9/v1", models: ["m-beta"] },
];

export function testSettings(overrides: Partial<Settings> = {}): Settings {
  return { ...DEFAULT_SETTINGS, providers: TEST_PROVIDERS, model: "alpha:m-alpha", ...overrides };
}

export interface AgentTestKit {
  service: AgentSupervisor;
  settings: Settings;
  workspace: FakeWorkspaceTools;
  transcripts: MemoryTranscriptStore;
  treeStore: MemoryTreeStore;
  clock: TrackingClock;
  keys: Map<string, number>;
}

/** A service on fakes; `settings` is mutable and read live, `keys` sets usable keys per provider. */
export function createKit(
  modelClient: ModelClient,
  options: { settings?: Partial<Settings>; deps?: Partial<SupervisorDeps>; treeStore?: MemoryTreeStore; transcripts?: MemoryTranscriptStore } = {},
): AgentTestKit {
  const settings = testSettings(options.settings);
  const workspace = new FakeWorkspaceTools();
  const transcripts = options.transcripts ?? new MemoryTranscriptStore();
  const treeStore = options.treeStore ?? new MemoryTreeStore();
  const clock = new TrackingClock();
  const keys = new Map<string, number>([
    ["alpha", 4],
    ["beta", 4],
  ]);
  const service = new AgentSupervisor({
    settings: () => settings,
    modelClient,
    workspace,
    transcripts,
    treeStore,
    usableKeyCount: (id) => keys.get(id) ?? 0,
    clock,
    treeSaveDelayMs: 20,
    ...options.deps,
  });
  return { service, settings, workspace, transcripts, treeStore, clock, keys };
}

export function byName(service: AgentSupervisor, name: string): AgentSnapshot | undefined {
  return service.snapshot().find((a) => a.name === name);
}

export function allFinal(service: AgentSupervisor): boolean {
  return service.snapshot().every((a) => isFinal(a.status));
}

/** After a test: the service holds nothing — no slots, runs, timers or approvals. */
export async function assertQuiet(kit: AgentTestKit, timeoutMs = 3000): Promise<void> {
  await waitUntil(`a quiet service (stats ${JSON.stringify(kit.service.stats())}, clock timers ${kit.clock.pendingTimers})`, () => {
    const s = kit.service.stats();
    return (
      s.slots.held === 0 &&
      s.slots.queued === 0 &&
      s.activeRuns === 0 &&
      s.deadlineTimers === 0 &&
      !s.staleTimerPending &&
      !s.saveTimerPending &&
      s.pendingApprovals === 0 &&
      kit.clock.pendingTimers === 0
    );
  }, timeoutMs);
}

export type KitOptions = Parameters<typeof createKit>[1];

/**
 * For a test file whose tests each start one service from a model script:
 * returns `start(script, options)` and disposes that service after each test.
 */
export function scriptedKitPerTest(): (script: ModelScript, options?: KitOptions) => { client: ScriptedModelClient; kit: AgentTestKit } {
  let current: AgentTestKit | undefined;
  afterEach(() => {
    current?.service.dispose();
    current = undefined;
  });
  return (script, options = {}) => {
    const client = new ScriptedModelClient(script);
    current = createKit(client, options);
    return { client, kit: current };
  };
}

/** A `spawn_agent` call whose child is named after its task. */
export const spawnCall = (task: string, extra: Record<string, unknown> = {}) => ({ name: "spawn_agent", arguments: { task, name: task, ...extra } });

