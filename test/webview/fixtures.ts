import type { AgentStatus } from "../../src/core/agents/status";
import type { AgentSnapshot, KeyPoolSummary } from "../../src/core/protocol/agentSnapshot";
import type { PatchMessage, SnapshotMessage } from "../../src/core/protocol/messages";

/** Fixed clock for fixtures, so screenshots and texts are stable. */
export const FIXTURE_NOW = 1_900_000_000_000;

export function makeAgent(overrides: Partial<AgentSnapshot> & Pick<AgentSnapshot, "id">): AgentSnapshot {
  const id = overrides.id;
  return {
    name: id,
    parentId: null,
    rootId: overrides.rootId ?? id,
    depth: 0,
    role: "leaf",
    task: `Task of ${id}`,
    providerId: "openai",
    model: "gpt-5-mini",
    status: "running",
    background: false,
    createdAt: FIXTURE_NOW - 60_000,
    startedAt: FIXTURE_NOW - 60_000,
    elapsedMs: 61_000,
    tokensIn: 1200,
    tokensOut: 340,
    subtreeTokensIn: 1200,
    subtreeTokensOut: 340,
    toolCount: 3,
    timeoutRemovable: true,
    stale: false,
    ...overrides,
  };
}

export const FIXTURE_KEYS: KeyPoolSummary[] = [
  { providerId: "openai", healthy: 3, cooling: 1, invalid: 0 },
  { providerId: "kimi", healthy: 2, cooling: 0, invalid: 1 },
];

/** Two root runs, 14 agents, every status, an approval, a stale agent and a timeout. */
export function mixedTree(): AgentSnapshot[] {
  const t = FIXTURE_NOW;
  let spawned = 0;
  const child = (id: string, parentId: string, rootId: string, depth: number, status: AgentStatus, extra: Partial<AgentSnapshot> = {}): AgentSnapshot =>
    makeAgent({ id, parentId, rootId, depth, status, createdAt: t - 50_000 + 100 * spawned++, ...extra });
  return [
    makeAgent({
      id: "root-1",
      name: "Refactor auth module",
      role: "root",
      status: "waiting",
      statusReason: "Waiting for 3 children",
      task: "Refactor the **auth** module into `core/auth` and update every import.",
      createdAt: t - 120_000,
      elapsedMs: 118_000,
      tokensIn: 8400,
      tokensOut: 2100,
      subtreeTokensIn: 48_200,
      subtreeTokensOut: 11_900,
      keyFingerprint: "…a1b2",
      model: "gpt-5",
    }),
    child("scan", "root-1", "root-1", 1, "completed", {
      name: "Scan imports",
      role: "orchestrator",
      elapsedMs: 42_000,
      result: "Found **37** imports of `auth` in 12 files.",
      lastEvent: "completed",
    }),
    child("scan-a", "scan", "root-1", 2, "completed", { name: "Scan src/", elapsedMs: 20_000, lastEvent: "result 2.1k chars" }),
    child("scan-b", "scan", "root-1", 2, "failed", { name: "Scan test/", elapsedMs: 9_000, error: "search_text failed: **pattern** too broad", statusReason: "Tool error" }),
    child("edit", "root-1", "root-1", 1, "running", {
      name: "Move files",
      currentTool: "edit_file src/core/auth/session.ts",
      keyFingerprint: "…c3d4",
      timeoutAt: t + 240_000,
      elapsedMs: 33_000,
      recentTools: [
        { name: "read_file", preview: "src/auth/session.ts (212 lines)", ok: true },
        { name: "edit_file", preview: "src/core/auth/session.ts", ok: false },
        { name: "edit_file", preview: "src/core/auth/session.ts" },
      ],
    }),
    child("tests", "root-1", "root-1", 1, "waiting", {
      name: "Run unit tests",
      pendingApproval: { requestId: "req-1", command: "npm test -- --grep auth", cwd: "." },
      statusReason: "Waiting for approval",
      timeoutAt: t + 90_000,
    }),
    child("docs", "root-1", "root-1", 1, "queued", { name: "Update docs", elapsedMs: 0, tokensIn: 0, tokensOut: 0, background: true, timeoutAt: t + 900_000, timeoutRemovable: false }),
    child("lint", "root-1", "root-1", 1, "pending_init", { name: "Lint changes", elapsedMs: 0, tokensIn: 0, tokensOut: 0 }),
    child("bench", "root-1", "root-1", 1, "timed_out", { name: "Benchmark login", elapsedMs: 300_000, statusReason: "Timed out after 5m 00s" }),
    child("stuck", "root-1", "root-1", 1, "running", { name: "Check types", stale: true, currentTool: "run_command tsc --noEmit", elapsedMs: 480_000 }),
    makeAgent({
      id: "root-2",
      name: "Write release notes",
      role: "root",
      status: "interrupted",
      statusReason: "Interrupted by the user",
      createdAt: t - 30_000,
      elapsedMs: 28_000,
      subtreeTokensIn: 5000,
      subtreeTokensOut: 1500,
    }),
    child("notes-a", "root-2", "root-2", 1, "interrupted", { name: "Collect changes", elapsedMs: 12_000 }),
    child("notes-b", "root-2", "root-2", 1, "completed", { name: "Draft summary", elapsedMs: 15_000, result: "Drafted." }),
    child("notes-c", "root-2", "root-2", 1, "running", { name: "Polish wording", currentTool: "read_file CHANGELOG.md" }),
  ];
}

/** `count` agents: roots of 1 + 9 children + 40 grandchildren each. */
export function largeTree(count: number): AgentSnapshot[] {
  const agents: AgentSnapshot[] = [];
  const statuses: AgentStatus[] = ["running", "queued", "waiting", "completed", "failed", "running", "pending_init", "timed_out", "interrupted"];
  for (let i = 0; agents.length < count; i++) {
    const rootId = `r${i}`;
    agents.push(makeAgent({ id: rootId, name: `Root ${i}`, role: "root", createdAt: FIXTURE_NOW - i * 1000 }));
    for (let c = 0; c < 9 && agents.length < count; c++) {
      const childId = `${rootId}-c${c}`;
      agents.push(makeAgent({ id: childId, name: `Child ${i}.${c}`, parentId: rootId, rootId, depth: 1, status: statuses[c % statuses.length] ?? "running", createdAt: FIXTURE_NOW - i * 1000 + c + 1 }));
      for (let g = 0; g < 4 && agents.length < count; g++) {
        agents.push(makeAgent({ id: `${childId}-g${g}`, name: `Leaf ${i}.${c}.${g}`, parentId: childId, rootId, depth: 2, createdAt: FIXTURE_NOW - i * 1000 + c + g + 2 }));
      }
    }
  }
  return agents;
}

/** A snapshot with seq 0; patches after it start at seq 1. */
export function snapshotOf(agents: AgentSnapshot[], overrides: Partial<SnapshotMessage> = {}): SnapshotMessage {
  return { type: "snapshot", seq: 0, hostNow: FIXTURE_NOW, agents, keys: FIXTURE_KEYS, spawningPaused: false, ...overrides };
}

/** A patch following `snapshotOf` (pass the previous message's seq + 1). */
export function patchOf(seqNumber: number, upserts: AgentSnapshot[], removed: string[] = []): PatchMessage {
  return { type: "patch", seq: seqNumber, hostNow: FIXTURE_NOW, upserts, removed };
}
