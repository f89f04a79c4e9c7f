/** Task prefixes of the in-host language model tool cases; the e2e fake model answers by them. */

/** The e2e fake model answers a task starting with this with `done: <marker> <hex>`. */
export const LM_RUN_MARKER = "lm-tool-run";
/** The e2e fake model never answers a task starting with this (until the request is dropped). */
export const LM_HANG_MARKER = "lm-tool-hang";
/** The e2e fake model calls the test extension's echo tool for a task starting with this, then answers `got: <tool result>`. */
export const LM_EXT_MARKER = "lm-tool-ext";
