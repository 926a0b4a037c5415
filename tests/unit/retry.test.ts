// @retry against a real HTTP server: what is retried, how long it waits (Retry-After), what stops it.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { FeedError } from "../../lib/arxiv/types";
import {
  HttpError,
  NetworkError,
  RequestTimeoutError,
  isRetryable,
  markNonRetryable,
  parseRetryAfter,
  retry,
  retryLogger,
  withRetry,
  type FailedAttempt,
  type RetryOptions,
} from "../../lib/retry";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server";

// Small waits everywhere except where a test is about the wait itself.
const FAST: RetryOptions = { minTimeout: 10, maxTimeout: 50, randomize: false };

/** The smallest fetch wrapper: what the real clients do, without arXiv specifics. */
class Fetcher {
  attempts: FailedAttempt[] = [];
  parseCalls = 0;
  readonly retryOptions: RetryOptions;

  constructor(
    readonly baseUrl: string,
    options: RetryOptions = {},
    readonly signal?: AbortSignal,
    readonly timeoutMs = 5_000,
  ) {
    this.retryOptions = { ...FAST, ...options, onFailedAttempt: (attempt) => void this.attempts.push(attempt) };
  }

  @retry()
  async get(path: string): Promise<string> {
    const url = `${this.baseUrl}${path}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const response = await fetch(url, { signal: this.signal ? AbortSignal.any([timeout, this.signal]) : timeout });
    if (!response.ok) throw await HttpError.fromResponse(response, { url });
    return response.text();
  }

  @retry({ name: "parse" })
  async parse(): Promise<never> {
    this.parseCalls++;
    throw new FeedError("arXiv answered with an error feed: incorrect id format");
  }
}

let server: TestHttpServer;
beforeEach(async () => {
  server = await startHttpServer();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
});

describe("@retry", () => {
  test("retries a 503 and a reset connection, succeeds on the third attempt, logs each failure", async () => {
    server.script("/flaky", [{ status: 503, body: "busy" }, "reset", { status: 200, body: "finally" }]);
    const logged = vi.spyOn(retryLogger, "info");
    const fetcher = new Fetcher(server.url);

    await expect(fetcher.get("/flaky")).resolves.toBe("finally");

    expect(server.requestsTo("/flaky")).toHaveLength(3);
    expect(fetcher.attempts.map((a) => [a.attemptNumber, a.retriesLeft, a.willRetry])).toEqual([
      [1, 4, true],
      [2, 3, true],
    ]);
    expect(fetcher.attempts[0]?.error).toBeInstanceOf(HttpError);
    expect((fetcher.attempts[0]?.error as HttpError).status).toBe(503);
    expect(fetcher.attempts[1]?.error.message).toBe("fetch failed");
    expect(fetcher.attempts.map((a) => a.delayMs)).toEqual([10, 20]);

    expect(logged).toHaveBeenCalledTimes(2);
    const [fields, message] = logged.mock.calls[0] as unknown as [Record<string, unknown>, string];
    expect(fields).toMatchObject({
      op: "Fetcher.get",
      attempt: 1,
      retriesLeft: 4,
      delayMs: 10,
      cause: { status: 503 },
    });
    expect(message).toContain("retrying in 10 ms");
  });

  test("429 with Retry-After: 1 waits that long instead of the backoff", async () => {
    server.script("/limited", [{ status: 429, headers: { "retry-after": "1" } }, { status: 200, body: "ok" }]);
    const fetcher = new Fetcher(server.url);

    await expect(fetcher.get("/limited")).resolves.toBe("ok");

    const [first, second] = server.requestsTo("/limited");
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(second!.at - first!.at).toBeLessThan(2_000);
    expect(fetcher.attempts[0]).toMatchObject({ delayMs: 1000, delaySource: "retry-after" });
  });

  test("503 with Retry-After as an HTTP-date waits until that date", async () => {
    server.script("/maintenance", [
      // At least one whole second ahead (HTTP-dates have no milliseconds).
      () => ({
        status: 503,
        headers: { "retry-after": new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000).toUTCString() },
      }),
      { status: 200, body: "back" },
    ]);
    const fetcher = new Fetcher(server.url);

    await expect(fetcher.get("/maintenance")).resolves.toBe("back");

    const [first, second] = server.requestsTo("/maintenance");
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(second!.at - first!.at).toBeLessThan(2_500);
    expect(fetcher.attempts[0]?.delaySource).toBe("retry-after");
  });

  test("a Retry-After longer than maxRetryAfterMs is cut to it", async () => {
    server.script("/slow-down", [{ status: 429, headers: { "retry-after": "3600" } }, { status: 200, body: "ok" }]);
    const fetcher = new Fetcher(server.url, { maxRetryAfterMs: 30 });

    await expect(fetcher.get("/slow-down")).resolves.toBe("ok");
    expect(fetcher.attempts[0]).toMatchObject({ delayMs: 30, delaySource: "retry-after" });
  });

  test.each([404, 400])("HTTP %i fails at once with one request", async (status) => {
    server.script("/missing", [{ status, body: "not here" }]);
    const logged = vi.spyOn(retryLogger, "info");
    const fetcher = new Fetcher(server.url);

    const error = await fetcher.get("/missing").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status, bodySnippet: "not here", url: `${server.url}/missing` });
    expect(server.requestsTo("/missing")).toHaveLength(1);
    expect(fetcher.attempts.map((a) => a.willRetry)).toEqual([false]);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]?.[1]).toContain("not retryable");
  });

  test("gives up after the last retry with the last error", async () => {
    server.script("/down", [{ status: 500 }]);
    const warned = vi.spyOn(retryLogger, "warn");
    const fetcher = new Fetcher(server.url, { retries: 2 });

    await expect(fetcher.get("/down")).rejects.toMatchObject({ name: "HttpError", status: 500 });
    expect(server.requestsTo("/down")).toHaveLength(3);
    expect(fetcher.attempts.map((a) => [a.retriesLeft, a.willRetry])).toEqual([
      [2, true],
      [1, true],
      [0, false],
    ]);
    expect(warned).toHaveBeenCalledTimes(1);
    expect(warned.mock.calls[0]?.[1]).toContain("giving up after 3 attempts");
  });

  test("a FeedError from the method is not retried", async () => {
    const fetcher = new Fetcher(server.url);

    await expect(fetcher.parse()).rejects.toBeInstanceOf(FeedError);
    expect(fetcher.parseCalls).toBe(1);
    expect(fetcher.attempts[0]).toMatchObject({ name: "parse", willRetry: false });
  });

  test("a timeout is retried", async () => {
    server.script("/sleepy", ["hang", { status: 200, body: "awake" }]);
    const fetcher = new Fetcher(server.url, {}, undefined, 200);

    await expect(fetcher.get("/sleepy")).resolves.toBe("awake");
    expect(server.requestsTo("/sleepy")).toHaveLength(2);
    expect(fetcher.attempts[0]?.error.name).toBe("TimeoutError");
  });

  test("aborting during a long backoff rejects promptly and sends nothing more", async () => {
    server.script("/busy", [{ status: 503 }]);
    const controller = new AbortController();
    const fetcher = new Fetcher(server.url, { minTimeout: 10_000, maxTimeout: 10_000 }, controller.signal);

    const call = fetcher.get("/busy").catch((e: unknown) => e);
    await vi.waitFor(() => expect(fetcher.attempts).toHaveLength(1), { interval: 5 });
    expect(fetcher.attempts[0]?.delayMs).toBe(10_000);
    await new Promise((resolve) => setTimeout(resolve, 50)); // well inside the wait

    const abortedAt = performance.now();
    controller.abort();
    const error = await call;
    expect(performance.now() - abortedAt).toBeLessThan(100);
    expect(error).toMatchObject({ name: "AbortError" });

    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.requestsTo("/busy")).toHaveLength(1);
  });

  test("an already aborted signal makes no request at all", async () => {
    server.script("/never", [{ status: 200 }]);
    const fetcher = new Fetcher(server.url, {}, AbortSignal.abort());

    await expect(fetcher.get("/never")).rejects.toMatchObject({ name: "AbortError" });
    expect(server.requests).toHaveLength(0);
  });
});

describe("withRetry", () => {
  test("retries a plain function on a network error code", async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
        return calls;
      },
      { ...FAST, name: "plain" },
    );
    expect(result).toBe(3);
  });

  test("stops at an error marked non-retryable", async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw markNonRetryable(Object.assign(new Error("ECONNRESET but hopeless"), { code: "ECONNRESET" }));
      },
      { ...FAST, name: "hopeless" },
    );
    await expect(failing).rejects.toThrow("hopeless");
    expect(calls).toBe(1);
  });
});

describe("isRetryable", () => {
  const http = (status: number) => new HttpError({ status, url: "https://example.org/x" });

  test.each([
    ["HTTP 500", http(500), true],
    ["HTTP 502", http(502), true],
    ["HTTP 503", http(503), true],
    ["HTTP 429", http(429), true],
    ["HTTP 404", http(404), false],
    ["HTTP 400", http(400), false],
    ["HTTP 403", http(403), false],
    ["timeout", new RequestTimeoutError({ url: "https://example.org/x", timeoutMs: 10 }), true],
    ["DOMException TimeoutError", new DOMException("timed out", "TimeoutError"), true],
    ["AbortError", new DOMException("aborted", "AbortError"), false],
    ["fetch failed", new TypeError("fetch failed"), true],
    ["other TypeError", new TypeError("x is not a function"), false],
    ["ECONNREFUSED", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), true],
    ["ENOTFOUND in cause", new Error("lookup", { cause: Object.assign(new Error("x"), { code: "ENOTFOUND" }) }), true],
    ["EAI_AGAIN", Object.assign(new Error("getaddrinfo EAI_AGAIN"), { code: "EAI_AGAIN" }), true],
    ["socket hang up", new Error("socket hang up"), true],
    ["NetworkError", new NetworkError({ url: "https://example.org/x", cause: new TypeError("fetch failed") }), true],
    ["FeedError", new FeedError("bad feed"), false],
    ["marked", markNonRetryable(http(503)), false],
    ["unknown error", new Error("something else"), false],
    ["not an error", "a string", false],
  ])("%s → %s", (_label, error, expected) => {
    expect(isRetryable(error)).toBe(expected);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-06T12:00:00Z");

  test("delta-seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
  });

  test("HTTP-date, relative to now; a past date is 0", () => {
    expect(parseRetryAfter("Mon, 06 Jan 2025 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Mon, 06 Jan 2025 11:00:00 GMT", new Date(now))).toBe(0);
  });

  test("absent or unreadable", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("1.5", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
  });
});
