/**
 * Bounds of the tool-result size the model sees (`subagents.results.maxToolChars`).
 * Below the minimum a head and tail would say too little to act on; above the
 * maximum one result would crowd a typical context window out.
 */
export const MIN_TOOL_RESULT_CHARS = 2_000;
export const MAX_TOOL_RESULT_CHARS = 200_000;
export const DEFAULT_MAX_TOOL_RESULT_CHARS = 20_000;
