// The contract between the LLM client (lib/llm/client.ts) and the FAQ pipeline that uses it.

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatResult {
  /** The whole answer. */
  text: string;
  finishReason: string;
  /** Token counts reported by the endpoint (stream_options.include_usage), when it reports them. */
  usage?: { promptTokens: number; completionTokens: number };
}

export interface StreamOptions {
  /** Called with each piece of text as it arrives. */
  onDelta: (text: string) => void;
  /** Called when an attempt failed after some text arrived and a new attempt starts from scratch. */
  onRestart?: () => void;
  signal?: AbortSignal;
}

export type LlmErrorKind =
  | "not_configured" // no endpoint/key configured
  | "rate_limited" // 429 (after retries)
  | "server" // 5xx (after retries)
  | "timeout" // no (complete) answer in time (after retries)
  | "cut" // the stream ended before finish_reason (after retries)
  | "empty" // the endpoint answered with no text
  | "truncated" // finish_reason "length": the answer hit the token limit
  | "rejected"; // other 4xx: bad key, unknown model, context too long — not retried

/** An LLM call that failed for good; `message` is for a person (no secrets). */
export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "LlmError";
  }
}
