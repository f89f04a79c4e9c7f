import { DEFAULT_PROVIDERS, settingSchemas, type ProviderConfig } from "../core/settings/schema";

/**
 * What the host passes in `initializationOptions`. Providers come from the
 * `subagents.providers` setting; the server re-reads them through
 * `workspace/configuration` whenever the client reports a settings change.
 */
export interface DefinitionServerInitOptions {
  providers?: unknown;
  /** The client answers `subagents/vscodeOffers` (VS Code's models and tools, for completion). */
  vscodeOffers?: boolean;
}

export const PROVIDERS_SECTION = "subagents.providers";

/** Validated providers, or undefined when `raw` is absent or invalid (the caller keeps what it had). */
export function parseProviders(raw: unknown): ProviderConfig[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  const parsed = settingSchemas.providers.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export function initialProviders(options: unknown): ProviderConfig[] {
  const raw = typeof options === "object" && options !== null ? (options as DefinitionServerInitOptions).providers : undefined;
  return parseProviders(raw) ?? DEFAULT_PROVIDERS;
}

export function canAskOffers(options: unknown): boolean {
  return typeof options === "object" && options !== null && (options as DefinitionServerInitOptions).vscodeOffers === true;
}

/** Resolves to undefined instead of hanging when the client never answers. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}
