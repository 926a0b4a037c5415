// `npm run bench:load [-- --seconds 60] [--model-dir DIR]`: 50 concurrent readers for 60 s against
// `next start`, browsing listings (pages and the cards route that loads more while scrolling),
// searching and opening papers, while a worker process crawls a local arXiv API stand-in AND
// re-embeds every paper (an embed-all job, scope "all", queued as the load starts). Prints
// throughput, latency percentiles, errors, how far the crawl got and how many papers were embedded
// during the load.
//
// Embedding model (web and worker, as one install shares it): the committed small test model
// (tests/fixtures/models/all-MiniLM-L6-v2, one random layer) by default; `--model-dir` for a
// full-size one, e.g. data/bench-models/minilm-random that `npm run bench:embed` generates.
//
// Database: a scratch database on the server of DATABASE_URL (default: the local PostgreSQL),
// dropped at the end. Queue: a private redis-server on a free port when one is installed (the
// shared Redis is never touched), otherwise the PostgreSQL queue backend in the scratch database.
// Options (environment): BENCH_CONNECTIONS (50), BENCH_DURATION (60 s; `--seconds` wins), BENCH_PAPERS (3000).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, createServer, get as httpGet } from "node:http";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import pg from "pg";
import { parseRss } from "../lib/arxiv/parse-rss";
import type { ParsedEntry } from "../lib/arxiv/types";
import { ROOT } from "../lib/build";
import { locateModel } from "../lib/embed/model-files";
import { applyMigrations } from "../lib/migrate";
import { freePort } from "../lib/net";
import { createScratchDatabase, startNextServer, type BenchServer } from "./support";

const { values: args } = parseArgs({
  options: { seconds: { type: "string" }, "model-dir": { type: "string" }, "page-cache-seconds": { type: "string" }, only: { type: "string" }, "signed-in": { type: "string" }, readers: { type: "boolean", default: false } },
});
/** `--readers`: listings only, signed out vs signed in, side by side (see compareReaders). */
const READERS = args.readers;
/** `--signed-in 10`: that many of the readers hold a session of their own (their pages are never kept: each is rendered). */
const SIGNED_IN = Number(args["signed-in"] ?? 0);
/** `--only paper` (or listing, more, search): every reader asks for that kind of page only. */
const ONLY = args.only;
const ONLY_SLOT: Record<string, number> = { listing: 0, more: 2, search: 3, paper: 4 };
if (ONLY !== undefined && !["listing", "more", "search", "paper"].includes(ONLY)) throw new Error(`--only takes listing, more, search or paper, not ${ONLY}`);
/** As `npm start` runs the web server: behind the page cache, PAGE_CACHE_SECONDS (10) unless given; 0: `next start` alone. */
const PAGE_CACHE_SECONDS = args["page-cache-seconds"] ?? process.env.PAGE_CACHE_SECONDS ?? "10";
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION_S = Number(args.seconds ?? process.env.BENCH_DURATION ?? 60);
const MODEL_DIR = path.resolve(ROOT, args["model-dir"] ?? "tests/fixtures/models/all-MiniLM-L6-v2");
const PAPERS = Number(process.env.BENCH_PAPERS ?? 3000);
const DAYS = ["2025-04-22", "2025-04-23", "2025-04-24", "2025-04-25", "2025-04-28"];
const CATEGORIES = ["cs.CL", "cs.LG", "stat.ML"];
const CRAWL_PAGE = 50;
const CRAWL_PAGES = 200; // more than the load lasts at one page per 400 ms: the crawl runs throughout
const SEARCHES = ["quantum", "entanglement", "bayesian inference", '"neural network"', "sampling -quantum", "regression", "graph", "optimal transport"];

/** Realistic entries: the real RSS fixtures' papers, repeated with distinct ids. */
function entries(count: number, idPrefix: string): ParsedEntry[] {
  const base = ["quant-ph_2025-04-28.xml", "stat_2024-03-26.xml"].flatMap(
    (f) => parseRss(readFileSync(path.join(ROOT, "tests/fixtures/arxiv/rss", f), "utf8")).entries,
  );
  return Array.from({ length: count }, (_, i) => {
    const e = base[i % base.length]!;
    const category = CATEGORIES[i % CATEGORIES.length]!;
    return { ...e, id: `${idPrefix}.${String(10000 + i).padStart(5, "0")}`, categories: [category, ...e.categories], primaryCategory: category };
  });
}

