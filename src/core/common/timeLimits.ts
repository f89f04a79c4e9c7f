/**
 * Time bounds that several layers check: the agent tools' schemas, the
 * supervisor, the settings schema (package.json mirrors it, and a unit test
 * keeps the two equal), agent definition files, the host's input box and the
 * tree view's prompt. They are defined once, here, so that no layer accepts a
 * value that another one then refuses.
 */

/** The longest time limit of an agent (and the longest `wait_agents` wait): one hour. */
export const MAX_TIMEOUT_SECONDS = 3600;

/** The longest time limit of one `run_command`. */
export const MAX_COMMAND_TIMEOUT_SECONDS = 3600;

/** How a time limit set by a user or a model is described in errors and hints. */
export const TIMEOUT_RANGE_TEXT = `a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}`;

/**
 * A time limit someone sets on a running agent: whole seconds, at least 1,
 * at most MAX_TIMEOUT_SECONDS. Fractions are refused rather than rounded,
 * because 0.4 would round to 0, which elsewhere means "no limit".
 */
export function isTimeoutSeconds(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds >= 1 && seconds <= MAX_TIMEOUT_SECONDS;
}
