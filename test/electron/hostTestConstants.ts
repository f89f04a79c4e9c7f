/**
 * Names shared by the in-host suite, the test-only extension, its runners
 * (test/electron/runTests.ts, test/e2e/harness/hostTests.ts). No `vscode`
 * import here: the runners load this in plain Node.
 */

export const HOST_TEST_EXTENSION_ID = "subagents-dev.subagents-host-tests";
/** Where the test extension writes its JSON report (default: `<first workspace folder>/${RESULT_FILE_NAME}`). */
export const RESULT_ENV = "SUBAGENTS_HOST_TEST_RESULT";
export const RESULT_FILE_NAME = ".host-test-result.json";
/** "0" = the test extension only exports its context; the suite is run by @vscode/test-electron. */
export const AUTORUN_ENV = "SUBAGENTS_HOST_TESTS_AUTORUN";
/** A folder to search for the product's "Subagents" log when the suite has no ExtensionContext. */
export const LOGS_ENV = "SUBAGENTS_HOST_TEST_LOGS";