const escapeXml = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** arXiv API stand-in: `pages` pages of Atom results built from the fixtures' text. */
function startArxivStandIn(pages: number): Promise<{ url: string; requests: () => number; close: () => void }> {
  const pool = entries(pages * CRAWL_PAGE, "2505");
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    const url = new URL(req.url ?? "/", "http://x");
    const start = Number(url.searchParams.get("start") ?? 0);
    const items = pool.slice(start, start + CRAWL_PAGE).map(
      (e) => `<entry><id>http://arxiv.org/abs/${e.id}v1</id><title>${escapeXml(e.title)}</title><updated>2025-05-02T12:00:00Z</updated>
<summary>${escapeXml(e.abstract)}</summary><category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/><published>2025-05-02T12:00:00Z</published>
<arxiv:primary_category term="cs.LG"/>${e.authors.map((a) => `<author><name>${escapeXml(a)}</name></author>`).join("")}</entry>`,
    );
    res.writeHead(200, { "content-type": "application/atom+xml" });
    res.end(`<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
<id>https://arxiv.org/api/bench</id><title>bench</title><updated>2025-05-02T12:00:00Z</updated>
<opensearch:itemsPerPage>${CRAWL_PAGE}</opensearch:itemsPerPage><opensearch:totalResults>${pool.length}</opensearch:totalResults><opensearch:startIndex>${start}</opensearch:startIndex>
${items.join("\n")}
</feed>`);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, requests: () => requests, close: () => server.close() });
    }),
  );
}

async function startPrivateRedis(): Promise<{ url: string; stop: () => void } | undefined> {
  if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status !== 0) return undefined;
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "bench-load-redis-"));
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir", dir], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 500));
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => {
      child.kill("SIGTERM");
      setTimeout(() => rmSync(dir, { recursive: true, force: true }), 500);
    },
  };
}

