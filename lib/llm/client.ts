// LlmClient: the only code that talks to the LLM (any OpenAI-compatible chat-completions endpoint,
// through the `openai` package). It streams one answer, retries transient failures with @retry (see
// lib/retry.ts; the package's own retries are off), and turns every final failure into an LlmError
// (lib/llm/types.ts) whose message a person can read and that never contains the API key.
//
// Uses a standard decorator: import it from workers/ and tests only, never from app/ (Next.js cannot
// compile decorators; see lib/retry.ts).
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { env } from "../env";
import {
  HttpError,
  NetworkError,
  RequestTimeoutError,
  isNetworkFailure,
  markNonRetryable,
  parseRetryAfter,
  retry,
  type RetryHost,
  type RetryOptions,
} from "../retry";
import { LlmError, type ChatMessage, type ChatResult, type LlmErrorKind, type StreamOptions } from "./types";

const DEFAULT_BASE_URL = "https://api.openai.com/v1";
// `openai` refuses to start without a key, but local OpenAI-compatible servers (Ollama, vLLM,
// llama.cpp) need none: they get this placeholder, which they ignore.
const KEYLESS_PLACEHOLDER = "no-key";

export interface LlmClientOptions {
  /** OpenAI-compatible base URL, e.g. https://api.openai.com/v1. Unset: OpenAI's. */
  baseUrl?: string;
  apiKey?: string;
  model: string;
  /** Per attempt: from sending the request to the last token. */
  timeoutMs: number;
  /** Default max_tokens for a call. */
  maxTokens: number;
  /** Shutdown: aborts the answer in flight and the waits between retries. */
  signal?: AbortSignal;
  /** Overrides of the retry policy (tests use short waits). */
  retry?: RetryOptions;
}

export interface StreamChatOptions extends StreamOptions {
  /** Default: the client's maxTokens (LLM_MAX_TOKENS). */
  maxTokens?: number;
  temperature?: number;
}

/** A stream that ended (or broke) before its finish_reason: retryable, like the network failure it is. */
class StreamCutError extends NetworkError {
  constructor(url: string, cause: unknown) {
    super({ url, method: "POST", cause });
    this.name = "StreamCutError";
  }
}

/** An answer without text. Retryable once (see `attemptStream`). */
class EmptyAnswerError extends NetworkError {
  constructor(url: string) {
    super({ url, method: "POST", cause: new Error("the answer had no text") });
    this.name = "EmptyAnswerError";
  }
}

/** What one streamChat call carries from one attempt to the next. */
interface CallState {
  readonly options: StreamChatOptions;
  attempts: number;
  /** Text reached onDelta in the current attempt: a retry must tell the caller to drop it. */
  delivered: boolean;
  emptyAnswers: number;
}

export class LlmClient implements RetryHost {
  readonly baseUrl: string | undefined;
  readonly model: string;
  readonly timeoutMs: number;
  readonly maxTokens: number;
  /** Read by @retry: aborting it ends retries and waits at once. */
  readonly signal: AbortSignal | undefined;
  /** Read by @retry: per-instance overrides of the retry policy. */
  readonly retryOptions: RetryOptions | undefined;
  // Private so that it never shows up in logs of the client object.
  readonly #apiKey: string | undefined;
  #openai: OpenAI | undefined;

  constructor(options: LlmClientOptions) {
    this.baseUrl = options.baseUrl?.replace(/\/+$/, "") || undefined;
    this.#apiKey = options.apiKey || undefined;
    this.model = options.model;
    this.timeoutMs = options.timeoutMs;
    this.maxTokens = options.maxTokens;
    this.signal = options.signal;
    this.retryOptions = options.retry;
  }

  /** A client configured from the environment (OPENAI_*, LLM_* in lib/env.ts). */
  static fromEnv(overrides: Partial<LlmClientOptions> = {}): LlmClient {
    const config = env();
    return new LlmClient({
      baseUrl: config.OPENAI_BASE_URL,
      apiKey: config.OPENAI_API_KEY,
      model: config.LLM_MODEL,
      timeoutMs: config.LLM_TIMEOUT_MS,
      maxTokens: config.LLM_MAX_TOKENS,
      ...overrides,
    });
  }

  /** False when neither a key nor a base URL is set: LLM features are off. */
  get configured(): boolean {
    return this.#apiKey !== undefined || this.baseUrl !== undefined;
  }

