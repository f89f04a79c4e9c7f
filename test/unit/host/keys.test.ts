import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { silentLogger } from "../../../src/core/common/logger";
import { KeyPools } from "../../../src/core/keys/keyPools";
import { DEFAULT_SETTINGS, type Settings } from "../../../src/core/settings/schema";
import { keyCommandHandlers } from "../../../src/host/keys/keyCommands";
import { checkNewKey, describeImport } from "../../../src/host/keys/keyInput";
import { describeKeyHealth, keyPoolRows } from "../../../src/host/keys/keyPoolView";
import { parseKeyList, SecretKeyStore, secretName } from "../../../src/host/keys/secretKeyStore";
import { resetShim, shimState } from "../../fakes/vscodeShim";
import { FakeSecretStorage } from "../../fakes/vscodeSecrets";
import { waitUntil } from "../../fakes/polling";

/** Test keys built at run time, so the repository holds nothing key-shaped. */
const testKey = (fill: string, tail: string) => `sk-test-${fill.repeat(16)}${tail}`;
const KEY_A = testKey("a", "1111");
const KEY_B = testKey("b", "2222");
const KEY_C = testKey("c", "3333");

const OPENAI = "https://api.openai.com";
const MOONSHOT = "https://api.moonshot.ai";
const originOf = (id: string) => (id === "openai" ? OPENAI : id === "moonshot" ? MOONSHOT : undefined);
const keysIn = async (store: SecretKeyStore, providerId: string) => (await store.list(providerId)).map((k) => k.key);

const TWO_PROVIDERS: Settings = {
  ...DEFAULT_SETTINGS,
  providers: [
    { id: "openai", baseUrl: "https://api.openai.com/v1", models: ["gpt-5-mini"], envPrefix: "OPENAI_API_KEY" },
    { id: "moonshot", baseUrl: "https://api.moonshot.ai/v1", models: ["kimi-k2"], envPrefix: "MOONSHOT_API_KEY" },
  ],
};

describe("key input rules", () => {
  it("accepts a trimmed key and refuses empty, whitespace and duplicates with the fingerprint only", () => {
    assert.deepEqual(checkNewKey(`  ${KEY_A}\n`, [], "openai"), { ok: true, key: KEY_A });
    assert.match((checkNewKey("   ", [], "openai") as { message: string }).message, /empty/);
    assert.match((checkNewKey("Bearer abc", [], "openai") as { message: string }).message, /no spaces/);
    const dup = checkNewKey(KEY_A, [KEY_A], "openai") as { ok: false; message: string };
    assert.match(dup.message, /…1111\) is already in the openai pool/);
    assert.ok(!dup.message.includes(KEY_A.slice(0, 8)));
  });

  it("describes an import per provider", () => {
    assert.match(describeImport([{ providerId: "openai", prefix: "OPENAI_API_KEY", found: 0, added: 0 }]).message, /No API keys found .*OPENAI_API_KEY_1 … OPENAI_API_KEY_99/);
    assert.equal(
      describeImport([{ providerId: "openai", prefix: "OPENAI_API_KEY", found: 3, added: 2 }]).message,
      "Imported 2 new API keys (openai: 2 new of 3 found in OPENAI_API_KEY*).",
    );
    assert.match(describeImport([]).message, /no provider has an envPrefix/i);
  });

  it("reads a damaged secret as no keys", () => {
    assert.deepEqual(parseKeyList("{not json"), []);
    assert.deepEqual(parseKeyList(JSON.stringify([KEY_A, 3, "", { key: KEY_B, origin: OPENAI }, { origin: OPENAI }])), [
      { key: KEY_A, origin: undefined },
      { key: KEY_B, origin: OPENAI },
    ]);
  });

  it("lists pool health per provider with fingerprints only", () => {
    const now = 1_000_000;
    const rows = keyPoolRows(["openai", "moonshot"], [
      { providerId: "openai", keys: [
        { fingerprint: "…1111", state: "healthy", consecutiveFailures: 0, requestsServed: 7, inFlight: 1 },
        { fingerprint: "…2222", state: "cooling", coolingUntil: now + 90_000, lastErrorClass: "rate_limit", consecutiveFailures: 2, requestsServed: 3, inFlight: 0 },
        { fingerprint: "…3333", state: "invalid", invalidReason: "401 Incorrect API key", consecutiveFailures: 1, requestsServed: 0, inFlight: 0 },
      ] },
      { providerId: "old", keys: [{ fingerprint: "…4444", state: "healthy", consecutiveFailures: 0, requestsServed: 0, inFlight: 0 }] },
    ], now);
    const text = rows.map((r) => `${r.label} ${"description" in r ? r.description : ""} ${"detail" in r ? (r.detail ?? "") : ""}`);
    assert.match(text[0] ?? "", /openai: 1\/3 healthy/);
    assert.match(text[1] ?? "", /…1111 healthy · 7 requests served · 1 in flight/);
    assert.match(text[2] ?? "", /…2222 cooling down until .* \(1m 30s left\) after rate limit/);
    assert.match(text[3] ?? "", /…3333 invalid .*401 Incorrect API key/);
    assert.match(text[4] ?? "", /moonshot: 0\/0 healthy/);
    assert.match(text[5] ?? "", /No keys/);
    assert.match(text[6] ?? "", /old: 1\/1 healthy — not in subagents.providers/);
  });

  it("says what paces a key, and how long it waits when the provider asked it to", () => {
    const now = 1_000_000;
    const base = { fingerprint: "…1111", state: "healthy" as const, consecutiveFailures: 0, requestsServed: 3, inFlight: 0 };
    assert.equal(describeKeyHealth(base, now).detail, undefined, "nothing learned, nothing said");
    const stated = describeKeyHealth(
      {
        ...base,
        pacedUntil: now + 2500,
        pacing: { limits: [{ dimension: "requests", limit: 500, windowMs: 60_610 }, { dimension: "inputTokens", limit: 30_000, windowMs: 1_020 }] },
      },
      now,
    );
    assert.equal(stated.detail, "Paced to 500 requests / 1 min, 30,000 input tokens / 1 s.");
    assert.match(stated.description, /healthy · 3 requests served · waiting 3s as the provider asked/);
    const adaptive = describeKeyHealth({ ...base, state: "cooling", coolingUntil: now + 30_000, pacing: { limits: [], perSecond: 9.6123, maxInFlight: 4 } }, now);
    assert.equal(adaptive.detail, "Paced to about 9.61 requests / s (adaptive: the provider states no limits), at most 4 in flight.");
  });
});

