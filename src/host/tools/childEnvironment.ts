import picomatch from "picomatch";

/** What a command's environment must not contain. */
export interface HiddenEnvironment {
  /** `subagents.commands.hiddenEnv`: globs over variable names, any case. */
  patterns: readonly string[];
  /** Every provider's envPrefix: the key pools import PREFIX and PREFIX_1 … PREFIX_99 from the environment. */
  envPrefixes: readonly string[];
}

/**
 * The environment for a command an agent runs: the given one minus every
 * variable a key pool imports from and every name the user hides. Names are
 * compared without case because Windows treats them so.
 */
export function childEnvironment(env: NodeJS.ProcessEnv, hidden: HiddenEnvironment): NodeJS.ProcessEnv {
  const isHidden = hiddenNameTest(hidden);
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!isHidden(name)) out[name] = value;
  return out;
}

export function hiddenNameTest(hidden: HiddenEnvironment): (name: string) => boolean {
  const prefixes = hidden.envPrefixes.map((p) => p.toUpperCase());
  const globs = hidden.patterns.length > 0 ? picomatch([...hidden.patterns], { nocase: true, dot: true }) : () => false;
  return (name) => {
    const upper = name.toUpperCase();
    // A pool may import PREFIX_1 … PREFIX_99; anything starting with PREFIX_ is treated as one of them.
    if (prefixes.some((p) => upper === p || upper.startsWith(`${p}_`))) return true;
    return globs(name);
  };
}
