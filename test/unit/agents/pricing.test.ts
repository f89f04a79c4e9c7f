import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { formatCost, formatCostLine } from "../../../media/model/format";
import { newAgentRecord, type NewAgentFields } from "../../../src/core/agents/agentRecord";
import { AgentRegistry } from "../../../src/core/agents/agentRegistry";
import { NO_PRICES, addCosts, agentCostUsd, costUsd, priceLookup } from "../../../src/core/agents/pricing";
import type { ProviderConfig } from "../../../src/core/settings/schema";
import { TEST_PROVIDERS, byName, createKit, type AgentTestKit } from "../../fakes/agentTestKit";
import { ScriptedModelClient } from "../../fakes/scriptedModelClient";
import { TrackingClock } from "../../fakes/trackingClock";

const PRICED: ProviderConfig[] = [
  {
    id: "alpha",
    baseUrl: "http://127.0.0.1:9/v1",
    models: ["m-alpha", "m-free"],
    prices: { "m-alpha": { inputPerMillion: 1, outputPerMillion: 2 }, "m-free": { inputPerMillion: 0, outputPerMillion: 0 } },
  },
  { id: "beta", baseUrl: "http://127.0.0.1:9/v1", models: ["m-beta"] },
];

const close = (actual: number | undefined, expected: number): void => {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${actual} ≈ ${expected}`);
};

describe("pricing", () => {
  it("computes USD from tokens at a price per million", () => {
    close(costUsd({ inputPerMillion: 1.25, outputPerMillion: 10 }, 1_000_000, 100_000), 2.25);
    close(costUsd({ inputPerMillion: 0.25, outputPerMillion: 2 }, 1200, 340), 0.00098);
    assert.equal(costUsd({ inputPerMillion: 0, outputPerMillion: 0 }, 5000, 5000), 0);
    assert.equal(costUsd({ inputPerMillion: 3, outputPerMillion: 3 }, -10, 0), 0, "negative counts never give a negative cost");
  });

  it("looks prices up by provider and model; unknown ones have none", () => {
    const lookup = priceLookup(PRICED);
    assert.deepEqual(lookup("alpha", "m-alpha"), { inputPerMillion: 1, outputPerMillion: 2 });
    assert.equal(lookup("alpha", "m-other"), undefined);
    assert.equal(lookup("beta", "m-beta"), undefined);
    assert.equal(lookup("gamma", "m-alpha"), undefined);
    assert.equal(lookup("alpha", "__proto__"), undefined);
    assert.equal(priceLookup(PRICED), lookup, "memoised per providers array");
    assert.equal(priceLookup(TEST_PROVIDERS), NO_PRICES, "no prices configured");
  });

  it("gives an agent a cost only when its model is priced, and sums subtrees over priced agents", () => {
    const lookup = priceLookup(PRICED);
    close(agentCostUsd(lookup, { providerId: "alpha", model: "m-alpha", tokensIn: 2000, tokensOut: 500 }), 0.003);
    assert.equal(agentCostUsd(lookup, { providerId: "alpha", model: "m-free", tokensIn: 2000, tokensOut: 500 }), 0);
    assert.equal(agentCostUsd(lookup, { providerId: "beta", model: "m-beta", tokensIn: 2000, tokensOut: 500 }), undefined);
    assert.equal(addCosts(undefined, undefined), undefined);
    assert.equal(addCosts(undefined, 0.5), 0.5);
    assert.equal(addCosts(0.25, undefined), 0.25);
    assert.equal(addCosts(0.25, 0.5), 0.75);
  });

  it("fills costUsd and subtreeCostUsd into registry snapshots from the current prices", () => {
    let providers: readonly ProviderConfig[] = PRICED;
    const registry = new AgentRegistry(new TrackingClock(), () => priceLookup(providers));
    const base = { rootId: "root", background: false, createdAt: 0, timeoutSeconds: undefined, task: "t", providerId: "alpha" };
    const add = (fields: Partial<NewAgentFields> & Pick<NewAgentFields, "id" | "model">, tokensIn: number, tokensOut: number): void => {
      const record = newAgentRecord({ name: fields.id, parentId: "root", depth: 1, role: "leaf", ...base, ...fields });
      record.tokensIn = tokensIn;
      record.tokensOut = tokensOut;
      registry.add(record);
    };
    add({ id: "root", parentId: null, depth: 0, role: "root", model: "m-alpha" }, 1000, 1000);
    add({ id: "priced", model: "m-alpha" }, 2000, 500);
    add({ id: "unpriced", providerId: "beta", model: "m-beta" }, 9999, 9999);

    const byId = new Map(registry.snapshotAll().map((s) => [s.id, s]));
    close(byId.get("root")?.costUsd, 0.003);
    close(byId.get("root")?.subtreeCostUsd, 0.006);
    close(byId.get("priced")?.costUsd, 0.003);
    assert.equal(byId.get("unpriced")?.costUsd, undefined);
    assert.equal(byId.get("unpriced")?.subtreeCostUsd, undefined);
    assert.equal("costUsd" in (byId.get("unpriced") ?? {}), false, "no key at all when unknown");
    close(registry.snapshot("root")?.subtreeCostUsd, 0.006);

    providers = TEST_PROVIDERS;
    const unpriced = registry.snapshot("root");
    assert.equal(unpriced?.costUsd, undefined);
    assert.equal(unpriced?.subtreeCostUsd, undefined);
    registry.dispose();
  });

  it("formats small and large amounts sensibly", () => {
    assert.equal(formatCost(0), "$0.00");
    assert.equal(formatCost(0.00004), "<$0.0001");
    assert.equal(formatCost(0.0123), "$0.0123");
    assert.equal(formatCost(0.98765), "$0.9877");
    assert.equal(formatCost(12.345), "$12.35");
    assert.equal(formatCost(1234.5), "$1,235");
    assert.equal(formatCost(Number.NaN), "$0.00");
    assert.equal(formatCostLine(undefined, undefined), undefined);
    assert.equal(formatCostLine(0.0123, 0.0123), "$0.0123");
    assert.equal(formatCostLine(0.0123, 0.0456), "$0.0123 (subtree $0.0456)");
    assert.equal(formatCostLine(undefined, 0.0456), "no price (subtree $0.0456)");
  });
});

describe("pricing in a running service", () => {
  let kit: AgentTestKit | undefined;
  afterEach(() => {
    kit?.service.dispose();
    kit = undefined;
  });

  it("reports the cost of a root and its child from the settings' prices", async () => {
    const client = new ScriptedModelClient((call) => {
      if (call.role === "root") return call.turn === 0 ? { toolCalls: [{ name: "spawn_agent", arguments: { task: "child", name: "child" } }] } : { text: "done" };
      return { text: "child done" };
    });
    kit = createKit(client, { settings: { providers: PRICED } });
    const root = await kit.service.runRoot({ task: "root" }).done;
    const child = byName(kit.service, "child");
    assert.ok(child);
    // Each turn of the scripted client uses 10 tokens in and 5 out, at $1 and $2 per million.
    close(child.costUsd, (child.tokensIn * 1 + child.tokensOut * 2) / 1e6);
    close(root.costUsd, (root.tokensIn * 1 + root.tokensOut * 2) / 1e6);
    close(root.subtreeCostUsd, (root.subtreeTokensIn * 1 + root.subtreeTokensOut * 2) / 1e6);
    assert.ok((root.subtreeCostUsd ?? 0) > (root.costUsd ?? 0));
  });

  it("tells listeners when prices change, so the tree shows new costs at once", async () => {
    const client = new ScriptedModelClient(() => ({ text: "done" }));
    kit = createKit(client, { settings: { providers: TEST_PROVIDERS } });
    const root = await kit.service.runRoot({ task: "root" }).done;
    assert.equal(kit.service.get(root.id)?.costUsd, undefined);
    let changes = 0;
    const listening = kit.service.onDidChange(() => changes++);
    kit.settings.providers = PRICED;
    kit.service.applySettings();
    listening.dispose();
    assert.equal(changes, 1);
    assert.ok((kit.service.get(root.id)?.costUsd ?? 0) > 0);
  });
});

describe("cached input pricing", () => {
  it("charges cached input at the cached price, or at the input price when none is set", () => {
    const price = { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.2 };
    assert.equal(costUsd(price, 1_000_000, 0, 750_000), (250_000 * 2 + 750_000 * 0.2) / 1_000_000);
    assert.equal(costUsd({ inputPerMillion: 2, outputPerMillion: 8 }, 1_000_000, 0, 750_000), 2);
    assert.equal(costUsd(price, 100, 0, 500), (100 * 0.2) / 1_000_000, "never more cached than input");
    const lookup = priceLookup([{ id: "p", baseUrl: "https://example.com/v1", models: ["m"], prices: { m: price } }]);
    assert.equal(agentCostUsd(lookup, { providerId: "p", model: "m", tokensIn: 1000, tokensOut: 0, cachedTokensIn: 1000 }), (1000 * 0.2) / 1_000_000);
  });
});
