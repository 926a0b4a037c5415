// `npm run bench:import [-- --lines 200000] [--batch N] [--connections N] [--embedded] [--only copy|upsert] [--json]`:
// the Kaggle snapshot import (lib/import/kaggle.ts) on a synthetic snapshot, the earlier path
// (upsertEntries, "upsert") beside the COPY path ("copy"), same file, same machine, same run: lines/s
// into empty tables and for the same file again (all unchanged), their ratio, and what the full
// 2.9 M-line snapshot would take at those rates. Then what bounds the COPY path: the parser alone,
// and PostgreSQL's search document alone. Prints figures, asserts none. See bench/README.md.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseKaggleLine } from "../lib/arxiv/parse-kaggle";
import { db, disconnectDb, useDatabaseUrl } from "../lib/db";
import { CopyBatchBuilder } from "../lib/import/copy-writer";
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONNECTIONS,
  importKaggle,
  UPSERT_BATCH_SIZE,
  type ImportCounts,
  type ImportWriter,
} from "../lib/import/kaggle";
import { applyMigrations } from "../lib/migrate";
import { writeSyntheticSnapshot } from "./kaggle-snapshot";
import { benchDatabase, loadLine, machineLine } from "./support";

/** Lines of the full Kaggle snapshot (arxiv-metadata-oai-snapshot.json, 2025). */
const FULL_SNAPSHOT_LINES = 2_900_000;

