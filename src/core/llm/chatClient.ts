import type { ClientOptions } from "openai";
import { systemClock, type Clock } from "../common/clock";
import { Disposable, type IDisposable } from "../common/disposable";
import { silentLogger, type Logger } from "../common/logger";
import { KeyLease, type RateLimitInfo, type RequestCost } from "../keys/keyLease";
import type { KeyPool } from "../keys/keyPool";
import { endpointOrigin, mayCarryKey } from "../keys/keyOrigin";
import type { KeyPools } from "../keys/keyPools";
import { SecretRedactor } from "../keys/redact";
import { isKeyless, providerApi, requestOptions, type ProviderApi, type ProviderConfig } from "../settings/schema";
import { AnthropicTransport } from "./anthropicTransport";
import { ChatCompletionsTransport } from "./chatTransport";
import { classifyFailure, StallError, type AttemptFailure } from "./failure";
import { ModelCallError } from "./modelCallError";
import type { CompletionRequest, CompletionResult, ModelClient } from "./modelClient";
import * as messages from "./modelCallMessages";
import { ProgressRelay } from "./progressRelay";
import { parseRateLimitHeaders } from "./rateLimitHeaders";
import { ResponsesTransport } from "./responsesTransport";
import { sleepUnlessAborted } from "./sleep";
import { estimateRequestTokens } from "./tokenEstimate";
import { malformedToolCalls } from "./streamAssembler";
import type { ModelTransport } from "./transport";

/** Headers that make traffic attributable to an agent (never secrets). */
export const AGENT_ID_HEADER = "x-subagents-agent-id";
export const AGENT_ROLE_HEADER = "x-subagents-agent-role";

export interface RetryOptions {
  /** Attempts per call, the first included. Rejected keys (401/403) do not use up attempts. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8000 };
/** Generous, because reasoning models may think for a long time before the first token. */
export const DEFAULT_STALL_TIMEOUT_MS = 120_000;

export interface ChatClientOptions {
  pools: KeyPools;
  /** Read on every call, so settings changes apply without a restart. */
  providers: () => readonly ProviderConfig[];
  logger?: Logger;
  clock?: Clock;
  retry?: Partial<RetryOptions>;
  /** An attempt that receives nothing (headers or chunks) for this long is aborted and retried. */
  stallTimeoutMs?: number;
  /** Handed to the SDKs (proxies, tests). */
  fetch?: ClientOptions["fetch"];
  /** Wire formats by API; by default the three built in. */
  transports?: Partial<Record<ProviderApi, ModelTransport>>;
  /** Jitter source for backoff; injectable for deterministic tests. */
  random?: () => number;
  /** Cuts keys from request bodies, errors and logs; by default the keys of `pools`. */
  redactor?: SecretRedactor;
  /** How long a call waits for a key before it says so (`onKeyWait`). */
  keyWaitNoticeMs?: number;
}

interface AttemptResult extends Omit<CompletionResult, "keyFingerprint"> {
  rateLimit: RateLimitInfo | undefined;
}

interface CallContext {
  provider: ProviderConfig;
  request: CompletionRequest;
  /** Redacts with the keys held at the time of use. */
  redact: (text: string) => string;
  /** Prefix of log lines: who calls which model. */
  who: string;
  /** Tokens the request is expected to count against the provider's limits. */
  cost: RequestCost;
}

type LastFailure = { failure: Exclude<AttemptFailure, { kind: "aborted" }>; fingerprint: string };

/** Fingerprint shown for calls to a provider that takes no key. */
export const KEYLESS_FINGERPRINT = "none";

/** Waits longer than this are logged, so a quiet agent is explained. */
const LONG_WAIT_MS = 5000;
/** A call that waits this long for a key tells its agent (the tree then says why it is quiet). */
const KEY_WAIT_NOTICE_MS = 1000;

/**
 * The one ModelClient, whatever API a provider speaks: the wire format is a
 * small transport (Chat Completions, Responses, Anthropic Messages) and
 * everything else lives here once. The SDKs' own retries are off: this class
 * retries itself so that every retry goes to another healthy key of the same
 * provider's pool (never another provider's, and the failing key cools down
 * first) and so that errors raised while iterating the stream are retried
 * too. Nothing it logs or throws contains a key: logs, errors and transcripts
 * leave the user's machine in bug reports.
 */
export class ChatClient extends Disposable implements ModelClient {
  private readonly pools: KeyPools;
  private readonly providers: () => readonly ProviderConfig[];
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly retry: RetryOptions;
  private readonly stallTimeoutMs: number;
  private readonly random: () => number;
  private readonly redactor: SecretRedactor;
  private readonly transports: Record<ProviderApi, ModelTransport>;
  private readonly keyWaitNoticeMs: number;