  /** The chat-completions URL, for messages and logs. */
  get endpoint(): string {
    return `${this.baseUrl ?? DEFAULT_BASE_URL}/chat/completions`;
  }

  /**
   * Streams one answer: `onDelta` gets each piece as it arrives; the result has the whole text. A
   * failed attempt is retried (429 and 5xx, honouring Retry-After; timeouts; network failures; cut
   * streams; one empty answer); `onRestart` is called before a retry when the failed attempt had
   * already delivered text. Final failures are LlmErrors; aborting `options.signal` or the client's
   * `signal` rejects at once with the signal's reason.
   */
  async streamChat(messages: ChatMessage[], options: StreamChatOptions): Promise<ChatResult> {
    if (!this.configured) {
      throw new LlmError(
        "not_configured",
        "No LLM is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for another OpenAI-compatible endpoint)",
      );
    }
    const call: CallState = { options, attempts: 0, delivered: false, emptyAnswers: 0 };
    try {
      // @retry watches the client's signal during its waits; the caller's signal is raced here, so
      // that an abort during a Retry-After wait does not have to wait for it to end.
      return await raceAbort(this.attemptStream(messages, call), options.signal);
    } catch (error) {
      throw this.finalError(error, call);
    }
  }

  // One attempt; @retry calls it again with the same `call`, which is how state crosses attempts.
  @retry({ name: "LlmClient.streamChat", retries: 3, minTimeout: 2_000, maxTimeout: 30_000 })
  private async attemptStream(messages: ChatMessage[], call: CallState): Promise<ChatResult> {
    const { options } = call;
    const userSignals = [options.signal, this.signal].filter((s): s is AbortSignal => s !== undefined);
    const abortedBy = userSignals.find((s) => s.aborted);
    if (abortedBy) throw stopReason(abortedBy);

    call.attempts++;
    if (call.delivered) {
      call.delivered = false;
      options.onRestart?.();
    }

    // Our own time limit covers the whole stream; openai's `timeout` stops at the response headers.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
    const signal = AbortSignal.any([timeout.signal, ...userSignals]);
    let phase: "request" | "stream" = "request";
    try {
      const stream = await this.openai().chat.completions.create(
        {
          model: this.model,
          messages: messages.map((m) => ({ role: m.role, content: m.content })),
          stream: true,
          stream_options: { include_usage: true },
          // max_tokens rather than max_completion_tokens: every OpenAI-compatible server knows it.
          max_tokens: options.maxTokens ?? this.maxTokens,
          ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        },
        { signal, timeout: this.timeoutMs, maxRetries: 0 },
      );
      phase = "stream";
      let text = "";
      let finishReason: string | undefined;
      let usage: ChatResult["usage"];
      for await (const chunk of stream) {
        if (chunk.usage) {
          usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
        }
        const choice = chunk.choices[0];
        const piece = choice?.delta?.content;
        if (piece) {
          text += piece;
          call.delivered = true;
          options.onDelta(piece);
        }
        if (choice?.finish_reason) finishReason = choice.finish_reason;
      }
      // An aborted stream ends quietly in `openai`; the abort is the real outcome.
      if (signal.aborted) throw new DOMException("aborted", "AbortError");
      if (finishReason === undefined) {
        throw new StreamCutError(this.endpoint, new Error("the stream ended before its finish_reason"));
      }
      if (finishReason === "length") {
        throw markNonRetryable(
          new LlmError(
            "truncated",
            `The LLM's answer hit the token limit (${options.maxTokens ?? this.maxTokens} tokens) and was cut short`,
          ),
        );
      }
      if (text.trim() === "") {
        call.emptyAnswers++;
        if (call.emptyAnswers >= 2) throw markNonRetryable(new EmptyAnswerError(this.endpoint));
        throw new EmptyAnswerError(this.endpoint);
      }
      return { text, finishReason, ...(usage ? { usage } : {}) };
    } catch (error) {
      throw this.attemptError(error, { timedOut: timeout.signal.aborted, userSignals, phase });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Turns what one attempt threw into the typed errors @retry decides on (lib/retry.ts). */
  private attemptError(
    error: unknown,
    context: { timedOut: boolean; userSignals: AbortSignal[]; phase: "request" | "stream" },
  ): unknown {
    // Shutdown or the caller's abort wins over everything else, and is never retried.
    const abortedBy = context.userSignals.find((s) => s.aborted);
    if (abortedBy) return stopReason(abortedBy);
    if (error instanceof LlmError || error instanceof StreamCutError || error instanceof EmptyAnswerError) return error;
    if (context.timedOut || error instanceof APIConnectionTimeoutError) {
      return new RequestTimeoutError({ url: this.endpoint, method: "POST", timeoutMs: this.timeoutMs, cause: error });
    }
    if (error instanceof APIUserAbortError) return error;
    if (error instanceof APIConnectionError) {
      return new NetworkError({ url: this.endpoint, method: "POST", cause: error.cause ?? error });
    }
    if (error instanceof APIError && typeof error.status === "number") {
      return new HttpError({
        status: error.status,
        url: this.endpoint,
        method: "POST",
        retryAfterMs: parseRetryAfter(error.headers?.get("retry-after")),
        // Kept for the final message and logs; some endpoints quote the key they refused.
        body: this.redact(error.message),
      });
    }
    // An error event inside the stream (APIError without a status) or a body that broke off.
    if (context.phase === "stream" && (error instanceof APIError || isNetworkFailure(error))) {
      return new StreamCutError(this.endpoint, error);
    }
    if (error instanceof Error) return markNonRetryable(error);
    return error;
  }

  /** The LlmError for a call that failed for good; an abort's reason passes through as it is. */
  private finalError(error: unknown, call: CallState): unknown {
    if (isAbortReason(error, call.options.signal) || isAbortReason(error, this.signal)) return error;
    const attempts = call.attempts === 1 ? "1 attempt" : `${call.attempts} attempts`;
    const make = (kind: LlmErrorKind, message: string) =>
      new LlmError(kind, this.redact(message), { cause: error });
    if (error instanceof LlmError) return error.message === this.redact(error.message) ? error : make(error.kind, error.message);
    if (error instanceof EmptyAnswerError) return make("empty", `The LLM answered with no text (${attempts})`);
    if (error instanceof StreamCutError) {
      return make("cut", `The LLM's answer broke off before it was complete (${attempts}; last: ${innerMessage(error)})`);
    }
    if (error instanceof RequestTimeoutError) {
      return make("timeout", `The LLM gave no complete answer within ${this.timeoutMs / 1000} s (${attempts})`);
    }
    if (error instanceof HttpError) {
      const detail = error.body ? `: ${error.body}` : "";
      if (error.status === 429) return make("rate_limited", `The LLM endpoint is rate-limiting us (HTTP 429, ${attempts})${detail}`);
      if (error.status >= 500) return make("server", `The LLM endpoint failed (HTTP ${error.status}, ${attempts})${detail}`);
      return make("rejected", `The LLM endpoint refused the request (HTTP ${error.status})${detail}`);
    }
    if (error instanceof NetworkError) {
      // No kind of its own in the contract: an unreachable endpoint is a server-side failure for the reader.
      return make("server", `Could not reach the LLM endpoint at ${this.baseUrl ?? DEFAULT_BASE_URL} (${attempts}): ${innerMessage(error)}`);
    }
    if (error instanceof Error) return make("server", `The LLM call failed: ${error.message}`);
    return make("server", `The LLM call failed: ${String(error)}`);
  }

  /** Removes the API key from text that may echo it (some endpoints quote the key they refused). */
  private redact(message: string): string {
    const key = this.#apiKey;
    return key && key.length >= 4 ? message.split(key).join("[redacted]") : message;
  }

  private openai(): OpenAI {
    this.#openai ??= new OpenAI({
      apiKey: this.#apiKey ?? KEYLESS_PLACEHOLDER,
      baseURL: this.baseUrl ?? DEFAULT_BASE_URL,
      // Our @retry does the retrying, with Retry-After and shutdown; two layers would multiply.
      maxRetries: 0,
      timeout: this.timeoutMs,
      // Not read from OPENAI_ORG_ID / OPENAI_PROJECT_ID behind lib/env.ts's back.
      organization: null,
      project: null,
    });
    return this.#openai;
  }
}

/** The error that stops a call when `signal` was aborted; never retried. */
function stopReason(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  // A TimeoutError reason (AbortSignal.timeout) would look retryable to @retry; the caller meant stop.
  return reason instanceof Error ? markNonRetryable(reason) : reason;
}

function isAbortReason(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal !== undefined && signal.aborted && error === signal.reason;
}

function innerMessage(error: Error): string {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error && current.cause instanceof Error; depth++) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/** Rejects with the signal's reason as soon as it is aborted; otherwise settles like `promise`. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => undefined);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
