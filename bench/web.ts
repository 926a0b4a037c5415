// `npm run bench:web`: a listing of 500 papers served by `next start` from PostgreSQL, loaded by
// autocannon at 20 concurrent connections. Prints latency percentiles, throughput, time to first
// byte against time to last byte (the page streams), and the bare SQL time for the same rows.
//
// Database: a scratch database created on the server of DATABASE_URL (default: the local
// PostgreSQL at 127.0.0.1:5432) and dropped afterwards. Run `npm run build` first if the build is stale.
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { parseListingSpec } from "../lib/arxiv/categories";
import { parseRss } from "../lib/arxiv/parse-rss";
import type { ParsedEntry } from "../lib/arxiv/types";
import { ROOT } from "../lib/build";
import { applyMigrations } from "../lib/migrate";
import { createScratchDatabase, startNextServer, type BenchServer } from "./support";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 20);
const PAPERS = 500;
const DATE = "2025-04-28";
const CATEGORY = "cs.CL";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** 500 realistic entries: the real RSS fixtures' papers, repeated with distinct ids. */
function entries(): ParsedEntry[] {
  const base = ["quant-ph_2025-04-28.xml", "stat_2024-03-26.xml"].flatMap(
    (f) => parseRss(readFileSync(path.join(ROOT, "tests/fixtures/arxiv/rss", f), "utf8")).entries,
  );
  return Array.from({ length: PAPERS }, (_, i) => {
    const e = base[i % base.length]!;
    return { ...e, id: `2504.${String(10000 + i).padStart(5, "0")}`, categories: [CATEGORY, ...e.categories], primaryCategory: i % 5 ? CATEGORY : e.primaryCategory };
  });
}

async function main() {
  const scratch = await createScratchDatabase("bench_web");
  const { server } = scratch;
  const databaseUrl = scratch.url;
  process.env.DATABASE_URL = databaseUrl;
  let web: BenchServer | undefined;
  try {
    await applyMigrations(databaseUrl);
    const { upsertEntries } = await import("../lib/queries/papers");
    await upsertEntries(entries(), { categories: [CATEGORY], date: DATE });

    // Bare SQL: the same three queries the page runs, straight from this process.
    const { countListing, listingDays, listPapersForDay } = await import("../lib/queries/listings");
    const spec = parseListingSpec(CATEGORY);
    const sqlTimes: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await Promise.all([listingDays(spec), countListing(spec, DATE), listPapersForDay(spec, DATE)]);
      sqlTimes.push(performance.now() - t);
    }

    web = startNextServer({ DATABASE_URL: databaseUrl });
    const { port } = web;
    const page = `http://127.0.0.1:${port}/list/${CATEGORY}?date=${DATE}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(page)).ok) break;
      } catch {
        if (i > 150) throw new Error("next start did not come up");
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const html = await (await fetch(page)).text();
    // The page carries the first cards; the rest load as the reader scrolls (the cards route).
    const cards = html.match(/<article class="paper-card"/g)?.length ?? 0;
    const total = Number(html.match(/All (\d+)/)?.[1]);
    if (total !== PAPERS || cards === 0) throw new Error(`the page lists ${total} papers with ${cards} cards, expected ${PAPERS}`);
    const rest = await (await fetch(`http://127.0.0.1:${port}/list/${CATEGORY}/cards?date=${DATE}&offset=${cards}&limit=${PAPERS}`)).text();
    const restCards = rest.match(/<article class="paper-card"/g)?.length ?? 0;
    if (cards + restCards !== PAPERS) throw new Error(`page + more = ${cards + restCards} cards, expected ${PAPERS}`);

    // Streaming: when the first bytes (and first papers) arrive versus the whole page.
    const firstByte: number[] = [];
    const lastByte: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const response = await fetch(page);
      const reader = response.body!.getReader();
      let first = true;
      for (;;) {
        const { done } = await reader.read();
        if (first) {
          firstByte.push(performance.now() - t);
          first = false;
        }
        if (done) break;
      }
      lastByte.push(performance.now() - t);
    }

    const result = await autocannon({ url: page, connections: CONNECTIONS, duration: DURATION_S });
    const more = await autocannon({ url: `http://127.0.0.1:${port}/list/${CATEGORY}/cards?date=${DATE}&offset=25&limit=25`, connections: CONNECTIONS, duration: Math.ceil(DURATION_S / 2) });
    const bytes = Buffer.byteLength(html);
    console.log(`\nbench:web — listing of ${PAPERS} papers: the page (${cards} cards, ${(bytes / 1024).toFixed(0)} KB of HTML) and its next-page fragments`);
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, PostgreSQL at ${server.host}`);
    console.log(`load: autocannon, ${CONNECTIONS} connections, ${DURATION_S} s`);
    console.log(`  requests: ${result.requests.total} (${result.requests.average.toFixed(1)} req/s), errors ${result.errors}, non-2xx ${result.non2xx}, timeouts ${result.timeouts}`);
    console.log(`  latency ms: p50 ${result.latency.p50}  p90 ${result.latency.p90}  p99 ${result.latency.p99}  max ${result.latency.max}`);
    console.log(`  target: p50 ≤ 100 ms, p99 ≤ 300 ms → ${result.latency.p50 <= 100 && result.latency.p99 <= 300 ? "met" : "NOT met"}`);
    console.log(`  next 25 cards (scrolling): ${more.requests.average.toFixed(1)} req/s, p50 ${more.latency.p50} ms, p99 ${more.latency.p99} ms, errors ${more.errors}`);
    console.log(`single request (no load), median of 20: first byte ${median(firstByte).toFixed(1)} ms, last byte ${median(lastByte).toFixed(1)} ms`);
    console.log(`bare SQL for the same rows (days + counts + 500 papers), median of 30: ${median(sqlTimes).toFixed(1)} ms`);
  } finally {
    await web?.stop();
    const { disconnectDb } = await import("../lib/db");
    await disconnectDb();
    await scratch.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
