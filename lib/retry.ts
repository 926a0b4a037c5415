// Retrying flaky network work: the `@retry()` method decorator (standard TC39 decorators, p-retry
// underneath), `withRetry()` for plain functions, and the typed errors fetch wrappers throw so that
// the retry rules can tell a transient failure (5xx, 429, reset, timeout) from a final one (404, bad
// feed). Owns nothing about arXiv except that its FeedError is never worth retrying.
//
// Runtime support: standard decorators must be lowered to plain JS before Node runs them (V8 has no
// native support yet). tsc and tsx (esbuild) do that. Vite 8's Oxc transformer only lowers *legacy*
// decorators, so vitest.config.ts runs esbuild first on files that use them. Next.js's SWC config
// only parses decorators when tsconfig sets experimentalDecorators, so decorated classes must not be
// imported by app/ code (they run in the workers).
import pRetry from "p-retry";
import { FeedError } from "./arxiv/types";
import { childLogger } from "./logger";

/** Observed in tests; one line per failed attempt. */
export const retryLogger = childLogger("retry");

// ---------------------------------------------------------------------------------------------
// Errors

const BODY_SNIPPET_CHARS = 500;
const BODY_KEPT_CHARS = 64 * 1024;

/** A response with a non-2xx status. Fetch wrappers throw it; `isRetryable` reads `status`. */
export class HttpError extends Error {
  readonly status: number;
  readonly statusText: string;
  readonly method: string;
  readonly url: string;
  /** From the Retry-After header, in ms from when the response arrived; honoured on 429 and 503. */
  readonly retryAfterMs: number | undefined;
  /** The start of the response body (error pages, arXiv's error feed), for logs. */
  readonly bodySnippet: string;
  /** The response body up to 64 KB, for callers that read an error document (arXiv's API error feed). */
  readonly body: string;

  constructor(init: {
    status: number;
    url: string;
    method?: string;
    statusText?: string;
    retryAfterMs?: number;
    body?: string;
  }) {
    const method = init.method ?? "GET";
    const statusText = init.statusText ?? "";
    const wait = init.retryAfterMs === undefined ? "" : ` (Retry-After: ${Math.ceil(init.retryAfterMs / 1000)} s)`;
    super(`${method} ${init.url} answered HTTP ${init.status}${statusText ? ` ${statusText}` : ""}${wait}`);
    this.name = "HttpError";
    this.status = init.status;
    this.statusText = statusText;
    this.method = method;
    this.url = init.url;
    this.retryAfterMs = init.retryAfterMs;
    this.bodySnippet = (init.body ?? "").slice(0, BODY_SNIPPET_CHARS);
    this.body = (init.body ?? "").slice(0, BODY_KEPT_CHARS);
  }

  /** Builds the error from a non-2xx response, reading (and so releasing) the start of its body. */
  static async fromResponse(
    response: Response,
    options: { method?: string; url?: string; now?: number } = {},
  ): Promise<HttpError> {
    const now = options.now ?? Date.now();
    let body = "";
    try {
      // The whole body is read so the connection can be reused; error pages are small.
      body = await response.text();
    } catch {
      // A body that cannot be read (reset, timeout) must not hide the status we already have.
    }
    return new HttpError({
      status: response.status,
      statusText: response.statusText,
      url: options.url ?? response.url,
      method: options.method,
      retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), now),
      body,
    });
  }
}

/** A request that got no complete answer within its time limit. Retryable. */
export class RequestTimeoutError extends Error {
  readonly url: string;
  readonly timeoutMs: number;

  constructor(init: { url: string; timeoutMs: number; method?: string; cause?: unknown }) {
    super(`${init.method ?? "GET"} ${init.url} got no complete response within ${init.timeoutMs} ms`, {
      cause: init.cause,
    });
    this.name = "RequestTimeoutError";
    this.url = init.url;
    this.timeoutMs = init.timeoutMs;
  }
}

/** The connection failed (refused, reset, DNS). Retryable. `code` is the system/undici code when known. */
export class NetworkError extends Error {
  readonly url: string;
  readonly code: string | undefined;

