// Fault matrix item 4, through whole crawl runs on a real BullMQ queue: arXiv answering 429 or 503
// with Retry-After, timing out, sending malformed XML or its error feed. Transient faults are retried
// (waiting as long as Retry-After asks) and the run succeeds; lasting or permanent ones end in a
// failed run that says why; and in every case the papers already stored are left exactly as they
// were (no half-written page, no blanked field).
// (Single requests are covered in tests/unit/retry.test.ts and tests/integration/arxiv-client.test.ts,
// RSS runs in tests/integration/crawl.test.ts; this file adds API runs and the stored-data checks.)
import { randomBytes } from "node:crypto";
import { afterAll, expect, inject, test } from "vitest";
import { createCrawlRun } from "../../lib/queries/crawl-runs";
import { enqueueCrawl, QueueConnection } from "../../lib/queue";
import { createCrawlProcessor } from "../../workers/crawl";
import type { ScriptStep, TestHttpServer } from "../helpers/http-server";
import { standInArxivClient } from "../helpers/arxiv-client";
import { atomPage, startArxivStandIn, storedRows, syntheticEntries, waitForRun, withSql, type SyntheticEntry } from "./support";

const PAGE = 5;
const servers: TestHttpServer[] = [];

afterAll(async () => {
  for (const server of servers) await server.close();
});

/** A queue of the test's own (a fresh Redis prefix) with a crawl worker whose client talks to `server`. */
function crawlQueue(server: TestHttpServer): QueueConnection {
  const redisUrl = inject("redisUrl");
  const connection = redisUrl
    ? new QueueConnection({ redisUrl, prefix: `reliability-${randomBytes(4).toString("hex")}` })
    : new QueueConnection({ databaseUrl: inject("databaseUrl"), pgSchema: process.env.QUEUE_PG_SCHEMA });
  const client = standInArxivClient(server, {
    timeoutMs: 300,
    retry: { retries: 2, minTimeout: 10, maxTimeout: 50, maxRetryAfterMs: 3_000 },
  });
  connection.worker("crawl", createCrawlProcessor({ client, connection, pageSize: PAGE, retryDelayMs: 20 }), { concurrency: 1 });
  return connection;
}

/** Runs an API crawl of `entries` against a stand-in whose page at `start` follows `faulty`. */
async function crawlWith(entries: SyntheticEntry[], faulty?: (start: number) => ScriptStep | undefined) {
  const server = await startArxivStandIn(entries, PAGE, faulty);
  servers.push(server);
  const connection = crawlQueue(server);
  try {
    const run = await createCrawlRun({ trigger: "cli", source: "api", categories: ["cs.LG"], dateFrom: "2024-06-01", dateTo: "2024-06-01" });
    await enqueueCrawl(connection, run.id, { retryDelayMs: 20 });
    const done = await waitForRun(run.id, 30_000);
    return { done, server, requests: server.requestsTo("/api/query") };
  } finally {
    await connection.close();
  }
}

/** Stores `entries` with a clean crawl, then gives them new text, as a later arXiv version would have. */
async function storedThenChanged(count: number) {
  const original = syntheticEntries(count, `Faults ${randomBytes(2).toString("hex")}`);
  const clean = await crawlWith(original);
  expect(clean.done.status, String(clean.done.error)).toBe("succeeded");
  const before = await storedRows(original.map((e) => e.id));
  expect(before.papers).toHaveLength(count);
  const changed = original.map((e) => ({ ...e, title: `${e.title} (revised)`, abstract: "Revised abstract." }));
  return { ids: original.map((e) => e.id), before, changed };
}

const untouched = async (ids: string[], before: Awaited<ReturnType<typeof storedRows>>) => expect(await storedRows(ids)).toEqual(before);

test("429 with Retry-After: 1, then 200: the run waits that long, then succeeds", async () => {
  const entries = syntheticEntries(2 * PAGE, "Rate-limited");
  let limited = false;
  const { done, requests } = await crawlWith(entries, (start) => {
    if (start === PAGE && !limited) {
      limited = true;
      return { status: 429, headers: { "retry-after": "1" }, body: "Rate exceeded." };
    }
    return undefined;
  });
  expect(done.status, String(done.error)).toBe("succeeded");
  expect(requests.map((r) => r.query.get("start"))).toEqual(["0", "5", "5"]);
  expect(requests[2]!.at - requests[1]!.at).toBeGreaterThanOrEqual(950);
  expect((await storedRows(entries.map((e) => e.id))).papers).toHaveLength(2 * PAGE);
});