const { values: args } = parseArgs({
  options: {
    lines: { type: "string", default: "200000" },
    batch: { type: "string" },
    "upsert-batch": { type: "string" },
    connections: { type: "string" },
    embedded: { type: "boolean", default: false },
    only: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const LINES = Number(args.lines);
const COPY_BATCH = args.batch === undefined ? DEFAULT_BATCH_SIZE : Number(args.batch);
const UPSERT_BATCH = args["upsert-batch"] === undefined ? UPSERT_BATCH_SIZE : Number(args["upsert-batch"]);
const CONNECTIONS = args.connections === undefined ? DEFAULT_CONNECTIONS : Number(args.connections);
for (const [name, n] of [["--lines", LINES], ["--batch", COPY_BATCH], ["--upsert-batch", UPSERT_BATCH], ["--connections", CONNECTIONS]] as const) {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} takes a whole number, 1 or more (got ${n})`);
}
if (args.only !== undefined && args.only !== "copy" && args.only !== "upsert") {
  throw new Error(`--only takes "copy" or "upsert" (got "${args.only}")`);
}
const WRITERS: ImportWriter[] = args.only ? [args.only as ImportWriter] : ["upsert", "copy"];

// With --json the figures go to stdout as one object at the end; the running commentary to stderr.
const say = (line = "") => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function duration(seconds: number): string {
  if (seconds < 90) return `${seconds.toFixed(0)} s`;
  const m = Math.round(seconds / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

interface Run {
  seconds: number;
  /** Batches written at once (1 on the embedded database, whatever was asked). */
  connections: number;
  linesPerSecond: number;
  counts: ImportCounts;
  badLines: number;
}

interface WriterFigures {
  writer: ImportWriter;
  batchSize: number;
  /** Batches written at once. */
  connections: number;
  /** Into empty tables: every line a new paper. */
  empty: Run;
  /** The same file again: every line unchanged. */
  again: Run;
  /** Seconds for FULL_SNAPSHOT_LINES at the `empty` rate (a first import). */
  fullSnapshotSeconds: number;
}

async function timedImport(file: string, writer: ImportWriter, batchSize: number, connections: number): Promise<Run> {
  const r = await importKaggle({ file, writer, batchSize, connections, restart: true });
  const seconds = r.elapsedMs / 1000;
  return { seconds, connections: r.connections, linesPerSecond: r.linesThisRun / seconds, counts: r.counts, badLines: r.badLines };
}

/** The parser and the COPY encoding alone, on one core: the most the JavaScript side can feed. */
async function parserCeiling(file: string, batchSize: number): Promise<number> {
  const lines = (await readFile(file, "utf8")).split("\n").filter((l) => l !== "");
  const sample = lines.slice(0, Math.min(lines.length, 50_000));
  const started = performance.now();
  let builder = new CopyBatchBuilder();
  sample.forEach((line, i) => {
    builder.add(parseKaggleLine(line), i + 1);
    if (builder.size >= batchSize) {
      builder.build();
      builder = new CopyBatchBuilder();
    }
  });
  return sample.length / ((performance.now() - started) / 1000);
}

/** PostgreSQL computing papers.search_vector's expression alone, rows/s, over the stored papers. */
async function searchDocumentCeiling(): Promise<number> {
  const started = performance.now();
  const [row] = await db().$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(paper_search_document(title, abstract, authors))::int AS n FROM (SELECT * FROM papers LIMIT 20000 OFFSET 0) p`,
  );
  return (row?.n ?? 0) / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const machine = machineLine();
  say(machine);
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-import-"));
  const file = path.join(dir, "snapshot.jsonl");
  const scratch = await benchDatabase("papers_bench", { embedded: args.embedded });
  say(`database: ${scratch.description}`);
  const figures: WriterFigures[] = [];
  let ceilings: { parserLinesPerSecond: number; searchDocumentRowsPerSecond: number } | undefined;
  try {
    const bytes = await writeSyntheticSnapshot(file, LINES);
    say(
      `file: ${fmt(LINES)} synthetic lines, ${(bytes / 2 ** 20).toFixed(0)} MiB (${fmt(bytes / LINES)} bytes a line): ` +
        `the 200 real lines of tests/fixtures/arxiv/kaggle/ repeated with new ids`,
    );
    await applyMigrations(scratch.url);
    useDatabaseUrl(scratch.url);

    for (const writer of WRITERS) {
      const batchSize = writer === "copy" ? COPY_BATCH : UPSERT_BATCH;
      const connections = writer === "copy" ? CONNECTIONS : 1;
      // Both writers start from the same empty tables.
      await db().$executeRawUnsafe(`TRUNCATE papers CASCADE`);
      say();
      say(`${writer} writer, ${fmt(batchSize)} lines a batch; ${loadLine()}`);
      const empty = await timedImport(file, writer, batchSize, connections);
      say(`  ${empty.connections} batch${empty.connections === 1 ? "" : "es"} at a time${empty.connections < connections ? ` (${connections} asked: the embedded database runs one transaction at a time)` : ""}`);
      say(`  into empty tables  ${empty.seconds.toFixed(1).padStart(6)} s  ${fmt(empty.linesPerSecond).padStart(7)} lines/s  ` +
        `[${fmt(empty.counts.newPapers)} new, ${empty.badLines} bad]`);
      const again = await timedImport(file, writer, batchSize, connections);
      say(`  same file again    ${again.seconds.toFixed(1).padStart(6)} s  ${fmt(again.linesPerSecond).padStart(7)} lines/s  ` +
        `[${fmt(again.counts.unchanged)} unchanged, ${fmt(again.counts.newPapers + again.counts.newVersions + again.counts.updated)} written]`);
      figures.push({ writer, batchSize, connections: empty.connections, empty, again, fullSnapshotSeconds: FULL_SNAPSHOT_LINES / empty.linesPerSecond });
    }

    if (WRITERS.includes("copy")) {
      ceilings = { parserLinesPerSecond: await parserCeiling(file, COPY_BATCH), searchDocumentRowsPerSecond: await searchDocumentCeiling() };
    }
  } finally {
    await disconnectDb();
    await scratch.drop();
    await rm(dir, { recursive: true, force: true });
  }

  const upsert = figures.find((f) => f.writer === "upsert");
  const copy = figures.find((f) => f.writer === "copy");
  say();
  say(`${"".padEnd(28)}${"upsert (old)".padStart(16)}${"copy (new)".padStart(16)}${"copy / upsert".padStart(16)}`);
  const row = (label: string, a: number | undefined, b: number | undefined, unit: (n: number) => string, ratio: boolean) =>
    say(
      `${label.padEnd(28)}${(a === undefined ? "–" : unit(a)).padStart(16)}${(b === undefined ? "–" : unit(b)).padStart(16)}` +
        `${(ratio && a !== undefined && b !== undefined ? `${(b / a).toFixed(1)}×` : "").padStart(16)}`,
    );
  row("lines/s, into empty tables", upsert?.empty.linesPerSecond, copy?.empty.linesPerSecond, fmt, true);
  row("lines/s, same file again", upsert?.again.linesPerSecond, copy?.again.linesPerSecond, fmt, true);
  row(`full snapshot (${(FULL_SNAPSHOT_LINES / 1e6).toFixed(1)} M lines)`, upsert?.fullSnapshotSeconds, copy?.fullSnapshotSeconds, duration, false);
  row(`  again, all unchanged`, upsert && FULL_SNAPSHOT_LINES / upsert.again.linesPerSecond, copy && FULL_SNAPSHOT_LINES / copy.again.linesPerSecond, duration, false);
  if (ceilings) {
    say();
    say(`bounds of the copy path: parsing + COPY encoding alone ${fmt(ceilings.parserLinesPerSecond)} lines/s (one core); ` +
      `PostgreSQL's search document (papers.search_vector) alone ${fmt(ceilings.searchDocumentRowsPerSecond)} rows/s`);
  }
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ machine, database: scratch.description, lines: LINES, fullSnapshotLines: FULL_SNAPSHOT_LINES, writers: figures, ceilings }, null, 2)}\n`,
    );
  }
}

await main();
