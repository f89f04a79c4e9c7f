import "../../fakes/vscodeModule";
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { silentLogger } from "../../../src/core/common/logger";
import { providerOrigins } from "../../../src/core/keys/keyOrigin";
import { KeyPools } from "../../../src/core/keys/keyPools";
import { keyCommandHandlers } from "../../../src/host/keys/keyCommands";
import { SecretKeyStore, secretName } from "../../../src/host/keys/secretKeyStore";
import { SettingsReader } from "../../../src/host/settings/settingsReader";
import { resetShim, setConfig, shimState } from "../../fakes/vscodeShim";
import { FakeSecretStorage } from "../../fakes/vscodeSecrets";

/** Test keys built at run time, so the repository holds nothing key-shaped. */
const testKey = (fill: string, tail: string) => `sk-bind-${fill.repeat(16)}${tail}`;
const KEY_A = testKey("a", "1111");
const KEY_B = testKey("b", "2222");
const OLD = "https://api.openai.com";
const NEW = "http://127.0.0.1:8080";
const provider = (baseUrl: string, envPrefix = "OPENAI_API_KEY") => [{ id: "openai", baseUrl, models: ["gpt-5-mini"], envPrefix }];

describe("keys bound to an endpoint", () => {
  const ui = shimState.ui;
  let secrets: FakeSecretStorage;
  let settings: SettingsReader;
  let store: SecretKeyStore;
  let pools: KeyPools;
  let env: Record<string, string | undefined>;
  let commands: ReturnType<typeof keyCommandHandlers>;

  beforeEach(() => {
    resetShim();
    setConfig("subagents.providers", provider(`${OLD}/v1`));
    secrets = new FakeSecretStorage();
    settings = new SettingsReader(silentLogger);
    const originOf = providerOrigins(() => settings.current.providers);
    store = new SecretKeyStore(secrets, { originForUnbound: originOf });
    pools = new KeyPools({ store, originOf, logger: silentLogger });
    env = {};
    commands = keyCommandHandlers({ store, pools, settings: () => settings.current, env, logger: silentLogger });
  });
  afterEach(() => {
    pools.dispose();
    store.dispose();
    settings.dispose();
  });

  it("migrates keys stored before binding to the origin configured at first start", async () => {
    secrets.values.set(secretName("openai"), JSON.stringify([KEY_A, KEY_B]));
    const pool = await pools.ready("openai");
    assert.equal(pool.size, 2);
    assert.deepEqual(JSON.parse(secrets.values.get(secretName("openai")) ?? "[]"), [
      { key: KEY_A, origin: OLD },
      { key: KEY_B, origin: OLD },
    ]);
    // A later baseUrl change does not drag the migrated keys along.
    setConfig("subagents.providers", provider(`${NEW}/v1`));
    assert.equal((await pools.ready("openai")).size, 0);
  });

  it("holds keys back after the user changes the baseUrl; Show Key Pool shows the old origin and re-binds after a modal naming both", async () => {
    await store.add("openai", KEY_A, OLD);
    assert.equal((await pools.ready("openai")).size, 1);
    setConfig("subagents.providers", provider(`${NEW}/v1`));
    assert.equal((await pools.ready("openai")).size, 0, "nothing is usable meanwhile");
    assert.equal(pools.usableKeyCount("openai"), 0);

    ui.pickAnswers.push((items) => items.find((i) => i.label.includes("…1111")));
    ui.messageAnswer = (m) => (m.modal ? "Re-bind" : undefined);
    await commands.showKeyPool();
    const shown = ui.picks[0]?.items.map((i) => `${i.label} ${i.description ?? ""}`) ?? [];
    assert.ok(shown.some((l) => l.includes("…1111") && l.includes(`bound to ${OLD}`) && l.includes(NEW)), shown.join("\n"));
    const modal = ui.messages.find((m) => m.modal);
    assert.ok(modal, "a modal asks first");
    const text = `${modal.message} ${modal.detail ?? ""}`;
    assert.ok(text.includes(OLD) && text.includes(NEW), text);
    assert.deepEqual(await store.list("openai"), [{ key: KEY_A, origin: NEW }]);
    assert.equal((await pools.ready("openai")).size, 1);
    assert.equal((await pools.ready("openai")).origin, NEW);
  });

  it("keeps keys bound when the user declines the re-bind", async () => {
    await store.add("openai", KEY_A, OLD);
    setConfig("subagents.providers", provider(`${NEW}/v1`));
    await pools.ready("openai");
    ui.pickAnswers.push((items) => items.find((i) => i.label.includes("…1111")));
    ui.messageAnswer = () => undefined;
    await commands.showKeyPool();
    assert.deepEqual(await store.list("openai"), [{ key: KEY_A, origin: OLD }]);
  });

  it("binds keys added and imported to the provider's origin", async () => {
    ui.inputAnswers.push(KEY_A);
    await commands.addApiKey();
    env["OPENAI_API_KEY"] = KEY_B;
    await commands.importApiKeys();
    assert.deepEqual(await store.list("openai"), [
      { key: KEY_A, origin: OLD },
      { key: KEY_B, origin: OLD },
    ]);
  });

  it("refuses keys shorter than 8 characters at Add API Key", async () => {
    ui.inputAnswers.push("abc1234");
    await commands.addApiKey();
    assert.deepEqual(await store.list("openai"), []);
    assert.match(ui.messages.at(-1)?.message ?? "", /at least 8 characters/);
  });

  it("a workspace envPrefix cannot make Import API Keys pull another secret", async () => {
    const token = `ghp_${"t".repeat(30)}9999`;
    env["GITHUB_TOKEN"] = token;
    setConfig("subagents.providers", provider("http://127.0.0.1:9/v1", "GITHUB_TOKEN"), "workspace");
    await commands.importApiKeys();
    assert.deepEqual(await store.list("openai"), []);
    assert.ok(![...secrets.values.values()].some((v) => v.includes(token)));
    assert.ok(ui.messages.some((m) => m.level === "warning" && m.message.includes('"subagents.providers"')));
  });
});
