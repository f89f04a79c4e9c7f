/**
 * Builds the test-only extension that runs the in-host suite into `outDir`.
 */
import * as nodePath from "node:path";
import { buildTestExtension } from "../buildTestExtension";
import { HOST_TEST_EXTENSION_ID } from "../hostTestConstants";

export function buildHostTestExtension(outDir: string): Promise<string> {
  return buildTestExtension(__dirname, outDir, "Subagents host tests", "runs the in-host suite");
}

if (require.main === module) {
  const out = process.argv[2] ?? nodePath.join(__dirname, "..", "..", "..", "out", "host-test-extension");
  buildHostTestExtension(out).then(
    (dir) => console.log(`built ${HOST_TEST_EXTENSION_ID} into ${dir}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
