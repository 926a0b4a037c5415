// `npm run eval:relevance -- --feed FILE [--feed FILE ...] [--seeds 5] [--draws 5] [--json]`
//
// How well a topic seeded with a few papers finds the rest of their category, for the project's
// ranker and for baselines, on the papers of arXiv feed files (RSS/RDF, Atom API answers, OAI-PMH
// ListRecords, Kaggle snapshot lines). The pool is stored in a scratch database through the app's
// own code (papers, their term vectors, their embeddings), and listed as one day of one listing.
// For every primary category with at least 30 papers in the pool, and each of --draws random draws,
// a topic is created with --seeds papers of that category (lib/queries/topics createTopic), trained
// by the same function the worker's train job runs (lib/relevance/train.ts trainTopic), and the
// listing is ranked by the same statement a ranked listing page runs (listScoredPapersForDay). The
// ranker sees titles and abstracts only (categories are hidden from it). The seeds are left out of
// the ranking; "relevant" = same primary category. Recorded: P@20 and nDCG@20, averaged over tasks.
//
// Methods (one JSON line each with --json, a table otherwise):
//   project               the learned model, no embedding model loaded
//   project+random-model  the learned model with the random-weight test model's vectors
//                         (tests/fixtures/models/all-MiniLM-L6-v2): they must not hurt
//   fixed-blend           the blend the project used before (eval/baselines/fixed-blend.ts), with the
//                         random-weight model's vectors (without a model it scores every paper 0)
//   arxiv-sanity          tf-idf (uni+bigrams, sublinear tf) + linear SVM (class_weight balanced,
//                         C = 0.01) trained on the pool, as arxiv-sanity-lite (eval/baselines/arxiv-sanity.ts)
//   random                a seeded random order
// Fixed seeds throughout: two runs print the same figures.
//
// Database: a scratch database on the PostgreSQL server of DATABASE_URL when it is set (dropped
// afterwards), else an in-memory embedded database.
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseListingSpec } from "../lib/arxiv/categories";
import { parseAtom } from "../lib/arxiv/parse-atom";
import { parseKaggleLine } from "../lib/arxiv/parse-kaggle";
import { parseOai } from "../lib/arxiv/parse-oai";
import { parseRss } from "../lib/arxiv/parse-rss";
import type { ParsedEntry } from "../lib/arxiv/types";
import { applyMigrations } from "../lib/migrate";
import { arxivSanityScores } from "./baselines/arxiv-sanity";
import { fixedBlendSql } from "./baselines/fixed-blend";
import { sample, seededRandom } from "../lib/relevance/random";

const { values: args } = parseArgs({
  options: {
    feed: { type: "string", multiple: true },
    seeds: { type: "string", default: "5" },
    draws: { type: "string", default: "5" },
    json: { type: "boolean", default: false },
    "min-category": { type: "string", default: "30" },
  },
});
const SEEDS = Number(args.seeds);
const DRAWS = Number(args.draws);
const MIN_CATEGORY = Number(args["min-category"]);
const K = 20;
if (!args.feed?.length || !(SEEDS >= 1) || !(DRAWS >= 1)) {
  console.error("Usage: npm run eval:relevance -- --feed FILE [--feed FILE ...] [--seeds 5] [--draws 5] [--json]");
  process.exit(2);
}

/** The entries of one feed file, whatever its format. */
function readFeed(file: string): ParsedEntry[] {
  const text = readFileSync(file, "utf8");
  if (file.endsWith(".jsonl")) {
    return text
      .split("\n")
      .filter((l) => l.trim())
      .flatMap((line) => {
        try {
          return [parseKaggleLine(line)];
        } catch {
          return [];
        }
      });
  }
  if (text.includes("<OAI-PMH")) return parseOai(text).entries;
  if (/<feed[\s>]/.test(text)) return parseAtom(text).entries;
  return parseRss(text).entries;
}

interface Task {
  category: string;
  draw: number;
  seeds: string[];
}

interface Tally {
  p: number;
  ndcg: number;
  tasks: number;
  ms: number[];
}