test("503 with Retry-After as an HTTP-date: waited for, then the run succeeds", async () => {
  const entries = syntheticEntries(PAGE, "Maintenance");
  let down = false;
  const { done, requests } = await crawlWith(entries, () => {
    if (down) return undefined;
    down = true;
    return { status: 503, headers: { "retry-after": new Date(Date.now() + 1_000).toUTCString() } };
  });
  expect(done.status, String(done.error)).toBe("succeeded");
  expect(requests).toHaveLength(2);
  expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(1);
});

test("429 on every attempt: a failed run naming HTTP 429; stored papers untouched", async () => {
  const { ids, before, changed } = await storedThenChanged(2 * PAGE);
  const { done, requests } = await crawlWith(changed, (start) => (start === PAGE ? { status: 429, headers: { "retry-after": "0" } } : undefined));
  expect(done.status).toBe("failed");
  expect(done.error).toMatch(/HTTP 429/);
  // Three job attempts of three requests each for the second page.
  expect(requests.filter((r) => r.query.get("start") === "5")).toHaveLength(9);
  // Page one was stored again with the new text (a complete page); page two is exactly as before.
  const after = await storedRows(ids);
  expect(after.papers.filter((p) => p.title.endsWith("(revised)"))).toHaveLength(PAGE);
  const secondPage = new Set(changed.slice(PAGE).map((e) => e.id));
  expect(after.papers.filter((p) => secondPage.has(p.id))).toEqual(before.papers.filter((p) => secondPage.has(p.id)));
});

test("a server that never answers: the run fails naming the timeout; stored papers untouched", async () => {
  const { ids, before, changed } = await storedThenChanged(PAGE);
  const { done, requests } = await crawlWith(changed, () => "hang");
  expect(done.status).toBe("failed");
  expect(done.error).toMatch(/got no complete response within 300 ms/);
  expect(requests).toHaveLength(9);
  await untouched(ids, before);
});

test("malformed XML: failed at once (not retried), with the parser's words; stored papers untouched", async () => {
  const { ids, before, changed } = await storedThenChanged(PAGE);
  const truncated = atomPage(changed, 0, PAGE).slice(0, 900);
  const { done, requests } = await crawlWith(changed, () => ({ status: 200, body: truncated }));
  expect(done.status).toBe("failed");
  expect(done.error).toMatch(/^arXiv API response: truncated XML: .*never closed$/);
  expect(requests).toHaveLength(1);
  await untouched(ids, before);
});

test("arXiv's error feed (HTTP 400 with an Atom error entry): failed once with arXiv's words; stored papers untouched", async () => {
  const { ids, before, changed } = await storedThenChanged(PAGE);
  const errorFeed = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
  <id>https://arxiv.org/api/errors</id><title>Error</title><updated>2026-04-12T00:00:00Z</updated>
  <opensearch:totalResults>1</opensearch:totalResults><opensearch:startIndex>0</opensearch:startIndex><opensearch:itemsPerPage>1</opensearch:itemsPerPage>
  <entry><id>https://arxiv.org/api/errors#incorrect_id_format_for_abc</id><title>Error</title>
  <summary>incorrect id format for abc</summary><updated>2026-04-12T00:00:00Z</updated>
  <link href="https://arxiv.org/api/errors#incorrect_id_format_for_abc" rel="alternate" type="text/html"/>
  <author><name>arXiv api core</name></author></entry>
</feed>`;
  const { done, requests } = await crawlWith(changed, () => ({ status: 400, body: errorFeed }));
  expect(done.status).toBe("failed");
  expect(done.error).toBe("arXiv API error: incorrect id format for abc");
  expect(requests).toHaveLength(1);
  await untouched(ids, before);
});

test("the error feed with HTTP 200: failed once with arXiv's words; stored papers untouched", async () => {
  const { ids, before, changed } = await storedThenChanged(PAGE);
  const body = atomPage([], 0, PAGE).replace(
    "</feed>",
    `<entry><id>https://arxiv.org/api/errors#start_must_be_an_integer</id><title>Error</title><summary>start must be an integer</summary><updated>2026-04-12T00:00:00Z</updated><author><name>arXiv api core</name></author></entry></feed>`,
  ).replace("<opensearch:totalResults>0<", "<opensearch:totalResults>1<");
  const { done, requests } = await crawlWith(changed, () => ({ status: 200, body }));
  expect(done.status).toBe("failed");
  expect(done.error).toBe("arXiv API error: start must be an integer");
  expect(requests).toHaveLength(1);
  await untouched(ids, before);
  // Nothing stray was recorded either: no paper named after the error entry.
  expect(await withSql(async (sql) => (await sql.query(`SELECT count(*)::int AS n FROM papers WHERE title = 'Error'`)).rows[0].n)).toBe(0);
});