async function main() {
  if (!(SIGNED_IN >= 0 && SIGNED_IN <= CONNECTIONS)) throw new Error(`--signed-in takes 0 to ${CONNECTIONS} readers, not ${args["signed-in"]}`);
  if (!(DURATION_S > 0)) throw new Error(`--seconds must be a positive number, not ${args.seconds ?? process.env.BENCH_DURATION}`);
  const model = locateModel(MODEL_DIR);
  if (!model.ok) throw new Error(model.message);
  const modelName = args["model-dir"] ? path.relative(ROOT, model.onnxFile) : `${path.relative(ROOT, model.onnxFile)} (the small test model; --model-dir for a full-size one)`;
  const scratch = await createScratchDatabase("bench_load");
  const databaseUrl = scratch.url;
  process.env.DATABASE_URL = databaseUrl;
  // The web server and this process sign sessions with one secret (signed-in readers' sessions are made here).
  process.env.AUTH_SECRET = randomBytes(32).toString("hex");
  let web: BenchServer | undefined;
  let worker: ChildProcess | undefined;
  const redis = await startPrivateRedis();
  const arxiv = await startArxivStandIn(CRAWL_PAGES);
  try {
    await applyMigrations(databaseUrl);
    const { upsertEntries } = await import("../lib/queries/papers");
    const stored = entries(PAPERS, "2504");
    const perDay = Math.ceil(stored.length / DAYS.length);
    for (const [i, day] of DAYS.entries()) {
      const slice = stored.slice(i * perDay, (i + 1) * perDay);
      for (const category of CATEGORIES) {
        await upsertEntries(slice.filter((e) => e.primaryCategory === category), { categories: [category], date: day });
      }
    }
    const ids = stored.map((e) => e.id);

    const queueEnv: Record<string, string> = { ...(redis ? { REDIS_URL: redis.url } : { QUEUE_PG_SCHEMA: "bullmq" }), EMBEDDING_MODEL_DIR: MODEL_DIR };
    web = startNextServer({ DATABASE_URL: databaseUrl, ...queueEnv, PAGE_CACHE_SECONDS, AUTH_SECRET: process.env.AUTH_SECRET }, "inherit", { front: Number(PAGE_CACHE_SECONDS) > 0 });
    const base = web.base;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/list/cs.CL?date=${DAYS[0]}`)).ok) break;
      } catch {
        if (i > 150) throw new Error("next start did not come up");
      }
      await new Promise((r) => setTimeout(r, 200));
    }

    const sessions = (await signedInReaders(SIGNED_IN, ids)).map((r) => r.cookie);

    // The worker, as docker-compose.yml runs it, and a crawl of CRAWL_PAGES API pages.
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", DATABASE_URL: databaseUrl, ...queueEnv, LOG_LEVEL: "warn", CRAWL_ON_FIRST_START: "false",
      ARXIV_API_URL: `${arxiv.url}/api/query`, ARXIV_API_PAGE_SIZE: String(CRAWL_PAGE), ARXIV_API_MIN_INTERVAL_MS: "400" };
    if (!redis) delete env.REDIS_URL;
    worker = spawn(process.execPath, ["--import", "tsx", "workers/index.ts"], { cwd: ROOT, env, stdio: ["ignore", "inherit", "inherit"] });
    const { createCrawlRun } = await import("../lib/queries/crawl-runs");
    const { enqueueCrawl, enqueueEmbedAll, QueueConnection } = await import("../lib/queue");
    const queue = new QueueConnection({ redisUrl: redis?.url, databaseUrl, pgSchema: "bullmq" });
    const run = await createCrawlRun({ trigger: "cli", source: "api", categories: ["cs.LG"], dateFrom: "2025-05-01", dateTo: "2025-05-31" });
    await enqueueCrawl(queue, run.id, { retryDelayMs: 1_000 });
    const sql = new pg.Client({ connectionString: databaseUrl });
    await sql.connect();
    const crawled = async () => (await sql.query(`SELECT count(*)::int AS n FROM papers WHERE id LIKE '2505.%'`)).rows[0].n as number;
    for (let i = 0; (await crawled()) === 0; i++) {
      if (i > 300) throw new Error("the crawl did not start within 60 s");
      await new Promise((r) => setTimeout(r, 200));
    }
    const crawledBefore = await crawled();
    // Vectors written (a re-embedded paper's row gets a new created_at) in a time window.
    const embeddedBetween = async (from: Date, to: Date) =>
      (await sql.query(`SELECT count(*)::int AS n FROM paper_embeddings WHERE created_at >= $1 AND created_at <= $2`, [from, to])).rows[0].n as number;

    // What a reader does: listings (first page and the cards loaded while scrolling), searches, papers.
    type Kind = "listing" | "more" | "search" | "paper";
    let n = 0;
    const nextRequest = (): { kind: Kind; path: string } => {
      n += 1;
      const day = DAYS[n % DAYS.length]!;
      const category = CATEGORIES[n % CATEGORIES.length]!;
      const slot = ONLY ? ONLY_SLOT[ONLY]! : n % 6;
      switch (slot) {
        case 0:
        case 1:
          return { kind: "listing", path: `/list/${category}?date=${day}` };
        case 2:
          return { kind: "more", path: `/list/${category}/cards?date=${day}&offset=25&limit=25` };
        case 3:
          return { kind: "search", path: `/search?q=${encodeURIComponent(SEARCHES[n % SEARCHES.length]!)}` };
        default:
          return { kind: "paper", path: `/papers/${ids[(n * 7919) % ids.length]}` };
      }
    };
    console.log(`embedding model: ${modelName}`);
    console.log(`web server: ${Number(PAGE_CACHE_SECONDS) > 0 ? `scripts/web.ts (next start × WEB_PROCESSES=${process.env.WEB_PROCESSES ?? "cores, at most 4"} behind the page cache, PAGE_CACHE_SECONDS=${PAGE_CACHE_SECONDS}, PAGE_CACHE_STALE_SECONDS=${process.env.PAGE_CACHE_STALE_SECONDS ?? "60 (default)"})` : "next start alone (PAGE_CACHE_SECONDS=0)"}; worker nice ${process.env.WORKER_NICE ?? "10 (default)"}`);
    if (ONLY) console.log(`only ${ONLY} requests (--only)`);
    console.log(`readers signed in: ${SIGNED_IN} of ${CONNECTIONS}${SIGNED_IN ? " (each with 20 starred papers; their pages are rendered for them, never kept)" : " (--signed-in N for some with sessions)"}`);
    console.log(`load: ${CONNECTIONS} readers for ${DURATION_S} s on ${PAPERS} papers (${DAYS.length} days × ${CATEGORIES.length} categories), crawl of ${CRAWL_PAGES}×${CRAWL_PAGE} entries and an embed run of every paper running …`);
    // The embed run: every paper stored so far re-embedded (the crawl's own "missing" jobs embed the new ones).
    const loadStart = new Date();
    const embedJob = await enqueueEmbedAll(queue, "all");
    const result = await readers(base, CONNECTIONS, DURATION_S * 1000, nextRequest, sessions);
    const loadEnd = new Date();
    const crawledAfter = await crawled();
    const embedState = await embedJob.getState();
    const embedProgress = (await queue.queue("embed").getJob(embedJob.id!))?.progress as { done?: number; total?: number } | undefined;
    const embeddedInWindow = await embeddedBetween(loadStart, loadEnd);
    const runState = (await sql.query(`SELECT status, counts FROM crawl_runs WHERE id = $1`, [run.id])).rows[0];
    await sql.end();
    await queue.close();

    const all = result.samples.map((x) => x.ms);
    const errors = result.samples.filter((x) => x.status === 0 || x.status >= 400).length;
    const statuses = new Map<string, number>();
    for (const x of result.samples) statuses.set(x.status ? String(x.status) : "network error", (statuses.get(x.status ? String(x.status) : "network error") ?? 0) + 1);
    const p99 = percentile(all, 99);
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}, Node ${process.version}, PostgreSQL at ${scratch.server.host}, queue ${redis ? "Redis (private)" : "PostgreSQL"}`);
    console.log(`requests: ${all.length} in ${(result.elapsedMs / 1000).toFixed(1)} s = ${(all.length / (result.elapsedMs / 1000)).toFixed(1)} req/s`);
    console.log(`latency ms (all): ${describe(all)}`);
    if (SIGNED_IN > 0) {
      for (const [who, signedIn] of [["signed out", false], ["signed in", true]] as const) {
        console.log(`latency ms (${who}): ${describe(result.samples.filter((x) => x.signedIn === signedIn).map((x) => x.ms))}`);
      }
    }
    for (const kind of ["listing", "more", "search", "paper"] as const) {
      const ms = result.samples.filter((x) => x.kind === kind).map((x) => x.ms);
      const share = (state: string) => (ms.length ? Math.round((100 * result.samples.filter((x) => x.kind === kind && x.cache === state).length) / ms.length) : 0);
      console.log(`  ${kind.padEnd(8)} ${String(ms.length).padStart(6)} requests: ${describe(ms)}   (from the page cache: ${share("hit")} % fresh, ${share("stale")} % stale)`);
    }
    console.log(`errors: ${errors} (statuses ${JSON.stringify(Object.fromEntries(statuses))}${result.firstError ? `; first: ${result.firstError}` : ""})`);
    console.log(`crawl during the load: ${crawledAfter - crawledBefore} papers stored (${crawledAfter} in all, ${arxiv.requests()} API pages served); run ${runState.status}`);
    console.log(
      `embed during the load: embed-all job ${embedState}, ${embedProgress?.done ?? 0} of ${embedProgress?.total ?? "?"} papers done; ` +
        `${embeddedInWindow} vectors written in all (this job and the crawl's embed jobs)`,
    );
    console.log(`target: 0 errors and p99 ≤ 500 ms → ${errors === 0 && p99 <= 500 ? "met" : "NOT met"}`);
  } finally {
    // The worker finishes its round in progress (an embed round, a page) before exiting; it needs
    // the queue store for that, so it goes before Redis does.
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker!.once("exit", resolve));
      worker.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (worker.exitCode === null) worker.kill("SIGKILL");
    }
    await web?.stop();
    redis?.stop();
    arxiv.close();
    await new Promise((r) => setTimeout(r, 1_000));
    await scratch.drop();
  }
}

