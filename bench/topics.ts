// `npm run bench:topics`: how long scoring a listing page for a topic takes (lib/queries/topics.ts,
// listScoredPapersForDay: the one statement a ranked listing page runs), over a library of 100,000
// synthetic papers with 384-d vectors and generated text. Prints figures; asserts nothing.
//   day      a day's listing of 1,000 papers (a big arXiv category-day), ranked, first page of 25,
//            p50/p99 over 100 runs on random days
//   all      one listing holding all 100,000 papers ranked (the worst case: every paper scored), p50/p99 of 10
// The topic: a description vector, 10 positive and 3 negative papers with vectors, 5 keywords.
// Options: --papers N (default 100000), --runs N (default 100), --keep (leave the scratch database
// for EXPLAIN; its address is printed).
//
// Database: a scratch database on the server of DATABASE_URL (default the local PostgreSQL), dropped
// afterwards. The data is made by PostgreSQL itself (generate_series), so loading takes seconds.
import os from "node:os";
import { parseArgs } from "node:util";
import { applyMigrations } from "../lib/migrate";
import { createScratchDatabase } from "./support";

const { values: args } = parseArgs({ options: { papers: { type: "string" }, runs: { type: "string" }, keep: { type: "boolean" } } });
const PAPERS = Number(args.papers ?? 100_000);
const RUNS = Number(args.runs ?? 100);
const PER_DAY = 1_000;
const DAYS = Math.max(1, Math.floor(PAPERS / PER_DAY));
const ALL_RUNS = 10;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

// Words the generated titles and abstracts are drawn from; the topic's keywords are among them.
const WORDS = (
  "attention sparse retrieval tokenizer transformer graph kernel protein diffusion language model vision " +
  "reinforcement policy gradient convex bound theorem quantum circuit qubit galaxy lensing spectra neural network " +
  "benchmark dataset survey robust adversarial federated privacy causal inference bayesian sampling markov chain " +
  "optimization stochastic descent generalization scaling law memory context window efficient hardware compiler " +
  "speech audio image segmentation detection tracking molecule chemistry material crystal energy fluid turbulence"
).split(" ");

