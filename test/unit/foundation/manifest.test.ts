import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { COMMAND_IDS } from "../../../src/host/commandIds";
import { CHANGE_COMMAND_IDS } from "../../../src/host/changes/changeCommandIds";
import { AGENT_ACTION_LOOK } from "../../../media/model/agentActions";
import { MAX_STORED_RESULT_CHARS } from "../../../src/core/agents/resultFormat";
import { MAX_TIMEOUT_SECONDS } from "../../../src/core/common/timeLimits";
import { actionCommandId, actionContextKey, AGENT_ACTION_IDS, agentRowContext } from "../../../src/core/protocol/agentActions";
import { makeAgent } from "../../webview/fixtures";
import {
  DEFAULT_SETTINGS,
  modelEntrySchema,
  modelPriceSchema,
  providerApiSchema,
  providerAuthSchema,
  providerFields,
  reasoningEffortSchema,
  settingSchemas,
} from "../../../src/core/settings/schema";

const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
  main: string;
  extensionKind: string[];
  capabilities: { untrustedWorkspaces: { supported: string } };
  contributes: {
    commands: Array<{ command: string; title: string; category: string }>;
    menus: Record<string, Array<{ command: string; when?: string; group?: string }>>;
    views: Record<string, Array<{ id: string; type?: string }>>;
    viewsContainers: { activitybar: Array<{ id: string; title: string }> };
    configuration: { properties: Record<string, { default: unknown; minimum?: number; maximum?: number }> };
  };
};

/** The public contract of command ids and titles: users, docs and keybindings rely on them. */
const CONTRACT: Array<[string, string]> = [
  ["subagents.runTask", "Run Task…"],
  ["subagents.addApiKey", "Add API Key…"],
  ["subagents.removeApiKey", "Remove API Key…"],
  ["subagents.importApiKeys", "Import API Keys from Environment"],
  ["subagents.showKeyPool", "Show Key Pool"],
  ["subagents.interruptAgent", "Interrupt Agent…"],
  ["subagents.interruptAll", "Interrupt All Agents"],
  ["subagents.setAgentTimeout", "Set Agent Timeout…"],
  ["subagents.togglePauseSpawning", "Pause/Resume Spawning"],
  ["subagents.openTranscript", "Open Agent Transcript…"],
  ["subagents.clearFinished", "Clear Finished Agents"],
  ["subagents.raiseBudget", "Raise Task Budget…"],
];

/**
 * Commands beyond the contract: a new agent definition, and one per entry of
 * an agent row's native context menu, titled as the view's own buttons.
 */
const EXTRA: Array<[string, string]> = [
  ["subagents.newAgentDefinition", "New Agent Definition"],
  [CHANGE_COMMAND_IDS.reviewAgentChanges, "Review Agent Changes…"],
  [CHANGE_COMMAND_IDS.revertAgentChanges, "Revert Agent Changes…"],
  [CHANGE_COMMAND_IDS.mergeAgentWorktree, "Merge Agent Worktree…"],
  [CHANGE_COMMAND_IDS.discardAgentWorktree, "Discard Agent Worktree…"],
  ...AGENT_ACTION_IDS.map((action): [string, string] => [actionCommandId(action), AGENT_ACTION_LOOK[action].label]),
];