/** Each bench reader's three topics, by their keywords (words of the fixtures' titles and abstracts). */
const TOPIC_KEYWORDS = [["quantum", "qubit"], ["language model", "translation"], ["graph", "network"]];

/**
 * `count` readers with accounts and sessions (made through the auth library in this process, as a
 * sign-up would make them, without going through the sign-up rate limit), each with 20 starred
 * papers and three topics (TOPIC_KEYWORDS); returns their Cookie headers and user ids.
 */
async function signedInReaders(count: number, ids: string[]): Promise<{ cookie: string; userId: string }[]> {
  if (count === 0) return [];
  const { getAuth } = await import("../lib/auth");
  const { db } = await import("../lib/db");
  const readers: { cookie: string; userId: string }[] = [];
  for (let i = 0; i < count; i++) {
    const { headers, response } = await getAuth().api.signUpEmail({
      body: { email: `reader${i}@bench.example`, password: "bench-password-1", name: `Reader ${i}` },
      returnHeaders: true,
    });
    const cookie = headers.getSetCookie().map((c) => c.split(";")[0]!).join("; ");
    if (!cookie.includes("session_token")) throw new Error("signing up a bench reader gave no session");
    await db().star.createMany({ data: ids.slice(i * 20, i * 20 + 20).map((paperId) => ({ userId: response.user.id, paperId })) });
    // And three topics, as a reader who ranks by topic has: their names are in the topic picker,
    // and every card gets an "Add to topic" menu.
    await db().topic.createMany({
      data: TOPIC_KEYWORDS.map((keywords, k) => ({ userId: response.user.id, name: `Reader ${i}'s topic ${k + 1}`, keywords })),
    });
    readers.push({ cookie, userId: response.user.id });
  }
  return readers;
}