async function main() {
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} CPUs, ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ` +
      `Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  );
  const scratch = await createScratchDatabase("bench_topics");
  process.env.DATABASE_URL = scratch.url;
  process.env.LOG_LEVEL ??= "warn";
  process.env.LISTING_CACHE_SECONDS = "0";
  const { db, disconnectDb } = await import("../lib/db");
  try {
    await applyMigrations(scratch.url);
    const server = await db().$queryRawUnsafe<{ v: string }[]>(`SELECT current_setting('server_version') AS v`);
    console.log(`database: PostgreSQL ${server[0]!.v} at ${scratch.server.host} (scratch database)`);

    let t = performance.now();
    // Papers: ids YYMM.NNNNN, a 6-word title and an 80-word abstract from WORDS, one category. (The
    // "0 * g" and "0 * i" terms tie each subquery to its row, so every row gets its own random draw.)
    await db().$executeRawUnsafe(
      `INSERT INTO papers (id, latest_version, title, abstract, authors, primary_category, categories, published_at, updated_at)
       SELECT to_char(2401 + i % 12, 'FM0000') || '.' || to_char(i / 12, 'FM00000'), 1,
         (SELECT string_agg(w[1 + floor(random() * array_length(w, 1))::int + 0 * g], ' ') FROM generate_series(1, 6 + 0 * i) g),
         (SELECT string_agg(w[1 + floor(random() * array_length(w, 1))::int + 0 * g], ' ') FROM generate_series(1, 80 + 0 * i) g),
         '{A. Bench}', 'cs.LG', '{cs.LG}', now(), now()
       FROM generate_series(0, $1 - 1) AS i, (SELECT $2::text[] AS w) words`,
      PAPERS,
      WORDS,
    );
    console.log(`loaded ${PAPERS.toLocaleString("en")} papers in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    // Vectors: random directions (every component uniform in [-0.5, 0.5]).
    await db().$executeRawUnsafe(
      `INSERT INTO paper_embeddings (paper_id, version, model, embedding)
       SELECT p.id, 1, 'synthetic', (SELECT array_agg(random() - 0.5 + 0 * g) FROM generate_series(1, 384 + 0 * length(p.id)) g)::vector
       FROM papers p`,
    );
    console.log(`made ${PAPERS.toLocaleString("en")} 384-d vectors in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    // Listings: DAYS days of PER_DAY papers, and one listing of everything (category cs.ALL-like: q-bio.OT).
    await db().$executeRawUnsafe(
      `INSERT INTO listings (category, date, paper_id, version, announce_type, position)
       SELECT 'cs.LG', date '2025-01-01' + (n % $1)::int, id, 1, 'new', (n / $1)::int
       FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM papers) x`,
      DAYS,
    );
    await db().$executeRawUnsafe(
      `INSERT INTO listings (category, date, paper_id, version, announce_type, position)
       SELECT 'q-bio.OT', date '2025-06-01', id, 1, 'new', (row_number() OVER (ORDER BY id))::int FROM papers`,
    );
    await db().$executeRawUnsafe(`ANALYZE`);

    const { createTopic, labelPaper, listScoredPapersForDay } = await import("../lib/queries/topics");
    const { parseListingSpec } = await import("../lib/arxiv/categories");
    await db().user.create({ data: { id: "bench-reader", name: "Bench", email: "bench@example.org" } });
    const description = Float32Array.from({ length: 384 }, () => Math.random() - 0.5);
    const labelled = await db().$queryRawUnsafe<{ id: string }[]>(`SELECT id FROM papers ORDER BY random() LIMIT 13`);
    const { id: topicId } = await createTopic(
      "bench-reader",
      { name: "Bench topic", description: "Sparse attention for long context retrieval.", keywords: ["sparse attention", "retrieval", "tokenizer", "memory", "context window"] },
      labelled.slice(0, 10).map((r) => r.id),
      { vector: description, model: "synthetic" },
    );
    for (const r of labelled.slice(10)) await labelPaper("bench-reader", topicId, r.id, "negative");

    const dayOf = (k: number) => new Date(Date.UTC(2025, 0, 1 + k)).toISOString().slice(0, 10);
    const lg = parseListingSpec("cs.LG");
    // Warm-up: connections, plans, caches.
    for (let k = 0; k < 5; k++) await listScoredPapersForDay("bench-reader", topicId, lg, dayOf(k), { limit: 25 });

    const day: number[] = [];
    let checked = 0;
    for (let r = 0; r < RUNS; r++) {
      const d = dayOf(Math.floor(Math.random() * DAYS));
      const start = performance.now();
      const page = await listScoredPapersForDay("bench-reader", topicId, lg, d, { limit: 25 });
      day.push(performance.now() - start);
      checked += page.total;
      if (page.papers.length !== 25) throw new Error(`expected a page of 25 on ${d}, got ${page.papers.length}`);
    }
    console.log(
      `day      ${PER_DAY} papers ranked, page of 25: p50 ${ms(pct(day, 50))}, p99 ${ms(pct(day, 99))}, min ${ms(Math.min(...day))} ` +
        `(${RUNS} runs, ${Math.round(checked / RUNS)} papers scored per run)`,
    );

    const all: number[] = [];
    const everything = parseListingSpec("q-bio.OT");
    for (let r = 0; r < ALL_RUNS; r++) {
      const start = performance.now();
      const page = await listScoredPapersForDay("bench-reader", topicId, everything, "2025-06-01", { limit: 25 });
      all.push(performance.now() - start);
      if (page.total !== PAPERS) throw new Error(`expected ${PAPERS} scored, got ${page.total}`);
    }
    console.log(`all      ${PAPERS.toLocaleString("en")} papers ranked, page of 25: p50 ${ms(pct(all, 50))}, p99 ${ms(pct(all, 99))} (${ALL_RUNS} runs)`);
  } finally {
    await disconnectDb();
    if (args.keep) console.log(`kept: ${scratch.url}`);
    else await scratch.drop();
  }
}

main().then(
  () => process.exit(0), // --keep leaves the scratch database's admin connection open
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
