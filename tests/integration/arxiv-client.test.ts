// ArxivClient against a real local HTTP server: URLs, headers, API spacing, typed errors.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ArxivClient, submittedDateQuery, type ArxivClientOptions } from "../../lib/arxiv/client";
import { HttpError, NetworkError, RequestTimeoutError } from "../../lib/retry";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server";

const USER_AGENT = "paper-triage-test/0.1 (+mailto:tests@example.org)";

let server: TestHttpServer;
beforeEach(async () => {
  server = await startHttpServer();
});
afterEach(async () => {
  await server.close();
});

function client(options: Partial<ArxivClientOptions> = {}): ArxivClient {
  return new ArxivClient({
    rssBaseUrl: `${server.url}/rss/`,
    apiBaseUrl: `${server.url}/api/query`,
    pdfBaseUrl: `${server.url}/pdf`,
    userAgent: USER_AGENT,
    timeoutMs: 2_000,
    apiMinIntervalMs: 0,
    retry: { minTimeout: 10, maxTimeout: 50, randomize: false },
    ...options,
  });
}

describe("ArxivClient", () => {
  test("fetchRss joins categories with + and sends the User-Agent", async () => {
    server.script("/rss/cs.AI+cs.CL+math.NA", [
      { status: 200, headers: { "content-type": "application/rss+xml; charset=utf-8" }, body: "<rss>é</rss>" },
    ]);
    const before = Date.now();

    const doc = await client().fetchRss(["cs.AI", "cs.CL", "math.NA"]);

    expect(doc).toMatchObject({
      url: `${server.url}/rss/cs.AI+cs.CL+math.NA`,
      status: 200,
      body: "<rss>é</rss>",
      contentType: "application/rss+xml; charset=utf-8",
    });
    expect(doc.fetchedAt.getTime()).toBeGreaterThanOrEqual(before);
    const [request] = server.requestsTo("/rss/cs.AI+cs.CL+math.NA");
    expect(request?.headers["user-agent"]).toBe(USER_AGENT);
    expect(request?.method).toBe("GET");
  });

  test("fetchRss refuses an empty or malformed category list without a request", async () => {
    await expect(client().fetchRss([])).rejects.toThrow("at least one category");
    await expect(client().fetchRss(["cs.AI/../x"])).rejects.toThrow("not an arXiv category");
    expect(server.requests).toHaveLength(0);
  });

  test("fetchApi sends id_list, start and max_results", async () => {
    server.script("/api/query", [{ status: 200, headers: { "content-type": "application/atom+xml" }, body: "<feed/>" }]);

    const doc = await client().fetchApi({ idList: ["2104.12255", "hep-th/9711200v2"], start: 0, maxResults: 50 });

    expect(doc.body).toBe("<feed/>");
    const [request] = server.requestsTo("/api/query");
    expect(Object.fromEntries(request!.query)).toEqual({
      id_list: "2104.12255,hep-th/9711200v2",
      start: "0",
      max_results: "50",
    });
    expect(request?.headers["user-agent"]).toBe(USER_AGENT);
  });

  test("fetchApi sends search_query, paging and sorting", async () => {
    server.script("/api/query", [{ status: 200, body: "<feed/>" }]);
    const searchQuery = submittedDateQuery("cs.AI", "2025-01-06", "2025-01-07");

    await client().fetchApi({
      searchQuery,
      start: 200,
      maxResults: 100,
      sortBy: "submittedDate",
      sortOrder: "ascending",
    });

    const [request] = server.requestsTo("/api/query");
    expect(Object.fromEntries(request!.query)).toEqual({
      search_query: "cat:cs.AI AND submittedDate:[202501060000 TO 202501072359]",
      start: "200",
      max_results: "100",
      sortBy: "submittedDate",
      sortOrder: "ascending",
    });
  });

  test("API requests from one process are spaced apiMinIntervalMs apart", async () => {
    server.script("/api/query", [{ status: 200, body: "<feed/>" }]);
    const arxiv = client({ apiMinIntervalMs: 600 });

    await arxiv.fetchApi({ idList: ["2104.12255"] });
    await arxiv.fetchApi({ idList: ["2104.12256"] });
    // Concurrent calls queue up too, and a second client in the process shares the gate.
    await Promise.all([arxiv.fetchApi({ idList: ["1"] }), client({ apiMinIntervalMs: 600 }).fetchApi({ idList: ["2"] })]);

    const times = server.requestsTo("/api/query").map((r) => r.at);
    expect(times).toHaveLength(4);
    // Arrival times at the stand-in, not send times: on a loaded machine a request can reach the
    // server some milliseconds after it was sent, shortening the gap seen here. Without the gate
    // the gaps are a few milliseconds, so half the interval still proves the spacing (a test file
    // running beside this one has been seen to delay an arrival by tens of milliseconds).
    for (let i = 1; i < times.length; i++) {
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(300);
    }
  });

  test("fetchPdf asks for the version and returns the bytes", async () => {
    const pdf = Buffer.from("%PDF-1.7\n\x00\x01\x02binary");
    server.script("/pdf/2104.12255v2", [{ status: 200, headers: { "content-type": "application/pdf" }, body: pdf }]);
    server.script("/pdf/hep-th/9711200", [{ status: 200, body: pdf }]);

    expect(Buffer.compare(await client().fetchPdf("2104.12255", 2), pdf)).toBe(0);
    expect(Buffer.compare(await client().fetchPdf("hep-th/9711200"), pdf)).toBe(0);
    expect(server.requests.map((r) => r.path)).toEqual(["/pdf/2104.12255v2", "/pdf/hep-th/9711200"]);
    await expect(client().fetchPdf("not an id")).rejects.toBeInstanceOf(RangeError);
  });

  test("a non-2xx answer is an HttpError with status, URL and Retry-After", async () => {
    server.script("/rss/cs.AI", [{ status: 503, headers: { "retry-after": "120" }, body: "arXiv is down for maintenance" }]);

    const error = await client({ retry: { retries: 0 } })
      .fetchRss(["cs.AI"])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      status: 503,
      url: `${server.url}/rss/cs.AI`,
      retryAfterMs: 120_000,
      bodySnippet: "arXiv is down for maintenance",
    });
    expect((error as HttpError).message).toBe(`GET ${server.url}/rss/cs.AI answered HTTP 503 Service Unavailable (Retry-After: 120 s)`);
  });

  test("a 404 is not retried", async () => {
    server.script("/pdf/2104.99999v1", [{ status: 404 }]);

    await expect(client().fetchPdf("2104.99999", 1)).rejects.toMatchObject({ name: "HttpError", status: 404 });
    expect(server.requests).toHaveLength(1);
  });

  test("a server that never answers is a RequestTimeoutError naming the URL, retried first", async () => {
    server.script("/rss/cs.CL", ["hang"]);

    const error = await client({ timeoutMs: 150, retry: { retries: 1, minTimeout: 10 } })
      .fetchRss(["cs.CL"])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as Error).message).toBe(`GET ${server.url}/rss/cs.CL got no complete response within 150 ms`);
    expect(server.requestsTo("/rss/cs.CL")).toHaveLength(2);
  });

  test("a refused connection is a NetworkError with its code", async () => {
    const closed = await startHttpServer();
    await closed.close();

    const error = await client({ rssBaseUrl: `${closed.url}/rss`, retry: { retries: 0 } })
      .fetchRss(["cs.AI"])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: "ECONNREFUSED" });
    expect((error as Error).message).toContain(`${closed.url}/rss/cs.AI`);
  });

  test("the shutdown signal ends a request in flight without retrying", async () => {
    server.script("/rss/cs.LG", ["hang"]);
    const controller = new AbortController();
    const call = client({ signal: controller.signal }).fetchRss(["cs.LG"]).catch((e: unknown) => e);
    await expect.poll(() => server.requests.length, { interval: 5 }).toBe(1);

    const abortedAt = performance.now();
    controller.abort();

    expect(await call).toMatchObject({ name: "AbortError" });
    expect(performance.now() - abortedAt).toBeLessThan(100);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.requests).toHaveLength(1);
  });

  test("fromEnv reads the ARXIV_* configuration", () => {
    const arxiv = ArxivClient.fromEnv({ apiMinIntervalMs: 0 });
    expect(arxiv.rssBaseUrl).toMatch(/^https?:\/\//);
    expect(arxiv.apiBaseUrl).toMatch(/^https?:\/\//);
    expect(arxiv.userAgent.length).toBeGreaterThan(0);
    expect(arxiv.timeoutMs).toBeGreaterThan(0);
    expect(arxiv.apiMinIntervalMs).toBe(0);
  });
});

describe("submittedDateQuery", () => {
  test("one category, whole days", () => {
    expect(submittedDateQuery("math.NA", "2024-02-28", "2024-02-29")).toBe(
      "cat:math.NA AND submittedDate:[202402280000 TO 202402292359]",
    );
    expect(submittedDateQuery("hep-th", "20240101", "20240101")).toBe(
      "cat:hep-th AND submittedDate:[202401010000 TO 202401012359]",
    );
  });

  test("rejects what is not a date or category", () => {
    expect(() => submittedDateQuery("cs.AI", "2023-02-29", "2023-03-01")).toThrow(RangeError);
    expect(() => submittedDateQuery("cs.AI", "yesterday", "2023-03-01")).toThrow("is not a date");
    expect(() => submittedDateQuery("cs.AI", "2023-03-02", "2023-03-01")).toThrow("after");
    expect(() => submittedDateQuery("cs.AI OR x", "2023-03-01", "2023-03-01")).toThrow("not an arXiv category");
  });
});