interface Sample {
  kind: string;
  signedIn: boolean;
  status: number;
  ms: number;
  /** The page cache's word on it (x-page-cache), "none" without the cache. */
  cache: string;
}

/**
 * `connections` readers, each requesting one address after another on its own kept-alive
 * connection (a closed loop, as a person clicking through pages: the next request goes when the last
 * answer is read whole) until `durationMs` is over. Every answer is timed from the request to the
 * last byte of its body. Readers ask for gzip as browsers do, and read the compressed bytes without
 * unpacking them: a browser unpacks on its own machine, while this generator shares the server's
 * cores (unpacking with fetch cost it about half a core of the two).
 */
async function readers<K extends string>(base: string, connections: number, durationMs: number, next: () => { kind: K; path: string }, sessions: string[]) {
  const samples: Sample[] = [];
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + durationMs;
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const get = (address: string, cookie: string | undefined) =>
    new Promise<{ status: number; cache: string }>((resolve, reject) => {
      const headers: Record<string, string> = { "accept-encoding": "gzip", accept: "text/html", ...(cookie ? { cookie } : {}) };
      const request = httpGet(base + address, { agent, headers, timeout: 10_000 }, (response) => {
        response.on("data", () => {});
        response.on("end", () => resolve({ status: response.statusCode ?? 0, cache: String(response.headers["x-page-cache"] ?? "none") }));
        response.on("error", reject);
      });
      request.on("timeout", () => request.destroy(new Error("no answer within 10 s")));
      request.on("error", reject);
    });
  const reader = async (index: number) => {
    const cookie = sessions[index];
    while (performance.now() < end) {
      const { kind, path: address } = next();
      const t0 = performance.now();
      let status = 0;
      let cache = "none";
      try {
        ({ status, cache } = await get(address, cookie));
      } catch (error) {
        firstError ??= `${address}: ${error instanceof Error ? error.message : String(error)}`;
      }
      samples.push({ kind, signedIn: cookie !== undefined, status, ms: performance.now() - t0, cache });
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, index) => reader(index)));
  agent.destroy();
  return { samples, elapsedMs: performance.now() - start, firstError };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const describe = (ms: number[]) =>
  ms.length ? `p50 ${percentile(ms, 50).toFixed(0)}  p90 ${percentile(ms, 90).toFixed(0)}  p99 ${percentile(ms, 99).toFixed(0)}  max ${percentile(ms, 100).toFixed(0)}` : "none";

