/**
 * Turn budget bounds shared by the settings schema (package.json mirrors it)
 * and agent definition files, defined once so neither accepts what the
 * other refuses.
 */

/** Model turns one run of an agent may take before it must answer without tools. */
export const DEFAULT_MAX_TURNS = 200;

/** The largest turn budget a setting or a definition file may give. */
export const MAX_TURNS_LIMIT = 10_000;