  constructor(init: { url: string; method?: string; cause: unknown }) {
    const code = findCode(init.cause);
    const detail = innermostMessage(init.cause);
    super(`${init.method ?? "GET"} ${init.url} failed: ${[code, detail].filter(Boolean).join(" ") || "network error"}`, {
      cause: init.cause,
    });
    this.name = "NetworkError";
    this.url = init.url;
    this.code = code;
  }
}

const nonRetryableMark = Symbol.for("paper-triage.non-retryable");

/** Marks an error so `@retry` gives up on it at once. Returns the same error, for `throw markNonRetryable(e)`. */
export function markNonRetryable<E extends Error>(error: E): E {
  Object.defineProperty(error, nonRetryableMark, { value: true, enumerable: false });
  return error;
}

// ---------------------------------------------------------------------------------------------
// Classification

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

// The TypeError messages p-retry (is-network-error) also treats as network failures. Kept to the
// same set: p-retry refuses to retry any other TypeError, and our decision must agree with it.
const NETWORK_TYPE_ERROR_MESSAGES = new Set([
  "fetch failed", // undici, Node.js
  "terminated", // undici, body cut off
  "Failed to fetch",
  "network error",
  "Network request failed",
]);

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

function findCode(error: unknown): string | undefined {
  for (const link of causeChain(error)) {
    if (typeof link === "object" && link !== null && "code" in link && typeof link.code === "string") return link.code;
  }
  return undefined;
}

function innermostMessage(error: unknown): string {
  const chain = causeChain(error).filter((e): e is Error => e instanceof Error);
  return chain.at(-1)?.message ?? String(error);
}

/** True for a connection-level failure: a known network code or message anywhere in the cause chain. */
export function isNetworkFailure(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  if (error instanceof TypeError) return NETWORK_TYPE_ERROR_MESSAGES.has(error.message);
  return causeChain(error).some(
    (link) =>
      (typeof link === "object" && link !== null && "code" in link && NETWORK_CODES.has(String(link.code))) ||
      (link instanceof Error && /socket hang up/i.test(link.message)),
  );
}

/**
 * Whether another attempt could succeed. Retried: HTTP 5xx and 429, timeouts, network failures.
 * Not retried: other HTTP 4xx, FeedError, errors marked with `markNonRetryable`, cancellations, and
 * anything unrecognised (a bug repeated five times with backoff only hides it for longer).
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (nonRetryableMark in error || error instanceof FeedError) return false;
  if (error instanceof HttpError) return error.status === 429 || error.status >= 500;
  if (error instanceof RequestTimeoutError || error.name === "TimeoutError") return true;
  if (error.name === "AbortError") return false;
  return isNetworkFailure(error);
}

/**
 * Retry-After as a delay in ms from `now`: delta-seconds ("120") or an HTTP-date. Undefined when
 * absent or unreadable; 0 for a date in the past.
 */
export function parseRetryAfter(header: string | null | undefined, now: number | Date = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Only an HTTP-date (it names a weekday or month); Date.parse alone accepts "1.5" and friends.
  if (!/[a-z]{3}/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - (typeof now === "number" ? now : now.getTime()));
}

// ---------------------------------------------------------------------------------------------
// Retrying

export interface FailedAttempt {
  /** The `name` option (default `Class.method`). */
  name: string;
  error: Error;
  /** 1 for the first call. */
  attemptNumber: number;
  retriesLeft: number;
  /** False when this was the last attempt (not retryable, or out of retries). */
  willRetry: boolean;
  /** Wait before the next attempt; undefined when none follows. */
  delayMs: number | undefined;
  /** Where the wait came from: the server's Retry-After or the exponential backoff. */
  delaySource: "retry-after" | "backoff" | undefined;
}

