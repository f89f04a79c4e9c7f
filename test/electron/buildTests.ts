/**
 * Builds what the in-host suite needs in VS Code desktop: out/electron/suite.js
 * (the suite, with the product's extension-host options from esbuild.mjs)
 * and the test-only extension in out/host-test-extension. Used by
 * runTests.ts and, run directly, by `npm run build:electron-tests` (the
 * launch configuration "Extension Tests").
 */
import { build } from "esbuild";
import { join } from "node:path";
import { hostConfig } from "../../esbuild.mjs";
import { buildHostTestExtension } from "./hostTestExtension/build";

const ROOT = join(__dirname, "..", "..");

export async function buildElectronTests(): Promise<{ suite: string; hostTestExtension: string }> {
  await build({
    ...hostConfig(),
    entryPoints: { suite: join(ROOT, "test/electron/suite.ts") },
    outdir: join(ROOT, "out/electron"),
    logLevel: "warning",
  });
  const hostTestExtension = await buildHostTestExtension(join(ROOT, "out/host-test-extension"));
  return { suite: join(ROOT, "out/electron/suite.js"), hostTestExtension };
}

if (require.main === module) {
  buildElectronTests().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
