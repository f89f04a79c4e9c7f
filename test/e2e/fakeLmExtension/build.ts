/** Builds the test-only fake language model extension into `outDir`, like the host-test extension. */
import { buildTestExtension } from "../../electron/buildTestExtension";

export const FAKE_LM_EXTENSION_ID = "subagents-dev.subagents-fake-lm";

export function buildFakeLmExtension(outDir: string): Promise<string> {
  return buildTestExtension(__dirname, outDir, "Subagents fake language model", "a scripted model provider and tool");
}
