/**
 * Keys from environment variables by the `PREFIX`, `PREFIX_1` … `PREFIX_99`
 * convention (the documented `envPrefix` of a provider). Pure: the host passes `process.env`, tests a record.
 * Values are trimmed; empty values and duplicates are skipped; order is
 * PREFIX first, then by number.
 */
export function keysFromEnvironment(prefix: string, env: Readonly<Record<string, string | undefined>>): string[] {
  const names = [prefix];
  for (let i = 1; i <= 99; i++) names.push(`${prefix}_${i}`);
  const keys: string[] = [];
  for (const name of names) {
    const value = env[name]?.trim();
    if (value && !keys.includes(value)) keys.push(value);
  }
  return keys;
}
