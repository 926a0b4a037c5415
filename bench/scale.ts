// `npm run bench:scale`: what the tables cost at arXiv's scale. Loads N synthetic papers (default
// 1,000,000; SCALE_ROWS to change) with realistic text (the real RSS fixtures' titles, abstracts
// and authors, cycled with distinct ids), one version each and 1.6 listing rows per paper (arXiv's
// ratio of listings to papers with cross-lists), into a scratch database; then prints the time to
// load, the size of every table and index (heap, TOAST, each index), and the time of the queries a
// page runs at that size: one day's listing, a full-text search, a paper by id.
//
// Embeddings are not loaded here (see docs/reliability.md for their size, reasoned from the column
// type). Database: a scratch database on the server of DATABASE_URL, dropped at the end.
import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import path from "node:path";
import pg from "pg";
import { parseRss } from "../lib/arxiv/parse-rss";
import { ROOT } from "../lib/build";
import { applyMigrations } from "../lib/migrate";
import { createScratchDatabase } from "./support";

const ROWS = Number(process.env.SCALE_ROWS ?? 1_000_000);
const BATCH = 100_000;
const DAYS = 1_000; // ~ four years of weekday announcements
const CATEGORIES = ["cs.AI", "cs.CL", "cs.LG", "cs.CV", "math.PR", "quant-ph", "stat.ML", "hep-th", "astro-ph.GA", "cond-mat.str-el"];

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const scratch = await createScratchDatabase("bench_scale");
  const sql = new pg.Client({ connectionString: scratch.url });
  try {
    await applyMigrations(scratch.url);
    await sql.connect();
    const base = ["quant-ph_2025-04-28.xml", "stat_2024-03-26.xml"].flatMap(
      (f) => parseRss(readFileSync(path.join(ROOT, "tests/fixtures/arxiv/rss", f), "utf8")).entries,
    );
    await sql.query(`CREATE TEMP TABLE base (i int PRIMARY KEY, title text, abstract text, authors text[])`);
    for (const [i, e] of base.entries()) await sql.query(`INSERT INTO base VALUES ($1, $2, $3, $4)`, [i, e.title, e.abstract, e.authors]);
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}, PostgreSQL at ${scratch.server.host}`);
    console.log(`loading ${ROWS.toLocaleString("en")} papers (texts cycled from ${base.length} real entries) in batches of ${BATCH.toLocaleString("en")} …`);

    const started = performance.now();
    for (let from = 0; from < ROWS; from += BATCH) {
      const to = Math.min(ROWS, from + BATCH) - 1;
      const t = performance.now();
      // Ids: YYMM.NNNNN, 100,000 per month. Each paper is listed on its day in its primary category,
      // and 60 % also as a cross-list in the next category.
      await sql.query(
        `INSERT INTO papers (id, latest_version, title, abstract, authors, primary_category, categories, published_at, created_at, updated_at)
         SELECT to_char(1501 + (g / 100000) / 12 * 100 + (g / 100000) % 12, 'FM0000') || '.' || to_char(g % 100000, 'FM00000'),
                1, b.title || ' #' || g, b.abstract, b.authors, ($3::text[])[1 + (g / ${DAYS}) % 10],
                ARRAY[($3::text[])[1 + (g / ${DAYS}) % 10], ($3::text[])[1 + (g / ${DAYS} + 1) % 10]],
                timestamp '2022-01-03' + make_interval(days => (g % ${DAYS})), now(), now()
         FROM generate_series($1::int, $2::int) g JOIN base b ON b.i = g % ${base.length}`,
        [from, to, CATEGORIES],
      );
      await sql.query(
        `INSERT INTO paper_versions (paper_id, version, title, abstract, submitted_at)
         SELECT id, 1, title, abstract, published_at FROM papers
         WHERE id IN (SELECT to_char(1501 + (g / 100000) / 12 * 100 + (g / 100000) % 12, 'FM0000') || '.' || to_char(g % 100000, 'FM00000') FROM generate_series($1::int, $2::int) g)`,
        [from, to],
      );
      await sql.query(
        `INSERT INTO listings (category, date, paper_id, version, announce_type, position)
         SELECT c.category, (timestamp '2022-01-03' + make_interval(days => (g % ${DAYS})))::date, p.id, 1, c.kind::announce_type, g / ${DAYS}
         FROM generate_series($1::int, $2::int) g
         CROSS JOIN LATERAL (SELECT to_char(1501 + (g / 100000) / 12 * 100 + (g / 100000) % 12, 'FM0000') || '.' || to_char(g % 100000, 'FM00000') AS id) p
         CROSS JOIN LATERAL (VALUES (($3::text[])[1 + (g / ${DAYS}) % 10], 'new'), (($3::text[])[1 + (g / ${DAYS} + 1) % 10], 'cross')) AS c(category, kind)
         WHERE c.kind = 'new' OR g % 10 < 6`,
        [from, to, CATEGORIES],
      );
      console.log(`  ${(to + 1).toLocaleString("en")} papers: batch ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const loadS = (performance.now() - started) / 1000;
    await sql.query(`VACUUM ANALYZE papers, paper_versions, listings`);
    console.log(`load: ${loadS.toFixed(0)} s (${(ROWS / loadS).toFixed(0)} papers/s with versions, listings, search vectors and every index maintained)`);

    const sizes = await sql.query(`
      SELECT c.relname AS name, c.relkind AS kind, t.relname AS of_table,
             pg_relation_size(c.oid) AS main,
             CASE WHEN c.relkind = 'r' THEN coalesce(pg_total_relation_size(c.reltoastrelid), 0) ELSE 0 END AS toast,
             c.reltuples::bigint AS rows
      FROM pg_class c
      LEFT JOIN pg_index i ON i.indexrelid = c.oid
      LEFT JOIN pg_class t ON t.oid = coalesce(i.indrelid, c.oid)
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i')
        AND t.relname IN ('papers', 'paper_versions', 'listings')
      ORDER BY t.relname, c.relkind DESC, c.relname`);
    console.log("\nsize at this scale (heap + TOAST for tables; each index):");
    let total = 0;
    for (const r of sizes.rows) {
      const bytes = Number(r.main) + Number(r.toast);
      total += bytes;
      console.log(`  ${r.kind === "r" ? "table" : "  index"} ${r.name.padEnd(44)} ${mb(bytes).padStart(8)}${r.kind === "r" ? `  (${Number(r.rows).toLocaleString("en")} rows, TOAST ${mb(Number(r.toast))})` : ""}`);
    }
    console.log(`  total ${mb(total)}; per paper ${(total / ROWS).toFixed(0)} bytes; × 2.8 M papers ≈ ${mb((total / ROWS) * 2.8e6)}`);

    // The app's own query functions (lib/queries), at this size: median of 15 warm runs each.
    process.env.DATABASE_URL = scratch.url;
    // The listing functions keep their rows for LISTING_CACHE_SECONDS; 0 makes every run query.
    process.env.LISTING_CACHE_SECONDS = "0";
    const { listPapersForDay, countListing } = await import("../lib/queries/listings");
    const { searchPapers } = await import("../lib/queries/search");
    const { getPaper } = await import("../lib/queries/papers");
    const { parseListingSpec } = await import("../lib/arxiv/categories");
    const time = async (label: string, run: () => Promise<number>) => {
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < 15; i++) {
        const t = performance.now();
        rows = await run();
        times.push(performance.now() - t);
      }
      console.log(`  ${label.padEnd(60)} median ${median(times).toFixed(1)} ms (${rows} rows)`);
    };
    // A word in one base entry's title only (so in ~1/${base.length} of the papers), and the most common one.
    const words = new Map<string, number>();
    for (const e of base) for (const w of new Set(e.title.toLowerCase().match(/[a-z]{7,}/g) ?? [])) words.set(w, (words.get(w) ?? 0) + 1);
    const rare = [...words].find(([, n]) => n === 1)![0];
    const day = "2023-06-01";
    const spec = parseListingSpec("cs.CL");
    console.log("\nthe app's queries at this size:");
    await time(`listPapersForDay(cs.CL, ${day})`, async () => (await listPapersForDay(spec, day)).length);
    await time(`countListing(cs.CL, ${day})`, async () => Object.values(await countListing(spec, day)).reduce((a, b) => a + b, 0));
    await time(`searchPapers("${rare}") (~${Math.round(ROWS / base.length)} matches)`, async () => (await searchPapers(rare, { limit: 25 })).hits.length);
    await time(`searchPapers("quantum") (~40 % of papers match)`, async () => (await searchPapers("quantum", { limit: 25 })).hits.length);
    await time(`  the same through the word index (the planner's choice)`, async () => (await searchPapers("quantum", { limit: 25, strategy: "index" })).hits.length);
    await time(`searchPapers("quantum", from 2024-09-01)`, async () => (await searchPapers("quantum", { limit: 25, from: "2024-09-01" })).hits.length);
    await time("getPaper(1505.00042)", async () => ((await getPaper("1505.00042")) ? 1 : 0));
  } finally {
    await sql.end().catch(() => undefined);
    // SCALE_KEEP=1 leaves the database for a closer look (EXPLAIN ANALYZE); drop it yourself after.
    if (process.env.SCALE_KEEP === "1") console.log(`\nkept: ${scratch.url}`);
    else await scratch.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