  constructor(options: ChatClientOptions) {
    super();
    this.pools = options.pools;
    this.providers = options.providers;
    this.clock = options.clock ?? systemClock;
    this.redactor = options.redactor ?? new SecretRedactor(() => this.pools.secretsForRedaction());
    const inner = options.logger ?? silentLogger;
    const line = (message: string) => this.redactor.redactMessage(message);
    this.log = {
      trace: (m) => inner.trace(line(m)),
      debug: (m) => inner.debug(line(m)),
      info: (m) => inner.info(line(m)),
      warn: (m) => inner.warn(line(m)),
      error: (m) => inner.error(line(m)),
    };
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.random = options.random ?? Math.random;
    this.keyWaitNoticeMs = options.keyWaitNoticeMs ?? KEY_WAIT_NOTICE_MS;
    this.transports = {
      chat: options.transports?.chat ?? new ChatCompletionsTransport(options.fetch),
      responses: options.transports?.responses ?? new ResponsesTransport(options.fetch),
      anthropic: options.transports?.anthropic ?? new AnthropicTransport(options.fetch),
    };
    this.register({ dispose: () => Object.values(this.transports).forEach((t) => t.clear()) });
  }

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const provider = this.providers().find((p) => p.id === request.providerId);
    if (!provider) throw new ModelCallError("unknown_provider", messages.unknownProvider(request.providerId), request.providerId);
    // A keyless provider has no pool: nothing to pace, rotate or send.
    const pool = isKeyless(provider) ? undefined : await this.pools.ready(provider.id);
    const call: CallContext = {
      provider,
      request,
      redact: (text) => this.redactor.redactMessage(text),
      who: `${request.agent.role} ${request.agent.id} → ${provider.id}:${request.model}`,
      cost: estimateRequestTokens(request),
    };
    let last: LastFailure | undefined;
    let emptyReplies = 0;
    let retriedMalformed = false;
    const progress = new ProgressRelay(request.onProgress);

    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      // A 429 paces its key inside the pool; only other failures (and every failure without a pool) back off here.
      const backoff = attempt > 1 && last?.failure.kind === "key_fault" && (last.failure.errorClass !== "rate_limit" || !pool);
      const lease = pool ? await this.leaseFor(pool, call, backoff ? this.backoffMs(attempt) : 0) : await this.keylessLease(call, backoff ? this.keylessDelayMs(attempt, last) : 0);
      progress.beginAttempt();
      let result: AttemptResult;
      try {
        result = await this.attempt(provider, lease, request, progress, pool !== undefined);
      } catch (error) {
        const failure = classifyFailure(error, request.signal.aborted, this.clock.now());
        last = this.settleFailure(failure, lease, call, attempt);
        // Each rejected key is excluded for good, so not counting it cannot loop forever.
        if (failure.kind === "auth") attempt--;
        continue;
      }
      lease.release({
        kind: "success",
        usage: { inputTokens: result.usage.promptTokens, outputTokens: result.usage.completionTokens },
        ...(result.rateLimit ? { rateLimit: result.rateLimit } : {}),
      });
      if (result.content.trim() === "" && result.toolCalls.length === 0) {
        emptyReplies++;
        this.log.info(`${call.who}: empty reply on attempt ${attempt}/${this.retry.maxAttempts}.`);
        continue;
      }
      // A cut-off tool call is a sampling accident: one more try is cheap; after
      // that the caller gets the raw arguments and reports them to the model.
      if (!retriedMalformed && attempt < this.retry.maxAttempts && malformedToolCalls(result.toolCalls).length > 0) {
        retriedMalformed = true;
        this.log.info(`${call.who}: tool call arguments are not valid JSON; asking again.`);
        continue;
      }
      return {
        content: result.content,
        toolCalls: result.toolCalls,
        finishReason: result.finishReason,
        usage: result.usage,
        keyFingerprint: lease.fingerprint,
        ...(result.replay ? { replay: result.replay } : {}),
        attempts: attempt,
      };
    }
    if (!last && emptyReplies > 0) {
      throw new ModelCallError("empty_reply", messages.emptyReply(provider.id, request.model, emptyReplies), provider.id);
    }
    throw messages.exhausted(provider.id, request.model, this.retry.maxAttempts, last, call.redact, providerApi(provider));
  }

  /** The key for one attempt, after backoff; throws when aborted or when no key is usable. */
  private async leaseFor(pool: KeyPool, call: CallContext, backoffMs: number): Promise<KeyLease> {
    const { provider, request } = call;
    const lease = await this.leaseKey(pool, call, backoffMs);
    if (request.signal.aborted) {
      lease?.release({ kind: "unused" });
      throw this.aborted(provider);
    }
    if (!lease) throw this.noUsableKey(pool, provider);
    if (lease.providerId !== provider.id) {
      // Unreachable by construction; a key sent to another provider would leak it to that provider.
      lease.release({ kind: "unused" });
      throw new Error(`internal error: a key of "${lease.providerId}" was offered for "${provider.id}"`);
    }
    if (!mayCarryKey(lease.origin, provider.baseUrl)) {
      // The baseUrl changed after the pool was loaded: send nothing, let the next call reload the pool.
      lease.release({ kind: "unused" });
      const target = endpointOrigin(provider.baseUrl);
      throw new ModelCallError("keys_unbound", messages.keysUnbound(provider.id, 1, [lease.origin ?? "no endpoint"], target), provider.id);
    }
    return lease;
  }

  /**
   * Gives the key its verdict for a failed attempt. Throws when the call
   * must end now (aborted, or a request retrying cannot fix).
   */
  private settleFailure(failure: AttemptFailure, lease: KeyLease, call: CallContext, attempt: number): LastFailure {
    if (failure.kind === "aborted") {
      lease.release({ kind: "unused" });
      throw this.aborted(call.provider);
    }
    if (failure.kind === "fatal") {
      lease.release({ kind: "unused" });
      throw messages.fatal(failure, call.provider.id, call.request.model, call.redact, providerApi(call.provider));
    }
    if (failure.kind === "auth" && isKeyless(call.provider)) {
      lease.release({ kind: "unused" });
      throw new ModelCallError("keys_invalid", messages.keylessRejected(call.provider.id, failure.status, call.redact(failure.detail)), call.provider.id, failure.status);
    }
    if (failure.kind === "auth") {
      const reason = `HTTP ${failure.status}: ${call.redact(failure.detail)}`;
      lease.release({ kind: "invalid", reason });
      this.log.warn(`${call.who}: key ${lease.fingerprint} was rejected (${reason}); it is excluded until re-enabled.`);
      return { failure, fingerprint: lease.fingerprint };
    }
    const said = {
      ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
      ...(failure.rateLimit ? { rateLimit: failure.rateLimit } : {}),
    };
    if (failure.errorClass === "rate_limit") lease.release({ kind: "throttled", ...said, ...(failure.concurrency ? { concurrency: true } : {}) });
    else lease.release({ kind: "failure", errorClass: failure.errorClass, ...said });
    const more = attempt < this.retry.maxAttempts;
    this.log.info(
      `${call.who}: attempt ${attempt}/${this.retry.maxAttempts} on key ${lease.fingerprint} failed: ` +
        `${messages.describe(failure, call.redact)}${more ? "; retrying on another key." : "."}`,
    );
    return { failure, fingerprint: lease.fingerprint };
  }

  /**
   * A key with room for this request: the pool queues callers and wakes them
   * when a key has room, so waiting costs no polling and no key idles.
   */
  private async leaseKey(pool: KeyPool, call: CallContext, delayMs: number): Promise<KeyLease | undefined> {
    const { signal } = call.request;
    if (delayMs > 0) await sleepUnlessAborted(this.clock, delayMs, signal);
    if (signal.aborted) return undefined;
    const readyAt = pool.nextReadyAt(call.cost);
    const wait = readyAt === undefined ? 0 : readyAt - this.clock.now();
    if (wait >= LONG_WAIT_MS && Number.isFinite(wait)) {
      this.log.info(`${call.who}: every key of "${call.provider.id}" is at its rate limit; waiting about ${Math.ceil(wait / 1000)} s as the provider asked.`);
    }
    const leasing = pool.lease(call.cost, signal);
    const notify = call.request.onKeyWait;
    // A key with room now and nobody ahead: no wait to tell of, and no timer on the common path.
    if (!notify || (wait <= 0 && pool.waiting === 0)) return leasing;
    let told = false;
    const notice = this.clock.setTimeout(() => {
      told = true;
      const at = pool.nextReadyAt(call.cost);
      notify(at !== undefined && Number.isFinite(at) && at > this.clock.now() ? { until: at } : {});
    }, this.keyWaitNoticeMs);
    try {
      return await leasing;
    } finally {
      notice.dispose();
      if (told) notify(undefined);
    }
  }

  /**
   * A stand-in lease for a provider without keys: it carries no key and no
   * origin, so it can never be mistaken for one; its verdicts go nowhere.
   */
  private async keylessLease(call: CallContext, delayMs: number): Promise<KeyLease> {
    await sleepUnlessAborted(this.clock, delayMs, call.request.signal);
    if (call.request.signal.aborted) throw this.aborted(call.provider);
    const ignore = () => undefined;
    return new KeyLease(call.provider.id, "", KEYLESS_FINGERPRINT, 0, false, false, { sending: ignore, observe: ignore, release: ignore });
  }

  /** Without a pool nobody else honours a Retry-After, so the wait is here. */
  private keylessDelayMs(attempt: number, last: LastFailure | undefined): number {
    const asked = last?.failure.kind === "key_fault" ? (last.failure.retryAfterMs ?? 0) : 0;
    return Math.max(this.backoffMs(attempt), asked);
  }

  private async attempt(provider: ProviderConfig, lease: KeyLease, request: CompletionRequest, progress: ProgressRelay, keyed: boolean): Promise<AttemptResult> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    request.signal.addEventListener("abort", onAbort, { once: true });
    let stalled: StallError | undefined;
    let stallTimer: IDisposable | undefined;
    // One timer per quiet stretch, not one per chunk: a chunk only moves the
    // time of the last sign of life, and the timer, when it fires early, waits out the rest.
    let lastSignOfLife = this.clock.now();
    const watchForStall = (ms: number) => {
      stallTimer = this.clock.setTimeout(() => {
        const now = this.clock.now();
        // A clock set back counts as a sign of life rather than a stretch longer than the timeout.
        if (now < lastSignOfLife) lastSignOfLife = now;
        const quietMs = now - lastSignOfLife;
        if (quietMs < this.stallTimeoutMs) return watchForStall(this.stallTimeoutMs - quietMs);
        stalled = new StallError(this.stallTimeoutMs);
        controller.abort();
      }, ms);
    };
    watchForStall(this.stallTimeoutMs);
    try {
      const transport = this.transports[providerApi(provider)];
      // The last point before a key leaves the process: it goes only to the origin it is bound to.
      if (keyed && !mayCarryKey(lease.origin, provider.baseUrl)) throw new Error(`internal error: key ${lease.fingerprint} is not bound to this endpoint`);
      const key = keyed ? lease.revealKey() : undefined;
      lease.sending();
      const opened = await transport.open({
        provider,
        key,
        model: request.model,
        options: requestOptions(provider, request.model, request.reasoningEffort),
        // No key goes into a request body, whatever a tool printed or the user typed.
        messages: this.redactor.redactEach(request.messages),
        tools: request.tools ?? [],
        cacheKey: request.cacheKey,
        headers: { [AGENT_ID_HEADER]: request.agent.id, [AGENT_ROLE_HEADER]: request.agent.role },
        signal: controller.signal,
      });
      const rateLimit = parseRateLimitHeaders(opened.headers, this.clock.now());
      // Share the budget now: a stream may run for minutes.
      lease.observe(rateLimit);
      for await (const delta of opened.deltas) {
        lastSignOfLife = this.clock.now();
        progress.chunk(delta, lease.fingerprint);
      }
      // The SDKs end iteration quietly when their signal aborts: find out why here.
      if (stalled) throw stalled;
      if (request.signal.aborted) throw new Error("aborted");
      return { ...opened.reply(), rateLimit };
    } catch (error) {
      if (stalled && !request.signal.aborted) throw stalled;
      throw error;
    } finally {
      stallTimer?.dispose();
      request.signal.removeEventListener("abort", onAbort);
    }
  }

  private backoffMs(attempt: number): number {
    const exponential = this.retry.baseDelayMs * 2 ** Math.max(0, attempt - 2);
    return Math.min(this.retry.maxDelayMs, exponential) * (0.5 + this.random() * 0.5);
  }

  private noUsableKey(pool: KeyPool, provider: ProviderConfig): ModelCallError {
    const misbound = this.pools.misbound(pool.providerId);
    if (pool.size === 0 && misbound.length > 0) {
      const boundTo = [...new Set(misbound.map((k) => k.boundTo ?? "no endpoint"))];
      const message = messages.keysUnbound(pool.providerId, misbound.length, boundTo, endpointOrigin(provider.baseUrl));
      return new ModelCallError("keys_unbound", message, pool.providerId);
    }
    if (pool.size === 0) return new ModelCallError("no_keys", messages.noKeys(pool.providerId), pool.providerId);
    const reasons = pool.snapshot().map((k) => `${k.fingerprint}: ${k.invalidReason ?? k.state}`);
    return new ModelCallError("keys_invalid", messages.keysInvalid(pool.providerId, reasons), pool.providerId);
  }

  private aborted(provider: ProviderConfig): ModelCallError {
    return new ModelCallError("aborted", `The model call to provider "${provider.id}" was stopped.`, provider.id);
  }
}
