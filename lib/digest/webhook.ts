// Posts a digest to a reader's webhook: JSON over node:http(s), connecting only to public addresses
// unless WEBHOOK_ALLOW_PRIVATE (the check runs in the connection's own DNS lookup, lib/digest/ssrf.ts),
// no redirects followed (a redirect could lead anywhere), a time limit per attempt, and `@retry` for
// 5xx, 429 and network failures, honouring Retry-After. Errors name the host only: a webhook's path is
// often its secret (Slack's and Discord's are), so it never reaches logs, the database or the page.
// Worker-only (the decorator; see lib/retry.ts).
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { HttpError, markNonRetryable, NetworkError, parseRetryAfter, RequestTimeoutError, retry, type RetryOptions } from "../retry";
import { bareHost, checkWebhookUrl, guardedLookup, WebhookAddressError } from "./ssrf";

/** Longest response body read (and then dropped): receivers answer "ok" or a short error. */
const RESPONSE_MAX = 64 * 1024;

export interface WebhookSenderOptions {
  allowPrivate: boolean;
  /** Per attempt, from connecting to the end of the response. */
  timeoutMs?: number;
  /** Ends retry waits and requests at shutdown (read by `@retry`). */
  signal?: AbortSignal;
  /** Overrides of the retry options (tests shorten the waits). */
  retryOptions?: RetryOptions;
  userAgent?: string;
}

/** The host (and port) of a webhook address: what errors and the topic page show of it. */
export function webhookTarget(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(not an address)";
  }
}

export class WebhookSender {
  readonly signal?: AbortSignal;
  readonly retryOptions?: RetryOptions;

  constructor(private readonly options: WebhookSenderOptions) {
    this.signal = options.signal;
    this.retryOptions = options.retryOptions;
  }

  /**
   * Posts `body` as JSON to `url`; resolves on a 2xx answer. `tries.count` counts the attempts made.
   * Throws WebhookAddressError for an address that may not be used, HttpError for a refusal, or the
   * last network error once the retries are spent.
   */
  @retry({ retries: 4, minTimeout: 2_000, maxTimeout: 60_000, maxRetryAfterMs: 120_000 })
  async post(url: string, body: unknown, tries: { count: number } = { count: 0 }): Promise<void> {
    tries.count += 1;
    let target: URL;
    try {
      target = await checkWebhookUrl(url, { allowPrivate: this.options.allowPrivate });
    } catch (error) {
      throw markNonRetryable(error as Error);
    }
    await this.request(target, JSON.stringify(body));
  }

  private request(url: URL, payload: string): Promise<void> {
    const shown = `${url.protocol}//${url.host}`;
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    const client = url.protocol === "https:" ? https : http;
    const host = bareHost(url);
    return new Promise<void>((resolve, reject) => {
      // One outcome per request: a socket torn down mid-response fails the response and the request
      // both, and a timeout is the cause of whatever error the teardown raises after it.
      let settled = false;
      let timedOut: RequestTimeoutError | null = null;
      let timer: NodeJS.Timeout | undefined;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const failed = (error: Error) => {
        if (timedOut) return settle(timedOut);
        if (error instanceof WebhookAddressError) return settle(markNonRetryable(error));
        if (error.name === "AbortError") return settle(error);
        settle(new NetworkError({ method: "POST", url: shown, cause: error }));
      };
      const req = client.request(
        url,
        {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(payload),
            "user-agent": this.options.userAgent ?? "paper-triage digest",
          },
          // The check on the addresses actually connected to (a literal IP was checked above).
          lookup: this.options.allowPrivate || isIP(host) ? undefined : guardedLookup,
          signal: this.signal,
          timeout: timeoutMs,
        },
        (res) => {
          let size = 0;
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            if (size < RESPONSE_MAX) text += chunk.slice(0, RESPONSE_MAX - size);
            size += chunk.length;
          });
          res.on("error", failed);
          // Cut off before its end without an error event (the socket closed under it).
          res.on("close", () => {
            if (!res.complete) failed(new Error("the connection closed before the response ended"));
          });
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return settle();
            const error = new HttpError({
              status,
              statusText: res.statusMessage ?? "",
              url: shown,
              method: "POST",
              retryAfterMs: parseRetryAfter(res.headers["retry-after"] as string | undefined),
              body: text,
            });
            // A redirect is not followed, and asking again gets the same redirect.
            settle(status >= 300 && status < 400 ? markNonRetryable(error) : error);
          });
        },
      );
      const timeOut = () => {
        timedOut ??= new RequestTimeoutError({ url: shown, timeoutMs, method: "POST" });
        req.destroy(timedOut);
      };
      // The timer covers the whole exchange, headers and body: `timeout` above only notices a silent socket.
      timer = setTimeout(timeOut, timeoutMs);
      req.on("timeout", timeOut);
      req.on("error", failed);
      req.end(payload);
    });
  }
}

/** A failed webhook post, in words for the topic page (no path, no secret). */
export function describeWebhookError(error: unknown): string {
  if (error instanceof WebhookAddressError) return error.message;
  if (error instanceof HttpError) {
    const redirect = error.status >= 300 && error.status < 400 ? " (redirects are not followed: use the final address)" : "";
    return `${error.url} answered HTTP ${error.status}${error.statusText ? ` ${error.statusText}` : ""}${redirect}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
