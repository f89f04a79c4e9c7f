import * as path from "node:path";

/** The repository root (test/e2e/harness → ../../..). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
/** Screenshots and kept logs of the end-to-end run. */
export const OUTPUT_DIR = path.join(REPO_ROOT, "test-output", "e2e");
export const SAMPLE_WORKSPACE = path.join(REPO_ROOT, "test", "e2e", "sample-workspace");