export interface RetryOptions {
  /** Retries after the first attempt. Default 4. */
  retries?: number;
  /** First backoff, ms. Default 1000. */
  minTimeout?: number;
  /** Longest backoff, ms. Default 60000. */
  maxTimeout?: number;
  /** Backoff growth per retry. Default 2. */
  factor?: number;
  /** Multiply each backoff by a random 1–2 so that many clients do not retry in step. Default true. */
  randomize?: boolean;
  /** Longest Retry-After honoured, ms; a longer one is cut to this. Default 5 minutes. */
  maxRetryAfterMs?: number;
  /**
   * Stops retrying when aborted. Combined with the instance's own `signal` property, see `retry()`.
   * Rarely set here (decorator options are fixed when the class is defined).
   */
  signal?: AbortSignal;
  /** For logs. Default `ClassName.methodName`. */
  name?: string;
  /** Called after every failed attempt, before the wait. Throwing from it stops the retries. */
  onFailedAttempt?: (attempt: FailedAttempt) => void | Promise<void>;
}

interface ResolvedRetryOptions {
  retries: number;
  minTimeout: number;
  maxTimeout: number;
  factor: number;
  randomize: boolean;
  maxRetryAfterMs: number;
  signal: AbortSignal | undefined;
  name: string;
  onFailedAttempt: RetryOptions["onFailedAttempt"];
}

function resolveOptions(options: RetryOptions, fallbackName: string, extraSignal?: AbortSignal): ResolvedRetryOptions {
  const resolved: ResolvedRetryOptions = {
    retries: options.retries ?? 4,
    minTimeout: options.minTimeout ?? 1000,
    maxTimeout: options.maxTimeout ?? 60_000,
    factor: options.factor ?? 2,
    randomize: options.randomize ?? true,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 5 * 60_000,
    signal: combineSignals(options.signal, extraSignal),
    name: options.name ?? fallbackName,
    onFailedAttempt: options.onFailedAttempt,
  };
  if (!Number.isInteger(resolved.retries) || resolved.retries < 0) {
    throw new RangeError(`retry(${resolved.name}): retries must be a whole number ≥ 0, got ${resolved.retries}`);
  }
  for (const key of ["minTimeout", "maxTimeout", "factor", "maxRetryAfterMs"] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`retry(${resolved.name}): ${key} must be a finite number ≥ 0, got ${value}`);
    }
  }
  return resolved;
}

function combineSignals(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (a && b && a !== b) return AbortSignal.any([a, b]);
  return a ?? b;
}

