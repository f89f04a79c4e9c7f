/**
 * Keys are bound to the endpoint they were added for: the origin (scheme,
 * host, port) of the provider's baseUrl at that time. A request carries a
 * key only to that origin, so a changed baseUrl — by the user, a bug, or
 * anything else — can never send an existing key somewhere new unasked.
 */

/** Origins by base URL: every model call checks its key's binding, and a provider has one base URL. */
const knownOrigins = new Map<string, string | undefined>();
const KNOWN_ORIGINS_KEPT = 64;

/** `scheme://host[:port]` of a base URL; undefined when it has none (not a URL, or an opaque scheme). */
export function endpointOrigin(baseUrl: string): string | undefined {
  if (knownOrigins.has(baseUrl)) return knownOrigins.get(baseUrl);
  const origin = parseOrigin(baseUrl);
  if (knownOrigins.size >= KNOWN_ORIGINS_KEPT) knownOrigins.clear();
  knownOrigins.set(baseUrl, origin);
  return origin;
}

function parseOrigin(baseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  // URL.origin normalises case, default ports and IDN hosts, so equal endpoints compare equal.
  return url.origin;
}

/** True when a key bound to `boundOrigin` may be sent to `baseUrl`. */
export function mayCarryKey(boundOrigin: string | undefined, baseUrl: string): boolean {
  const target = endpointOrigin(baseUrl);
  return boundOrigin !== undefined && target !== undefined && boundOrigin === target;
}

/** `originOf` for KeyPools: the origin of each provider's configured baseUrl, read at each call. */
export function providerOrigins(providers: () => ReadonlyArray<{ id: string; baseUrl: string }>): (providerId: string) => string | undefined {
  return (providerId) => {
    const provider = providers().find((p) => p.id === providerId);
    return provider ? endpointOrigin(provider.baseUrl) : undefined;
  };
}