describe("package.json contract", () => {
  it("lists every command id and title of the brief exactly, under category Subagents", () => {
    const listed = pkg.contributes.commands.map((c) => [c.command, c.title]);
    assert.deepEqual(listed.sort(), [...CONTRACT, ...EXTRA].sort());
    for (const c of pkg.contributes.commands) assert.equal(c.category, "Subagents");
  });

  it("registers the same ids in code as in the manifest", () => {
    assert.deepEqual(Object.values(COMMAND_IDS).sort(), CONTRACT.map(([id]) => id).sort());
  });

  it("offers each agent action in the row's native context menu, only where the row's context allows it", () => {
    const entries = pkg.contributes.menus["webview/context"] ?? [];
    assert.deepEqual(entries.map((e) => e.command), AGENT_ACTION_IDS.map(actionCommandId));
    // Every key the `when` clauses test is one the row actually sets.
    const rowKeys = new Set(Object.keys(agentRowContext(makeAgent({ id: "a", pendingApproval: { requestId: "r", command: "ls", cwd: "." } }))));
    for (const [i, action] of AGENT_ACTION_IDS.entries()) {
      const when = entries[i]?.when ?? "";
      assert.equal(when, `webviewId == 'subagents.agentTree' && webviewSection == 'agentRow' && ${actionContextKey(action)}`, action);
      assert.ok(rowKeys.has(actionContextKey(action)), action);
      assert.match(entries[i]?.group ?? "", /^\d_\w+@\d$/, `${action} has a menu group and order`);
    }
    // Without a row's context they cannot act, so the command palette does not list them.
    const hidden = new Set((pkg.contributes.menus["commandPalette"] ?? []).filter((e) => e.when === "false").map((e) => e.command));
    for (const action of AGENT_ACTION_IDS) assert.ok(hidden.has(actionCommandId(action)), `${action} hidden from the palette`);
  });

  it("declares the view container and the webview view", () => {
    assert.ok(pkg.contributes.viewsContainers.activitybar.some((c) => c.id === "subagents" && c.title === "Subagents"));
    const views = pkg.contributes.views["subagents"] ?? [];
    assert.ok(views.some((v) => v.id === "subagents.agentTree" && v.type === "webview"));
  });

  it("runs as a workspace extension from the bundle, with limited untrusted support", () => {
    assert.equal(pkg.main, "./dist/extension.js");
    assert.deepEqual(pkg.extensionKind, ["workspace"]);
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, "limited");
  });

  it("has a configuration entry for every setting, whose default matches the zod default", () => {
    const props = pkg.contributes.configuration.properties;
    const declared = Object.keys(props).sort();
    const expected = Object.keys(settingSchemas).map((k) => `subagents.${k}`).sort();
    assert.deepEqual(declared, expected);
    for (const key of Object.keys(settingSchemas) as Array<keyof typeof DEFAULT_SETTINGS>) {
      const prop = props[`subagents.${key}`];
      assert.ok(prop, key);
      assert.deepEqual(prop.default, DEFAULT_SETTINGS[key], `default of subagents.${key}`);
      // The manifest's default must itself pass the zod schema.
      assert.ok(settingSchemas[key].safeParse(prop.default).success, `schema accepts default of ${key}`);
    }
  });

  it("bounds the timeout and result settings by the maxima the rest of the extension uses", () => {
    const props = pkg.contributes.configuration.properties;
    for (const key of ["subagents.timeouts.foregroundSeconds", "subagents.timeouts.backgroundSeconds"]) {
      assert.equal(props[key]?.maximum, MAX_TIMEOUT_SECONDS, key);
    }
    for (const key of ["subagents.results.maxChars", "subagents.results.maxPartialChars"]) {
      assert.equal(props[key]?.maximum, MAX_STORED_RESULT_CHARS, key);
    }
  });

  it("keeps manifest bounds and zod bounds in step", () => {
    const props = pkg.contributes.configuration.properties;
    for (const [key, prop] of Object.entries(props)) {
      const name = key.slice("subagents.".length) as keyof typeof settingSchemas;
      const schema = settingSchemas[name];
      if (prop.minimum !== undefined) {
        assert.equal(schema.safeParse(prop.minimum - 1).success, false, `${key} below minimum`);
        assert.equal(schema.safeParse(prop.minimum).success, true, `${key} at minimum`);
      }
      if (prop.maximum !== undefined) {
        assert.equal(schema.safeParse(prop.maximum + 1).success, false, `${key} above maximum`);
        assert.equal(schema.safeParse(prop.maximum).success, true, `${key} at maximum`);
      }
    }
  });

  it("describes a provider entry with the same fields, choices and bounds as the zod schema", () => {
    type JsonSchema = { properties?: Record<string, JsonSchema>; enum?: string[]; minimum?: number; maximum?: number; items?: JsonSchema; anyOf?: JsonSchema[]; additionalProperties?: JsonSchema | boolean };
    const provider = (pkg.contributes.configuration.properties["subagents.providers"] as unknown as { items: JsonSchema }).items;
    const props = provider.properties ?? {};
    // `modelOptions` is filled from object entries of `models`, never written by the user.
    assert.deepEqual(Object.keys(props).sort(), Object.keys(providerFields.shape).filter((k) => k !== "modelOptions").sort());
    assert.deepEqual(props["api"]?.enum, providerApiSchema.options);
    assert.deepEqual(props["auth"]?.enum, providerAuthSchema.options);
    const maxConcurrent = props["maxConcurrent"];
    assert.equal(providerFields.shape.maxConcurrent.safeParse(maxConcurrent?.maximum).success, true);
    assert.equal(providerFields.shape.maxConcurrent.safeParse((maxConcurrent?.maximum ?? 0) + 1).success, false);
    assert.equal(providerFields.shape.maxConcurrent.safeParse((maxConcurrent?.minimum ?? 0) - 1).success, false);
    const modelObject = props["models"]?.items?.anyOf?.find((s) => s.properties);
    assert.deepEqual(Object.keys(modelObject?.properties ?? {}).sort(), ["contextWindow", "name", "reasoningEffort"]);
    assert.deepEqual(modelObject?.properties?.["reasoningEffort"]?.enum, reasoningEffortSchema.options);
    const window = modelObject?.properties?.["contextWindow"];
    assert.equal(modelEntrySchema.safeParse({ name: "m", contextWindow: window?.minimum }).success, true);
    assert.equal(modelEntrySchema.safeParse({ name: "m", contextWindow: (window?.minimum ?? 0) - 1 }).success, false);
    assert.equal(modelEntrySchema.safeParse({ name: "m", contextWindow: (window?.maximum ?? 0) + 1 }).success, false);
    const price = props["prices"]?.additionalProperties as JsonSchema;
    assert.deepEqual(Object.keys(price.properties ?? {}).sort(), Object.keys(modelPriceSchema.shape).sort());
  });
});