describe("SecretStorage key store", () => {
  let secrets: FakeSecretStorage;
  let store: SecretKeyStore;
  beforeEach(() => {
    secrets = new FakeSecretStorage();
    store = new SecretKeyStore(secrets);
  });
  afterEach(() => store.dispose());

  it("adds, lists, refuses duplicates and removes by fingerprint, per provider", async () => {
    assert.equal(await store.add("openai", KEY_A, OPENAI), true);
    assert.equal(await store.add("openai", KEY_A, OPENAI), false);
    await store.add("openai", KEY_B, OPENAI);
    await store.add("moonshot", KEY_C, MOONSHOT);
    assert.deepEqual(await keysIn(store, "openai"), [KEY_A, KEY_B]);
    assert.deepEqual(await keysIn(store, "moonshot"), [KEY_C]);
    assert.equal(await store.remove("openai", "…1111"), true);
    assert.equal(await store.remove("openai", "…9999"), false);
    assert.deepEqual(await keysIn(store, "openai"), [KEY_B]);
    await store.remove("moonshot", "…3333");
    assert.equal(secrets.values.has(secretName("moonshot")), false);
    assert.deepEqual(await store.providersWithKeys(), ["openai"]);
  });

  it("does not lose keys added concurrently", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `sk-concurrent-${String(i).padStart(4, "0")}`);
    await Promise.all(keys.map((k) => store.add("openai", k, OPENAI)));
    assert.deepEqual([...(await keysIn(store, "openai"))].sort(), keys.sort());
  });

  it("picks up keys another window stored, without reload, into the provider's pool", async () => {
    const pools = new KeyPools({ store, originOf, logger: silentLogger });
    try {
      await pools.load(["openai"]);
      assert.equal(pools.usableKeyCount("openai"), 0);
      const seen: string[] = [];
      store.onDidChange((id) => seen.push(id));
      secrets.changeFromAnotherWindow(secretName("openai"), JSON.stringify([{ key: KEY_A, origin: OPENAI }, { key: KEY_B, origin: OPENAI }]));
      await waitUntil("the pool to reload", () => pools.usableKeyCount("openai") === 2, 2000);
      assert.deepEqual(seen, ["openai"]);
      assert.equal(pools.usableKeyCount("moonshot"), 0);
      secrets.changeFromAnotherWindow("someone.else", "x");
      assert.deepEqual(seen, ["openai"]);
    } finally {
      pools.dispose();
    }
  });
});

