import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keysFromEnvironment } from "../../../src/core/keys/envImport";

describe("keysFromEnvironment", () => {
  it("reads PREFIX, then PREFIX_1 … PREFIX_99, trimmed, without empties or duplicates", () => {
    const env = {
      MY_KEY: " k0 ",
      MY_KEY_1: "k1",
      MY_KEY_2: "",
      MY_KEY_3: "k1",
      MY_KEY_10: "k10",
      MY_KEY_99: "k99",
      MY_KEY_100: "too-far",
      MY_KEY_0: "not-in-convention",
      MY_KEYS: "other",
      OTHER_1: "other",
    };
    assert.deepEqual(keysFromEnvironment("MY_KEY", env), ["k0", "k1", "k10", "k99"]);
  });

  it("returns nothing when no variable is set", () => {
    assert.deepEqual(keysFromEnvironment("NOPE", { PATH: "/bin" }), []);
  });

  it("works with numbered keys only", () => {
    assert.deepEqual(keysFromEnvironment("P", { P_2: "b", P_1: "a" }), ["a", "b"]);
  });
});
