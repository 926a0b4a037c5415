// Crawl end to end through a real BullMQ queue (Redis, and PostgreSQL) against a local HTTP server
// serving real arXiv feeds: rows match the feed, a second crawl changes nothing, transient errors
// are retried, a malformed feed fails the run clearly and leaves stored data untouched.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { dailyCheck } from "../../lib/crawl";
import { createCrawlRun, getCrawlRun } from "../../lib/queries/crawl-runs";
import { setFollowedCategories } from "../../lib/queries/settings";
import { enqueueCrawl, QueueConnection } from "../../lib/queue";
import { createCrawlProcessor } from "../../workers/crawl";
import { fixture } from "../helpers/fixtures";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server";
import { standInArxivClient } from "../helpers/arxiv-client";

const QUANT_PH = fixture("rss/quant-ph_2025-04-28.xml");
const STAT = fixture("rss/stat_2024-03-26.xml");

let server: TestHttpServer;
let sql: pg.Client;
beforeAll(async () => {
  server = await startHttpServer();
  sql = new pg.Client({ connectionString: inject("databaseUrl") });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await server.close();
});

function client() {
  return standInArxivClient(server, {
    timeoutMs: 2_000,
    retry: { minTimeout: 10, maxTimeout: 50, retries: 2 },
  });
}

/** A queue connection with a crawl worker on it, for one backend. */
async function withCrawlWorker<T>(backend: "redis" | "postgres", body: (connection: QueueConnection) => Promise<T>): Promise<T> {
  const connection =
    backend === "redis"
      ? new QueueConnection({ redisUrl: inject("redisUrl"), prefix: `test-${randomBytes(4).toString("hex")}` })
      : new QueueConnection({ databaseUrl: inject("databaseUrl"), pgSchema: process.env.QUEUE_PG_SCHEMA });
  connection.worker("crawl", createCrawlProcessor({ client: client(), connection, pageSize: 50, retryDelayMs: 20 }), {
    concurrency: 1,
  });
  try {
    return await body(connection);
  } finally {
    await connection.close();
  }
}