function chooseDelay(
  error: Error,
  retriesConsumed: number,
  options: ResolvedRetryOptions,
): { delayMs: number; source: "retry-after" | "backoff" } {
  if (error instanceof HttpError && (error.status === 429 || error.status === 503) && error.retryAfterMs !== undefined) {
    return { delayMs: Math.min(error.retryAfterMs, options.maxRetryAfterMs), source: "retry-after" };
  }
  const jitter = options.randomize ? 1 + Math.random() : 1;
  const backoff = options.minTimeout * options.factor ** retriesConsumed * jitter;
  return { delayMs: Math.round(Math.min(backoff, options.maxTimeout)), source: "backoff" };
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    // Always a real timer, even for 0 ms, so that a tight failure loop still yields to the event loop.
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function describeCause(error: Error): Record<string, unknown> {
  const code = findCode(error);
  return {
    error: error.name,
    ...(error instanceof HttpError ? { status: error.status, url: error.url } : {}),
    ...(code ? { code } : {}),
    message: error.message,
  };
}

async function run<R>(operation: (attemptNumber: number) => Promise<R>, options: ResolvedRetryOptions): Promise<R> {
  // p-retry runs the loop, enforces the retry budget, stops on its AbortError and on the signal. The
  // wait itself is ours (p-retry's own delay is switched off with minTimeout 0): a Retry-After must
  // replace the backoff, which p-retry cannot do. It is taken in shouldRetry, which p-retry calls
  // only when a retry is still allowed, and which it aborts on when it throws (the abort reason).
  let planned: { delayMs: number; source: "retry-after" | "backoff" } | undefined;
  return pRetry(operation, {
    retries: options.retries,
    minTimeout: 0,
    signal: options.signal,
    onFailedAttempt: async ({ error, attemptNumber, retriesLeft, retriesConsumed }) => {
      const willRetry = retriesLeft > 0 && isRetryable(error);
      planned = willRetry ? chooseDelay(error, retriesConsumed, options) : undefined;
      const fields = {
        op: options.name,
        attempt: attemptNumber,
        retriesLeft,
        cause: describeCause(error),
        delayMs: planned?.delayMs,
        delaySource: planned?.source,
      };
      // Running out of retries is worth a warning; a final failure (404, bad feed) is the caller's
      // to judge, since it gets the error, so it is only noted.
      if (planned) {
        retryLogger.info(fields, `${options.name}: attempt ${attemptNumber} failed, retrying in ${planned.delayMs} ms`);
      } else if (retriesLeft > 0) {
        retryLogger.info(fields, `${options.name}: attempt ${attemptNumber} failed, not retryable`);
      } else {
        retryLogger.warn(fields, `${options.name}: attempt ${attemptNumber} failed, giving up after ${attemptNumber} attempts`);
      }
      await options.onFailedAttempt?.({
        name: options.name,
        error,
        attemptNumber,
        retriesLeft,
        willRetry,
        delayMs: planned?.delayMs,
        delaySource: planned?.source,
      });
    },
    shouldRetry: async () => {
      if (!planned) return false;
      await sleep(planned.delayMs, options.signal);
      return true;
    },
  });
}

/** Calls `operation` until it succeeds, under the rules of `@retry`. For code that is not a class method. */
export function withRetry<R>(
  operation: (attemptNumber: number) => Promise<R>,
  options: RetryOptions & { name: string },
): Promise<R> {
  return run(operation, resolveOptions(options, options.name));
}

/** What `@retry` reads from the instance on every call. Both are optional. */
export interface RetryHost {
  /** Shutdown signal: aborting it ends the retries (and the wait between them) at once. */
  readonly signal?: AbortSignal;
  /** Per-instance overrides of the decorator's options (tests make the waits short with this). */
  readonly retryOptions?: RetryOptions;
}

/**
 * Method decorator (standard TC39 decorators, not `experimentalDecorators`): retries the async method
 * with exponential backoff and jitter, honouring Retry-After on 429/503, until it succeeds, fails in
 * a way retrying cannot fix (see `isRetryable`), runs out of retries, or is aborted.
 *
 * Per call, the decorator reads two optional properties of the instance (`this`, see `RetryHost`):
 * - `retryOptions`: overrides the options given here, field by field;
 * - `signal`: an AbortSignal. The retries stop when it, or `options.signal`, is aborted: a wait in
 *   progress ends at once and the call rejects with the signal's reason (a DOMException named
 *   "AbortError" for a plain `abort()`). An attempt already running is not interrupted by the
 *   decorator; the method should pass the same signal to its own I/O.
 *
 * @example
 *   class Client { constructor(readonly signal?: AbortSignal) {}  @retry({ retries: 3 }) async get() {…} }
 */
export function retry(options: RetryOptions = {}) {
  return function <This, Args extends unknown[], R>(
    target: (this: This, ...args: Args) => Promise<R>,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Promise<R>>,
  ): (this: This, ...args: Args) => Promise<R> {
    if (context.kind !== "method") throw new TypeError("@retry() decorates methods only");
    const methodName = String(context.name);
    return function retried(this: This, ...args: Args): Promise<R> {
      const host = hostOf(this);
      const className = context.static ? (this as { name?: string }).name : host.constructorName;
      const merged = { ...options, ...host.retryOptions };
      let resolved: ResolvedRetryOptions;
      try {
        resolved = resolveOptions(merged, className ? `${className}.${methodName}` : methodName, host.signal);
      } catch (error) {
        return Promise.reject(error);
      }
      return run(() => target.apply(this, args), resolved);
    };
  };
}

function hostOf(self: unknown): { signal?: AbortSignal; retryOptions?: RetryOptions; constructorName?: string } {
  if (typeof self !== "object" && typeof self !== "function") return {};
  if (self === null) return {};
  const candidate = self as { signal?: unknown; retryOptions?: unknown; constructor?: { name?: unknown } };
  return {
    signal: candidate.signal instanceof AbortSignal ? candidate.signal : undefined,
    retryOptions:
      typeof candidate.retryOptions === "object" && candidate.retryOptions !== null
        ? (candidate.retryOptions as RetryOptions)
        : undefined,
    constructorName: typeof candidate.constructor?.name === "string" ? candidate.constructor.name : undefined,
  };
}