describe("key commands", () => {
  let secrets: FakeSecretStorage;
  let store: SecretKeyStore;
  let pools: KeyPools;
  let settings: Settings;
  let env: Record<string, string | undefined>;
  let commands: ReturnType<typeof keyCommandHandlers>;
  const ui = shimState.ui;

  beforeEach(() => {
    resetShim();
    secrets = new FakeSecretStorage();
    store = new SecretKeyStore(secrets);
    pools = new KeyPools({ store, originOf, logger: silentLogger });
    settings = TWO_PROVIDERS;
    env = {};
    commands = keyCommandHandlers({ store, pools, settings: () => settings, env, logger: silentLogger });
  });
  afterEach(() => {
    pools.dispose();
    store.dispose();
  });

  it("Add API Key asks for the provider, then a password box, and confirms with the fingerprint only", async () => {
    ui.pickAnswers.push((items) => items.find((i) => i.label === "moonshot"));
    ui.inputAnswers.push(` ${KEY_C} `);
    await commands.addApiKey();
    assert.deepEqual(await keysIn(store, "moonshot"), [KEY_C]);
    assert.equal(ui.inputBoxes[0]?.password, true);
    const message = ui.messages.at(-1)?.message ?? "";
    assert.match(message, /added key …3333 to moonshot \(1 key\), for https:\/\/api\.moonshot\.ai only/);
    assert.deepEqual(await store.list("moonshot"), [{ key: KEY_C, origin: MOONSHOT }]);
    assert.ok(!message.includes(KEY_C.slice(0, 8)));
  });

  it("Add API Key skips the provider pick when there is one provider, and validates as you type", async () => {
    settings = DEFAULT_SETTINGS;
    await store.add("openai", KEY_A, OPENAI);
    ui.inputAnswers.push(KEY_B);
    await commands.addApiKey();
    assert.equal(ui.picks.length, 0);
    const validate = ui.inputBoxes[0]?.validateInput;
    assert.ok(validate);
    assert.match(String(await validate("")), /empty/);
    assert.match(String(await validate("two words")), /no spaces/);
    assert.match(String(await validate(KEY_A)), /already in the openai pool/);
    assert.equal(await validate("sk-fresh-key"), undefined);
    assert.match(String(await validate("sk-1234")), /at least 8 characters.*needs none here: set "auth": "none"/);
    assert.deepEqual(await keysIn(store, "openai"), [KEY_A, KEY_B]);
  });

  it("Add API Key does nothing when the user presses Escape", async () => {
    ui.pickAnswers.push(() => undefined);
    await commands.addApiKey();
    assert.equal(secrets.values.size, 0);
    assert.equal(ui.inputBoxes.length, 0);
  });

  it("Remove API Key picks by fingerprint and provider and asks first", async () => {
    await store.add("openai", KEY_A, OPENAI);
    await store.add("moonshot", KEY_C, MOONSHOT);
    ui.pickAnswers.push((items) => items.find((i) => i.label === "…3333"));
    ui.messageAnswer = (m) => (m.modal ? "Remove" : undefined);
    await commands.removeApiKey();
    assert.deepEqual(await keysIn(store, "moonshot"), []);
    assert.deepEqual(await keysIn(store, "openai"), [KEY_A]);
    const labels = ui.picks[0]?.items.map((i) => i.label) ?? [];
    assert.deepEqual(labels, ["openai", "…1111", "moonshot", "…3333"]);
    assert.ok(labels.every((l) => !l.includes("sk-test")));
  });

  it("Import reads PREFIX and PREFIX_1 … PREFIX_99 per provider and reports how many were new", async () => {
    await store.add("openai", KEY_A, OPENAI);
    Object.assign(env, { OPENAI_API_KEY: KEY_A, OPENAI_API_KEY_1: KEY_B, OPENAI_API_KEY_99: "has space", MOONSHOT_API_KEY_7: KEY_C, OPENAI_API_KEY_100: "sk-ignored" });
    await commands.importApiKeys();
    assert.deepEqual(await keysIn(store, "openai"), [KEY_A, KEY_B]);
    assert.deepEqual(await keysIn(store, "moonshot"), [KEY_C]);
    assert.match(ui.messages.at(-1)?.message ?? "", /Imported 2 new API keys \(openai: 1 new of 3 found in OPENAI_API_KEY\*; moonshot: 1 new of 1 found/);
    await commands.importApiKeys();
    assert.match(ui.messages.at(-1)?.message ?? "", /No new API keys/);
  });

  it("Show Key Pool lists every configured provider with key health", async () => {
    await store.add("openai", KEY_A, OPENAI);
    ui.pickAnswers.push(() => undefined);
    await commands.showKeyPool();
    const labels = ui.picks[0]?.items.map((i) => `${i.label} ${i.description ?? ""}`) ?? [];
    assert.match(labels[0] ?? "", /openai: 1\/1 healthy/);
    assert.match(labels[1] ?? "", /…1111 healthy · 0 requests served/);
    assert.match(labels[2] ?? "", /moonshot: 0\/0 healthy/);
  });
});