async function crawlAndWait(
  connection: QueueConnection,
  categories: string[],
  source: "rss" | "api" = "rss",
  dates?: { from: string; to: string },
  paperIds?: string[],
) {
  const run = await createCrawlRun({ trigger: "cli", source, categories, paperIds, dateFrom: dates?.from, dateTo: dates?.to });
  await enqueueCrawl(connection, run.id, { retryDelayMs: 20 });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const current = await getCrawlRun(run.id);
    if (current && ["succeeded", "failed", "no_announcement"].includes(current.status)) return current;
    if (Date.now() > deadline) throw new Error(`crawl run ${run.id} did not finish: ${JSON.stringify(current)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function snapshot(ids: string[]) {
  const papers = await sql.query(`SELECT * FROM papers WHERE id = ANY($1) ORDER BY id`, [ids]);
  const versions = await sql.query(`SELECT * FROM paper_versions WHERE paper_id = ANY($1) ORDER BY 1, 2`, [ids]);
  const listings = await sql.query(
    `SELECT category, date, paper_id, version, announce_type, position FROM listings WHERE paper_id = ANY($1) ORDER BY 1, 2, 3`,
    [ids],
  );
  return { papers: papers.rows, versions: versions.rows, listings: listings.rows };
}

const QUANT_IDS = [...QUANT_PH.matchAll(/<link>https?:\/\/arxiv\.org\/abs\/([^<]+?)(?:v\d+)?<\/link>/g)].map((m) => m[1]!);

/** The quant-ph feed as announced on `date` (only the channel's date changes). */
const DATES = { redis: "2025-04-28", postgres: "2025-04-27" } as const;
function quantPhOn(date: string) {
  return date === "2025-04-28" ? QUANT_PH : QUANT_PH.replace("<pubDate>Mon, 28 Apr 2025", "<pubDate>Sun, 27 Apr 2025");
}

const backends = [
  ["redis", !inject("redisUrl")],
  ["postgres", false],
] as const;

test.each(backends)("a daily RSS crawl through BullMQ on %s stores the feed exactly, and again changes nothing", async (backend, skip) => {
  if (skip) return expect(process.env.CI).toBeFalsy();
  // Both backends crawl the same feed, announced on a day of their own (the channel's date): the
  // papers are shared, the listings are not. Whichever runs first creates the 81 papers.
  const category = "quant-ph";
  const date = DATES[backend];
  server.script(`/rss/${category}`, [{ status: 200, body: quantPhOn(date), headers: { "content-type": "application/rss+xml" } }]);
  const known = (await sql.query(`SELECT count(*)::int AS n FROM papers WHERE id = ANY($1)`, [QUANT_IDS])).rows[0].n;
  await withCrawlWorker(backend, async (connection) => {
    const run = await crawlAndWait(connection, [category]);
    expect(run.status, String(run.error)).toBe("succeeded");
    expect(run.counts).toMatchObject({ fetched: 81, stored: 81, skipped: 0, new: 40, cross: 10, replace: 22, replace_cross: 9, percent: 100 });
    expect(run.newPapers).toBe(known === 0 ? 81 : 0);

    const listings = await sql.query(
      `SELECT announce_type, count(*)::int AS n FROM listings WHERE category = $1 AND date = $2 GROUP BY 1 ORDER BY 1`,
      [category, date],
    );
    expect(Object.fromEntries(listings.rows.map((r) => [r.announce_type, r.n]))).toEqual({
      new: 40, cross: 10, replace: 22, "replace-cross": 9,
    });
    const before = await snapshot(QUANT_IDS);
    expect(before.papers).toHaveLength(81);
    expect(before.versions).toHaveLength(81);

    const again = await crawlAndWait(connection, [category]);
    expect(again.status).toBe("succeeded");
    expect(again.newPapers).toBe(0);
    expect(again.newVersions).toBe(0);
    expect(await snapshot(QUANT_IDS)).toEqual(before);
  });
});

test("stored papers match the feed: ids, versions, order, text", async () => {
  const rows = await sql.query(
    `SELECT l.position, p.id, l.version, p.title, p.authors, p.primary_category FROM listings l JOIN papers p ON p.id = l.paper_id
     WHERE l.category = 'quant-ph' AND l.date = $1 ORDER BY l.position`,
    [DATES.postgres],
  );
  expect(rows.rows).toHaveLength(81);
  expect(rows.rows.map((r) => r.id)).toEqual(QUANT_IDS);
  const versions = [...QUANT_PH.matchAll(/arXiv:\S+?v(\d+) Announce/g)].map((m) => Number(m[1]));
  expect(rows.rows.map((r) => r.version)).toEqual(versions);
  for (const row of rows.rows) {
    expect(row.title).not.toMatch(/\n|\s{2}|&amp;|&lt;/);
    expect(row.authors.length).toBeGreaterThan(0);
  }
});

test("a new version updates the paper and records the version; a cross-list is one paper with two listings", async () => {
  const base = QUANT_PH;
  server.script("/rss/quant-ph+physics.optics", [{ status: 200, body: base }]);
  await withCrawlWorker("postgres", async (connection) => {
    const first = await crawlAndWait(connection, ["quant-ph", "physics.optics"]);
    expect(first.status, String(first.error)).toBe("succeeded");
    const optics = await sql.query(
      `SELECT paper_id FROM listings WHERE category = 'physics.optics' ORDER BY 1`,
    );
    expect(optics.rows.length).toBeGreaterThan(0);
    const both = optics.rows[0]!.paper_id as string;
    const listed = await sql.query(`SELECT category FROM listings WHERE paper_id = $1 AND date = '2025-04-28' ORDER BY 1`, [both]);
    expect(listed.rows.map((r) => r.category)).toEqual(["physics.optics", "quant-ph"]);
    expect((await sql.query(`SELECT count(*)::int AS n FROM papers WHERE id = $1`, [both])).rows[0].n).toBe(1);

    // The next day: one paper comes back as a new version with a new abstract.
    const [target] = (await sql.query(`SELECT id, latest_version, abstract FROM papers WHERE id = $1`, [both])).rows;
    const bumped = base
      .replaceAll(`${target.id}v${target.latest_version}`, `${target.id}v${target.latest_version + 1}`)
      .replace("<pubDate>Mon, 28 Apr 2025", "<pubDate>Tue, 29 Apr 2025")
      .replace(target.abstract.slice(0, 40), `REVISED ${target.abstract.slice(0, 40)}`);
    server.script("/rss/quant-ph+physics.optics", [{ status: 200, body: bumped }]);
    const second = await crawlAndWait(connection, ["quant-ph", "physics.optics"]);
    expect(second.status, String(second.error)).toBe("succeeded");
    expect(second.newVersions).toBe(1);
    expect(second.newPapers).toBe(0);
    const after = (await sql.query(`SELECT latest_version, abstract FROM papers WHERE id = $1`, [both])).rows[0];
    expect(after.latest_version).toBe(target.latest_version + 1);
    expect(after.abstract).toContain("REVISED");
    const versions = await sql.query(`SELECT version FROM paper_versions WHERE paper_id = $1 ORDER BY 1`, [both]);
    expect(versions.rows.map((r) => r.version)).toEqual([target.latest_version, target.latest_version + 1]);
  });
});

test("arXiv answering 503 and then 200 is retried and succeeds", async () => {
  server.script("/rss/stat", [{ status: 503, headers: { "retry-after": "0" } }, { status: 200, body: STAT }]);
  await withCrawlWorker("postgres", async (connection) => {
    const run = await crawlAndWait(connection, ["stat"]);
    expect(run.status, String(run.error)).toBe("succeeded");
    expect(run.counts).toMatchObject({ fetched: 123, new: 35, cross: 27, replace: 41, replace_cross: 20 });
    expect(server.requestsTo("/rss/stat")).toHaveLength(2);
  });
});

test("a malformed feed fails the run with a clear message, is not retried, and leaves stored data untouched", async () => {
  const statIds = [...STAT.matchAll(/<link>https?:\/\/arxiv\.org\/abs\/([^<]+?)(?:v\d+)?<\/link>/g)].map((m) => m[1]!);
  const before = await snapshot(statIds);
  expect(before.papers.length).toBe(123);
  server.script("/rss/stat", [{ status: 200, body: STAT.slice(0, STAT.length / 2) }]);
  const requestsBefore = server.requestsTo("/rss/stat").length;
  await withCrawlWorker("postgres", async (connection) => {
    const run = await crawlAndWait(connection, ["stat"]);
    expect(run.status).toBe("failed");
    expect(run.error).toBe("arXiv RSS feed: truncated XML: 811:465: unclosed tag: description; <description> never closed");
    expect(server.requestsTo("/rss/stat").length - requestsBefore).toBe(1);
  });
  expect(await snapshot(statIds)).toEqual(before);
});

test("arXiv's error feed and a 404 fail the run with arXiv's words, once", async () => {
  server.script("/rss/astroph", [{ status: 200, body: fixture("rss/error_bad-archive_astroph_2024-11-28.xml") }]);
  server.script("/rss/nope", [{ status: 404, body: "Not Found" }]);
  await withCrawlWorker("postgres", async (connection) => {
    const bad = await crawlAndWait(connection, ["astroph"]);
    expect(bad.status).toBe("failed");
    expect(bad.error).toBeTruthy();
    const missing = await crawlAndWait(connection, ["nope"]);
    expect(missing.status).toBe("failed");
    expect(missing.error).toMatch(/404/);
    expect(server.requestsTo("/rss/nope")).toHaveLength(1);
  });
});

test("one bad item is recorded with its reason and the rest of the feed is stored", async () => {
  const feed = STAT;
  // Break the first item: remove its link and guid so that no id can be read.
  const firstItem = feed.indexOf("<item>");
  const itemEnd = feed.indexOf("</item>", firstItem);
  const broken = feed.slice(0, firstItem) + feed.slice(firstItem, itemEnd).replace(/<link>[^<]*<\/link>/, "").replace(/<guid[^>]*>[^<]*<\/guid>/, "").replace(/arXiv:\S+ Announce/, "Announce") + feed.slice(itemEnd);
  server.script("/rss/stat-broken", [{ status: 200, body: broken }]);
  await withCrawlWorker("postgres", async (connection) => {
    const run = await crawlAndWait(connection, ["stat-broken"]);
    expect(run.status, String(run.error)).toBe("succeeded");
    expect(run.counts).toMatchObject({ fetched: 123, stored: 122, skipped: 1 });
    expect(run.itemErrors).toEqual([expect.objectContaining({ index: 0, reason: expect.any(String) })]);
  });
});

test("an API crawl of a date range pages politely and stores every entry", async () => {
  // The real result pages report arXiv's whole match count; say 20 so that the range ends after two pages.
  const total = (xml: string) => xml.replace(/<opensearch:totalResults[^>]*>\d+</, (m) => m.replace(/\d+<$/, "20<"));
  const page1 = total(fixture("api/arxivpy2026_search_testing_start0_max10.atom"));
  const page2 = total(fixture("api/arxivpy2026_search_testing_start10_max10.atom"));
  server.script("/api/query", [
    (request) => ({ status: 200, body: request.query.get("start") === "0" ? page1 : page2 }),
  ]);
  await withCrawlWorker("postgres", async (connection) => {
    const run = await crawlAndWait(connection, ["cs.LG"], "api", { from: "2024-01-01", to: "2024-01-31" });
    expect(run.status, String(run.error)).toBe("succeeded");
    const requests = server.requestsTo("/api/query");
    expect(requests.map((r) => r.query.get("start"))).toEqual(["0", "10"]);
    expect(requests[0]!.query.get("search_query")).toBe("(cat:cs.LG) AND submittedDate:[202401010000 TO 202401312359]");
    expect(requests[0]!.headers["user-agent"]).toBe("paper-triage-tests");
    expect(run.counts).toMatchObject({ fetched: 20, stored: 20, skipped: 0, total: 20 });
    expect((run.counts as { percent: number }).percent).toBe(100);
  });
});

test("the daily check detects the announcement by the feed changing and records a day without one", async () => {
  await setFollowedCategories(["stat"]);
  server.script("/rss/stat", [{ status: 200, body: STAT }]);
  // stat 2024-03-26 was stored by an earlier test: nothing new.
  const same = await dailyCheck({ client: client(), pageSize: 50 }, { final: false });
  expect(same).toEqual({ outcome: "already-stored", date: "2024-03-26" });

  // A new day appears in the feed: stored by the check itself.
  const nextDay = STAT.replaceAll("2403.", "2403.5").replaceAll("26 Mar 2024", "27 Mar 2024");
  server.script("/rss/stat", [{ status: 200, body: nextDay }]);
  const fresh = await dailyCheck({ client: client(), pageSize: 50 }, { final: false });
  expect(fresh).toMatchObject({ outcome: "stored", date: "2024-03-27" });

  // Weekend: the feed is empty. Not a failure: at the final check, a no-announcement run, once.
  server.script("/rss/stat", [{ status: 200, body: fixture("rss/test_empty_2024-11-28.xml") }]);
  const now = new Date("2024-03-30T07:55:00Z");
  const quiet = await dailyCheck({ client: client(), pageSize: 50 }, { final: false, now });
  expect(quiet.outcome).toBe("already-stored");
  const final = await dailyCheck({ client: client(), pageSize: 50 }, { final: true, now });
  expect(final).toMatchObject({ outcome: "no-announcement", note: expect.stringContaining("2024-03-30") });
  const recorded = await getCrawlRun((final as { runId: string }).runId);
  expect(recorded?.status).toBe("no_announcement");
  expect(recorded?.error).toBeNull();
  const twice = await dailyCheck({ client: client(), pageSize: 50 }, { final: true, now });
  expect(twice).toMatchObject({ outcome: "no-announcement", runId: undefined });
});

test("single papers by id through the API: new-style and old-style ids; arXiv's error feed is its own words", async () => {
  server.script("/api/query", [
    (request) => {
      const ids = request.query.get("id_list");
      if (ids === "2104.12255") return { status: 200, body: fixture("api/arxivpy2026_id_list_2104.12255v1.atom") };
      if (ids === "astro-ph/0601001") return { status: 200, body: fixture("api/arxivpy2026_id_list_astro-ph_0601001.atom") };
      if (ids === "0000.0000") return { status: 200, body: fixture("api/arxivpy2026_EMPTY_id_list_0000.0000.atom") };
      return { status: 400, body: fixture("api/arxivpy2026_ERROR_http400_id_list_abc.atom") };
    },
  ]);
  await withCrawlWorker("postgres", async (connection) => {
    const byId = await crawlAndWait(connection, [], "api", undefined, ["2104.12255"]);
    expect(byId.status, String(byId.error)).toBe("succeeded");
    const paper = (await sql.query(`SELECT id, latest_version, title, primary_category FROM papers WHERE id = '2104.12255'`)).rows[0];
    expect(paper).toMatchObject({ id: "2104.12255", latest_version: 1 });

    const old = await crawlAndWait(connection, [], "api", undefined, ["astro-ph/0601001"]);
    expect(old.status, String(old.error)).toBe("succeeded");
    expect((await sql.query(`SELECT id FROM papers WHERE id = 'astro-ph/0601001'`)).rows).toHaveLength(1);

    const none = await crawlAndWait(connection, [], "api", undefined, ["0000.0000"]);
    expect(none.status).toBe("failed");
    expect(none.error).toBe("arXiv has no paper with the id 0000.0000");

    const bad = await crawlAndWait(connection, [], "api", undefined, ["abc"]);
    expect(bad.status).toBe("failed");
    expect(bad.error).toContain("incorrect id format for abc");
  });
});