function score(tally: Tally, ranked: string[], task: Task, categoryOf: Map<string, string>, relevantTotal: number) {
  const seeds = new Set(task.seeds);
  const top = ranked.filter((id) => !seeds.has(id)).slice(0, K);
  const gains = top.map((id) => (categoryOf.get(id) === task.category ? 1 : 0));
  const dcg = gains.reduce<number>((s, g, i) => s + g / Math.log2(i + 2), 0);
  let idcg = 0;
  for (let i = 0; i < Math.min(K, relevantTotal); i++) idcg += 1 / Math.log2(i + 2);
  tally.p += gains.reduce<number>((a, b) => a + b, 0) / K;
  tally.ndcg += idcg ? dcg / idcg : 0;
  tally.tasks++;
}

async function main() {
  const pool = new Map<string, ParsedEntry>();
  for (const file of args.feed!) for (const e of readFeed(file)) if (!pool.has(e.id) || pool.get(e.id)!.version < e.version) pool.set(e.id, e);
  const entries = [...pool.values()];
  const categoryOf = new Map(entries.map((e) => [e.id, e.primaryCategory]));
  const byCategory = new Map<string, string[]>();
  for (const e of entries) byCategory.set(e.primaryCategory, [...(byCategory.get(e.primaryCategory) ?? []), e.id]);
  const categories = [...byCategory.entries()].filter(([, ids]) => ids.length >= MIN_CATEGORY).sort(([a], [b]) => a.localeCompare(b));
  const tasks: Task[] = categories.flatMap(([category, ids]) =>
    Array.from({ length: DRAWS }, (_, draw) => ({ category, draw, seeds: sample(ids, SEEDS, seededRandom(`${category}/${draw}`)) })),
  );
  const log = (s: string) => (args.json ? console.error(s) : console.log(s));
  const cpus = os.cpus();
  log(`machine: ${cpus.length} CPUs, ${cpus[0]?.model.trim() ?? "unknown CPU"}, Node ${process.version}`);
  log(
    `pool: ${entries.length} papers from ${args.feed!.length} feed file(s); ${categories.length} categories with ≥ ${MIN_CATEGORY} papers ` +
      `(${categories.map(([c, ids]) => `${c} ${ids.length}`).join(", ")}); ${tasks.length} tasks of ${SEEDS} seeds`,
  );

  // The scratch database.
  let url: string;
  let drop: () => Promise<void>;
  if (process.env.DATABASE_URL) {
    const { createScratchDatabase } = await import("../bench/support");
    const scratch = await createScratchDatabase("eval_relevance");
    url = scratch.url;
    drop = () => scratch.drop();
    log(`database: scratch database on ${scratch.server.host}`);
  } else {
    const { startEmbeddedPostgres } = await import("../lib/embedded-postgres");
    const embedded = await startEmbeddedPostgres({});
    url = embedded.url;
    drop = () => embedded.stop();
    log("database: embedded (in memory)");
  }
  process.env.DATABASE_URL = url;
  process.env.LOG_LEVEL ??= "warn";
  process.env.LISTING_CACHE_SECONDS = "0";
  const { db, disconnectDb } = await import("../lib/db");
  const { upsertEntries } = await import("../lib/queries/papers");
  const { storePaperFeatures } = await import("../lib/queries/relevance");
  const { createTopic, deleteTopic, listScoredPapersForDay } = await import("../lib/queries/topics");
  const { trainTopic } = await import("../lib/relevance/train");
  const { embedPapers } = await import("../lib/embed/embed-papers");
  const { loadOnnxEmbedder } = await import("../lib/embed/onnx-embedder");
  const { embedTopic } = await import("../lib/topics/embedding");
  const { params: listingCte } = await import("../lib/queries/listings");
  try {
    await applyMigrations(url);
    // The pool: stored as the crawler stores papers, with term vectors, listed as one day of one listing.
    await upsertEntries(entries);
    const rows = await db().$queryRawUnsafe<{ id: string; version: number; title: string; abstract: string }[]>(
      `SELECT id, latest_version AS version, title, abstract FROM papers`,
    );
    await storePaperFeatures(rows);
    const DAY = "2000-01-03";
    const LISTING = "cs.AI";
    await db().$executeRawUnsafe(
      `INSERT INTO listings (category, date, paper_id, version, announce_type, position)
       SELECT $1, $2::date, p.id, p.latest_version, 'new', row_number() OVER (ORDER BY p.id)::int FROM papers p`,
      LISTING,
      DAY,
    );
    const spec = parseListingSpec(LISTING);
    const user = await db().user.create({ data: { id: "eval-reader", name: "Eval", email: "eval@eval.test" } });

    // The random-weight test model, as the app loads a model.
    const modelDir = path.resolve(import.meta.dirname, "../tests/fixtures/models/all-MiniLM-L6-v2");
    const embedder = await loadOnnxEmbedder({ dir: modelDir, onnxFile: path.join(modelDir, "onnx/model_quantized.onnx"), threads: Math.max(1, cpus.length), batchSize: 32, maxTokens: 256 });
    await embedPapers(embedder);

    const tallies = new Map<string, Tally>();
    const tally = (method: string) => {
      let t = tallies.get(method);
      if (!t) tallies.set(method, (t = { p: 0, ndcg: 0, tasks: 0, ms: [] }));
      return t;
    };
    const docs = entries.map((e) => ({ id: e.id, title: e.title, abstract: e.abstract }));
    for (const [n, task] of tasks.entries()) {
      const relevantTotal = byCategory.get(task.category)!.length - task.seeds.length;
      for (const withModel of [false, true]) {
        const method = withModel ? "project+random-model" : "project";
        const topic = await createTopic(user.id, { name: "Eval", description: "", keywords: [] }, task.seeds, withModel ? await embedTopic("Eval", "", embedder) : null);
        const started = performance.now();
        // The background sample is seeded by the task (not the topic's random id): runs repeat exactly.
        const trained = await trainTopic(topic.id, { embedder: withModel ? embedder : null, seed: `${task.category}/${task.draw}` });
        const ms = performance.now() - started;
        if (!trained.trained) throw new Error(`training failed: ${trained.reason}`);
        const { papers } = await listScoredPapersForDay(user.id, topic.id, spec, DAY, { limit: entries.length });
        score(tally(method), papers.map((p) => p.id), task, categoryOf, relevantTotal);
        tally(method).ms.push(ms);
        if (withModel) {
          // The fixed blend over the same topic (description vector and positives of the random model).
          const { sql, args: cteArgs } = listingCte(spec, DAY);
          const scored = await db().$queryRawUnsafe<{ paper_id: string }[]>(
            `${sql}, candidates AS (SELECT kept.paper_id, kept.position FROM kept), ${fixedBlendSql("candidates", "$4", "$5")}
             SELECT s.paper_id FROM scored s JOIN kept ON kept.paper_id = s.paper_id ORDER BY s.score DESC, kept.position`,
            ...cteArgs,
            topic.id,
            user.id,
          );
          score(tally("fixed-blend"), scored.map((r) => r.paper_id), task, categoryOf, relevantTotal);
        }
        await deleteTopic(user.id, topic.id);
      }
      const svmStarted = performance.now();
      const svm = arxivSanityScores(docs, new Set(task.seeds), { seed: 1 });
      const svmMs = performance.now() - svmStarted;
      score(tally("arxiv-sanity"), docs.map((d, i) => ({ id: d.id, s: svm[i]! })).sort((a, b) => b.s - a.s).map((x) => x.id), task, categoryOf, relevantTotal);
      tally("arxiv-sanity").ms.push(svmMs);
      score(tally("random"), sample(docs.map((d) => d.id), Infinity, seededRandom(`random/${task.category}/${task.draw}`)), task, categoryOf, relevantTotal);
      if (!args.json && process.stdout.isTTY) process.stdout.write(`\r  task ${n + 1}/${tasks.length}`);
    }
    if (!args.json && process.stdout.isTTY) process.stdout.write("\r");

    const order = ["project", "project+random-model", "fixed-blend", "arxiv-sanity", "random"];
    const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : null);
    const results = order.map((method) => {
      const t = tally(method);
      const ms = median(t.ms);
      return { method, p_at_20: +(t.p / t.tasks).toFixed(4), ndcg_at_20: +(t.ndcg / t.tasks).toFixed(4), tasks: t.tasks, ...(ms === null ? {} : { train_ms_p50: +ms.toFixed(1) }) };
    });
    if (args.json) for (const r of results) console.log(JSON.stringify(r));
    else {
      console.log(`\n${"method".padEnd(22)} ${"P@20".padStart(7)} ${"nDCG@20".padStart(8)} ${"tasks".padStart(6)}  train p50`);
      for (const r of results) {
        console.log(`${r.method.padEnd(22)} ${r.p_at_20.toFixed(4).padStart(7)} ${r.ndcg_at_20.toFixed(4).padStart(8)} ${String(r.tasks).padStart(6)}  ${"train_ms_p50" in r ? `${r.train_ms_p50} ms` : ""}`);
      }
    }
  } finally {
    await disconnectDb();
    await drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
