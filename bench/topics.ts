// `npm run bench:topics`: the learned topic models over a library of 100,000 synthetic papers with
// 384-d vectors, generated text and their term vectors. Prints figures; asserts nothing.
//   train    training a topic from 50 labels (40 added, 10 not interested) + its text against 1,000
//            background papers (lib/relevance/train.ts trainTopic, what the worker's job runs), p50/max
//            of 5 runs, with and without embeddings
//   day      a day's listing of 2,000 papers ranked by the topic, p50/p99 over 100 runs on random
//            days: the scoring statement alone (lib/topics/blend.ts scoreSql, first 25 ids), beside
//            it the fixed blend the project used before (eval/baselines/fixed-blend.ts) in the same
//            statement, and the whole ranked page with its explanations (listScoredPapersForDay:
//            what a ranked listing page runs)
//   all      one listing holding all 100,000 papers ranked (the worst case: every paper scored), p50/p99 of 10
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
const PER_DAY = 2_000;
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
    // Vectors: 4,096 random directions (every component uniform in [-0.5, 0.5]), dealt out to the
    // papers in turn (drawing 38 M random components one by one takes minutes; the cost of scoring
    // does not depend on which vector a paper has).
    await db().$executeRawUnsafe(
      `WITH v AS MATERIALIZED (
         SELECT k, (SELECT array_agg(random() - 0.5 + 0 * g) FROM generate_series(1, 384 + 0 * k) g)::vector AS embedding
         FROM generate_series(0, 4095) k
       )
       INSERT INTO paper_embeddings (paper_id, version, model, embedding)
       SELECT p.id, 1, 'synthetic', v.embedding
       FROM (SELECT id, (row_number() OVER (ORDER BY id)) % 4096 AS k FROM papers) p JOIN v ON v.k = p.k`,
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

    // Term vectors, as the crawler stores them for listed papers.
    t = performance.now();
    const { storePaperFeatures } = await import("../lib/queries/relevance");
    for (let after = ""; ; ) {
      const chunk = await db().$queryRawUnsafe<{ id: string; version: number; title: string; abstract: string }[]>(
        `SELECT id, latest_version AS version, title, abstract FROM papers WHERE id > $1 ORDER BY id LIMIT 2000`,
        after,
      );
      if (!chunk.length) break;
      await storePaperFeatures(chunk);
      after = chunk.at(-1)!.id;
    }
    console.log(`stored ${PAPERS.toLocaleString("en")} term vectors in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await db().$executeRawUnsafe(`ANALYZE`);

    const { createTopic, labelPaper, listScoredPapersForDay } = await import("../lib/queries/topics");
    const { trainTopic } = await import("../lib/relevance/train");
    const { parseListingSpec } = await import("../lib/arxiv/categories");
    await db().user.create({ data: { id: "bench-reader", name: "Bench", email: "bench@example.org" } });
    const description = Float32Array.from({ length: 384 }, () => Math.random() - 0.5);
    const labelled = await db().$queryRawUnsafe<{ id: string }[]>(`SELECT id FROM papers ORDER BY random() LIMIT 50`);
    const { id: topicId } = await createTopic(
      "bench-reader",
      { name: "Bench topic", description: "Sparse attention for long context retrieval.", keywords: ["sparse attention", "retrieval", "tokenizer", "memory", "context window"] },
      labelled.slice(0, 40).map((r) => r.id),
      { vector: description, model: "synthetic" },
    );
    for (const r of labelled.slice(40)) await labelPaper("bench-reader", topicId, r.id, "negative");

    for (const embedder of [null, { modelId: "synthetic" }]) {
      const times: number[] = [];
      for (let r = 0; r < 5; r++) {
        const start = performance.now();
        const result = await trainTopic(topicId, { embedder });
        times.push(performance.now() - start);
        if (!result.trained) throw new Error(`training failed: ${result.reason}`);
      }
      console.log(
        `train    50 labels + text vs 1,000 background, ${embedder ? "terms + 384-d embeddings" : "terms only"}: ` +
          `p50 ${ms(pct(times, 50))}, max ${ms(Math.max(...times))} (5 runs)`,
      );
    }

    const dayOf = (k: number) => new Date(Date.UTC(2025, 0, 1 + k)).toISOString().slice(0, 10);
    const lg = parseListingSpec("cs.LG");
    // Warm-up: connections, plans, caches.
    for (let k = 0; k < 5; k++) await listScoredPapersForDay("bench-reader", topicId, lg, dayOf(k), { limit: 25 });

    const { fixedBlendSql } = await import("../eval/baselines/fixed-blend");
    const { scoreSql } = await import("../lib/topics/blend");
    const { params: listingCte } = await import("../lib/queries/listings");
    // The scoring statement alone, for either scorer: the whole day scored, the first 25 ids.
    const statement = (scorer: (candidates: string, topic: string, user: string) => string, order: string) => async (d: string) => {
      const { sql, args: cteArgs } = listingCte(lg, d);
      return db().$queryRawUnsafe<{ paper_id: string }[]>(
        `${sql}, candidates AS (SELECT kept.paper_id FROM kept), ${scorer("candidates", "$4", "$5")}
         SELECT s.paper_id FROM scored s ORDER BY ${order} LIMIT 25`,
        ...cteArgs,
        topicId,
        "bench-reader",
      );
    };
    const learnedStatement = statement(scoreSql, "s.score DESC, s.margin DESC NULLS LAST, s.paper_id");
    const blendStatement = statement(fixedBlendSql, "s.score DESC, s.paper_id");
    for (let k = 0; k < 5; k++) await blendStatement(dayOf(k));
    for (let k = 0; k < 5; k++) await learnedStatement(dayOf(k));
    const day: number[] = [];
    const learned: number[] = [];
    const blend: number[] = [];
    let checked = 0;
    const timed = async <T,>(into: number[], run: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      const result = await run();
      into.push(performance.now() - start);
      return result;
    };
    for (let r = 0; r < RUNS; r++) {
      const d = dayOf(Math.floor(Math.random() * DAYS));
      const page = await timed(day, () => listScoredPapersForDay("bench-reader", topicId, lg, d, { limit: 25 }));
      checked += page.total;
      if (page.papers.length !== 25) throw new Error(`expected a page of 25 on ${d}, got ${page.papers.length}`);
      if ((await timed(learned, () => learnedStatement(d))).length !== 25) throw new Error(`expected 25 scored on ${d}`);
      if ((await timed(blend, () => blendStatement(d))).length !== 25) throw new Error(`expected a fixed-blend page of 25 on ${d}`);
    }
    const line = (xs: number[]) => `p50 ${ms(pct(xs, 50))}, p99 ${ms(pct(xs, 99))}, min ${ms(Math.min(...xs))}`;
    console.log(`day      ${PER_DAY} papers scored, first 25 (${RUNS} runs each on random days, ${Math.round(checked / RUNS)} papers per run):`);
    console.log(`           scoring statement, learned model:        ${line(learned)}`);
    console.log(`           scoring statement, fixed blend (before): ${line(blend)}`);
    console.log(`           ranked page with explanations (listScoredPapersForDay): ${line(day)}`);

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
