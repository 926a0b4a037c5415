// `npm run bench:knn [-- --sizes 100000,1000000] [--queries 200] [--k 10] [--ef 40]`: nearest-neighbour
// latency over N stored 384-d vectors with the app's HNSW index (vector_cosine_ops, m = 16,
// ef_construction = 64, as in the paper_embeddings migration), in a scratch database on the server
// of DATABASE_URL. Vectors are synthetic: unit vectors scattered around 1,000 random centres (real
// embeddings cluster by topic; uniform random vectors would be an unrealistically hard case).
// Per size: insert time, index build time, query latency p50/p99 (client-side, one query at a time,
// the query `ORDER BY embedding <=> $1 LIMIT k`), and recall@k against an exact scan on a sample.
// Prints figures, asserts none. A size whose build runs past --max-build-minutes is reported as such.
import os from "node:os";
import { parseArgs } from "node:util";
import pg from "pg";
import { createScratchDatabase } from "./support";

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string", default: "100000,1000000" },
    queries: { type: "string", default: "200" },
    k: { type: "string", default: "10" },
    ef: { type: "string", default: "40" },
    "recall-sample": { type: "string", default: "30" },
    "max-build-minutes": { type: "string", default: "30" },
  },
});
const sizes = args.sizes.split(",").map(Number);
const queries = Number(args.queries);
const k = Number(args.k);
const ef = Number(args.ef);
const maxBuildMs = Number(args["max-build-minutes"]) * 60_000;
const DIM = 384;
const CENTRES = 1_000;

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function benchSize(sql: pg.Client, n: number): Promise<void> {
  await sql.query("DROP TABLE IF EXISTS bench_vectors");
  await sql.query(`CREATE TABLE bench_vectors (id int PRIMARY KEY, embedding vector(${DIM}) NOT NULL)`);
  // Centres as float4[] so each row can add noise per dimension; generated in the server.
  await sql.query("DROP TABLE IF EXISTS bench_centres");
  await sql.query(
    `CREATE TABLE bench_centres AS
       SELECT c AS id, ARRAY(SELECT (random() - 0.5)::float4 FROM generate_series(1, ${DIM}) d WHERE c > 0) AS v
         FROM generate_series(1, ${CENTRES}) c`,
  );
  let started = performance.now();
  const chunk = 50_000;
  for (let from = 1; from <= n; from += chunk) {
    const to = Math.min(n, from + chunk - 1);
    await sql.query(
      `INSERT INTO bench_vectors (id, embedding)
       SELECT i, l2_normalize(ARRAY(SELECT c.v[d] + (random() - 0.5) * 0.6 FROM generate_series(1, ${DIM}) d WHERE i > 0)::vector)
         FROM generate_series($1::int, $2::int) i JOIN bench_centres c ON c.id = 1 + (i % ${CENTRES})`,
      [from, to],
    );
    process.stderr.write(`\r  inserted ${to.toLocaleString("en")} of ${n.toLocaleString("en")}`);
  }
  process.stderr.write("\n");
  const insertS = (performance.now() - started) / 1000;

  started = performance.now();
  await sql.query("SET maintenance_work_mem = '2GB'");
  await sql.query(`SET statement_timeout = ${Math.round(maxBuildMs)}`);
  try {
    await sql.query("CREATE INDEX bench_vectors_hnsw ON bench_vectors USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)");
  } catch (error) {
    console.log(
      `${n.toLocaleString("en").padStart(10)}  insert ${insertS.toFixed(0)} s; HNSW build did not finish within ${args["max-build-minutes"]} min ` +
        `(${(error as Error).message}); no query figures for this size`,
    );
    await sql.query("SET statement_timeout = 0");
    return;
  }
  await sql.query("SET statement_timeout = 0");
  const buildS = (performance.now() - started) / 1000;
  await sql.query("ANALYZE bench_vectors");
  await sql.query(`SET hnsw.ef_search = ${ef}`);

  // Queries: near a centre, like a real query near a topic, but never a stored vector.
  const queryVectors = (
    await sql.query<{ q: string }>(
      `SELECT l2_normalize(ARRAY(SELECT c.v[d] + (random() - 0.5) * 0.6 FROM generate_series(1, ${DIM}) d WHERE g > 0)::vector)::text AS q
         FROM generate_series(1, $1::int) g JOIN bench_centres c ON c.id = 1 + ((g * 7919) % ${CENTRES})`,
      [queries],
    )
  ).rows.map((r) => r.q);
  const knn = `SELECT id FROM bench_vectors ORDER BY embedding <=> $1::vector LIMIT ${k}`;
  const plan = (await sql.query(`EXPLAIN ${knn}`, [queryVectors[0]])).rows.map((r) => r["QUERY PLAN"]).join(" ");
  if (!plan.includes("bench_vectors_hnsw")) throw new Error(`the query does not use the HNSW index: ${plan}`);
  for (const q of queryVectors.slice(0, 20)) await sql.query(knn, [q]); // warm-up
  const latencies: number[] = [];
  const approx: number[][] = [];
  for (const q of queryVectors) {
    const t = performance.now();
    const result = await sql.query<{ id: number }>(knn, [q]);
    latencies.push(performance.now() - t);
    approx.push(result.rows.map((r) => r.id));
  }

  // Recall against the exact answer (sequential scan) on a sample.
  const sample = Math.min(Number(args["recall-sample"]), queryVectors.length);
  await sql.query("BEGIN");
  await sql.query("SET LOCAL enable_indexscan = off");
  let hits = 0;
  for (let i = 0; i < sample; i++) {
    const exact = new Set((await sql.query<{ id: number }>(knn, [queryVectors[i]])).rows.map((r) => r.id));
    hits += approx[i]!.filter((id) => exact.has(id)).length;
  }
  await sql.query("COMMIT");
  const size = (await sql.query<{ s: string }>(`SELECT pg_size_pretty(pg_relation_size('bench_vectors_hnsw')) AS s`)).rows[0]!.s;
  console.log(
    `${n.toLocaleString("en").padStart(10)}  insert ${insertS.toFixed(0).padStart(4)} s  build ${buildS.toFixed(0).padStart(5)} s (${size})  ` +
      `k=${k} ef_search=${ef}: p50 ${percentile(latencies, 50).toFixed(2)} ms  p99 ${percentile(latencies, 99).toFixed(2)} ms  ` +
      `recall@${k} ${((hits / (sample * k)) * 100).toFixed(1)} % (${sample} queries)`,
  );
}

async function main(): Promise<void> {
  const scratch = await createScratchDatabase("papers_bench_knn");
  const sql = new pg.Client({ connectionString: scratch.url });
  await sql.connect();
  try {
    await sql.query("CREATE EXTENSION IF NOT EXISTS vector");
    const version = (await sql.query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'")).rows[0]!.v;
    const server = (await sql.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
    const cpus = os.cpus();
    console.log(
      `machine: ${cpus.length} × ${cpus[0]?.model ?? "?"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`,
    );
    console.log(`PostgreSQL ${server}, pgvector ${version}, scratch database on ${scratch.server.host}; ${queries} queries per size, one at a time`);
    for (const n of sizes) await benchSize(sql, n);
  } finally {
    await sql.end();
    await scratch.drop();
  }
}

await main();