/**
 * `--readers`: what a signed-in reader's listing costs next to a signed-out one's, in one run on one
 * server. BENCH_CONNECTIONS readers (20 unless set) ask only for listing pages (5 days × 3
 * categories, round robin) for BENCH_DURATION seconds (15 unless set) per phase: signed out;
 * signed in, each reader with a session, stars and three topics of their own, served as the kept page with their
 * parts put in (PAGE_CACHE_READERS=true, the default); then the web server is restarted with
 * PAGE_CACHE_READERS=false and the signed-in phase runs again (each page rendered for its reader:
 * the way before). Also prints the bytes of one 25-card page and whether any card's text is in it twice.
 */
async function compareReaders() {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
  const seconds = Number(args.seconds ?? process.env.BENCH_DURATION ?? 15);
  const scratch = await createScratchDatabase("bench_readers");
  process.env.DATABASE_URL = scratch.url;
  process.env.AUTH_SECRET = randomBytes(32).toString("hex");
  let web: BenchServer | undefined;
  try {
    await applyMigrations(scratch.url);
    const { upsertEntries } = await import("../lib/queries/papers");
    const stored = entries(PAPERS, "2504");
    const perDay = Math.ceil(stored.length / DAYS.length);
    for (const [i, day] of DAYS.entries()) {
      const slice = stored.slice(i * perDay, (i + 1) * perDay);
      for (const category of CATEGORIES) await upsertEntries(slice.filter((e) => e.primaryCategory === category), { categories: [category], date: day });
    }
    // Each reader stars 20 papers of the listings asked for (every 3rd paper is of one category).
    const signedIn = await signedInReaders(connections, stored.filter((_, i) => i % 2 === 0).map((e) => e.id));
    const sessions = signedIn.map((r) => r.cookie);
    // The inbox keeps a visit's start in a cookie of its own, sent to /inbox only (app/inbox/visit.ts):
    // "first" is a reader's first visit, whose inbox is the latest announced day, on every request.
    const inboxSessions = signedIn.map((r) => `${r.cookie}; inbox-visit=${encodeURIComponent(`${r.userId}|first`)}`);
    const pages = DAYS.flatMap((day) => CATEGORIES.map((category) => `/list/${category}?date=${day}`));
    let n = 0;
    const next = () => ({ kind: "listing" as const, path: pages[n++ % pages.length]! });
    const start = async (readers: boolean) => {
      const server = startNextServer({ DATABASE_URL: scratch.url, QUEUE_PG_SCHEMA: "bullmq", AUTH_SECRET: process.env.AUTH_SECRET!, PAGE_CACHE_SECONDS, PAGE_CACHE_READERS: String(readers) }, "inherit", { front: true });
      for (let i = 0; ; i++) {
        try {
          if ((await fetch(`${server.base}${pages[0]}`)).ok) break;
        } catch {
          if (i > 150) throw new Error("the web server did not come up");
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      // Every page once, signed out and signed in, so that no phase starts on an empty page cache.
      for (const page of pages) for (const cookie of [undefined, sessions[0]]) await fetch(server.base + page, { headers: cookie ? { cookie } : {} });
      return server;
    };
    const rows: [string, Sample[], number][] = [];
    const phase = async (label: string, base: string, cookies: string[], pick: typeof next = next) => {
      const result = await readers(base, connections, seconds * 1000, pick, cookies);
      rows.push([label, result.samples, result.elapsedMs]);
    };
    web = await start(true);
    const anatomy = await pageAnatomy(web.base, pages[0]!, sessions[0]!);
    await phase("signed out", web.base, []);
    await phase("signed in (kept page + reader slots)", web.base, sessions);
    // The inbox ("/" of a reader with topics) is never kept: rendered for its reader every time.
    const inbox = await fetch(`${web.base}/inbox`, { headers: { cookie: inboxSessions[0]!, accept: "text/html" } });
    const inboxCards = ((await inbox.text()).match(/<article class="paper-card"/g) ?? []).length;
    await phase(`signed in, /inbox (3 topics, latest day: ${inboxCards} cards)`, web.base, inboxSessions, () => ({ kind: "listing" as const, path: "/inbox" }));
    await web.stop();
    web = await start(false);
    await phase("signed in, PAGE_CACHE_READERS=false (rendered per reader)", web.base, sessions);

    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}, Node ${process.version}, PostgreSQL at ${scratch.server.host}`);
    console.log(`web server: scripts/web.ts (next start × WEB_PROCESSES=${process.env.WEB_PROCESSES ?? "cores, at most 4"} behind the page cache, PAGE_CACHE_SECONDS=${PAGE_CACHE_SECONDS}); ${PAPERS} papers, ${pages.length} listing pages of 25 cards (${DAYS.length} days × ${CATEGORIES.length} categories)`);
    console.log(`load: ${connections} readers, listing pages (and /inbox in a phase of its own), ${seconds} s per phase, gzip asked for`);
    for (const [label, samples, elapsedMs] of rows) {
      const ms = samples.map((x) => x.ms);
      const errors = samples.filter((x) => x.status === 0 || x.status >= 400).length;
      const caches = [...new Set(samples.map((x) => x.cache))].map((c) => `${c} ${Math.round((100 * samples.filter((x) => x.cache === c).length) / samples.length)} %`).join(", ");
      console.log(`  ${label.padEnd(58)} ${(ms.length / (elapsedMs / 1000)).toFixed(0).padStart(5)} req/s  ${describe(ms)}  errors ${errors}  (${caches})`);
    }
    const out = percentile(rows[0]![1].map((x) => x.ms), 50);
    const inside = rows[1]![1].map((x) => x.ms);
    const p50 = percentile(inside, 50);
    const p99 = percentile(inside, 99);
    console.log(`target: signed-in p50 ≤ 2× signed-out p50 (${(2 * out).toFixed(1)} ms) and ≤ 50 ms: ${p50.toFixed(1)} ms → ${p50 <= 2 * out && p50 <= 50 ? "met" : "NOT met"}; p99 ≤ 200 ms: ${p99.toFixed(0)} ms → ${p99 <= 200 ? "met" : "NOT met"}`);
    console.log(`page (signed in: 20 stars, 3 topics; ${anatomy.cards} cards): ${(anatomy.bytes / 1024).toFixed(1)} KB (${(anatomy.gzipBytes / 1024).toFixed(1)} KB gzipped), of which the React payload ${(anatomy.payloadBytes / 1024).toFixed(1)} KB; cards whose abstract is in the page more than once: ${anatomy.twice} → target ≤ 80 KB and none twice: ${anatomy.bytes <= 80 * 1024 && anatomy.twice === 0 ? "met" : "NOT met"}`);
  } finally {
    await web?.stop();
    await new Promise((r) => setTimeout(r, 1_000));
    await scratch.drop();
  }
}

/** One page as a browser gets it (HTML asked for, not compressed): its size, its payload's, and the cards whose text it holds twice. */
async function pageAnatomy(base: string, page: string, cookie: string) {
  const response = await fetch(base + page, { headers: { accept: "text/html", cookie } });
  const html = await response.text();
  const payloadBytes = [...html.matchAll(/<script[^>]*>(self\.__next_f[\s\S]*?)<\/script>/g)].reduce((n, m) => n + Buffer.byteLength(m[1]!), 0);
  const abstracts = [...html.matchAll(/<p data-field="abstract">([\s\S]*?)<\/p>/g)].map((m) => m[1]!.slice(0, 60));
  // Looked for as the page has it, and as the payload would write it (JSON-escaped).
  const twice = abstracts.filter((a) => html.split(a).length - 1 > 1 || html.includes(JSON.stringify(a).slice(1, -1).replaceAll("<", "\\u003c"), html.indexOf(a) + a.length)).length;
  return { bytes: Buffer.byteLength(html), gzipBytes: gzipSync(html).length, payloadBytes, cards: abstracts.length, twice };
}

(READERS ? compareReaders() : main()).then(() => process.exit(0), (error) => {
  console.error(error);
  process.exit(1);
});
