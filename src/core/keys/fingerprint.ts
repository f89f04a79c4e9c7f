/**
 * The only representation of an API key that may leave the key pool:
 * its last four characters. Anything longer would help an attacker more than
 * it helps a user tell keys apart.
 */
export function fingerprint(key: string): string {
  return `…${key.slice(-4)}`;
}
