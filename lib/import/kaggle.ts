// Imports the Kaggle arXiv metadata snapshot (arxiv-metadata-oai-snapshot.json: JSON lines, ~2.9M
// lines / 4.5 GB) into papers + paper_versions, streaming, in batches, resumable. Owns the reading,
// batching, bad-line bookkeeping and the checkpoint in `settings`; the CLI (scripts/import-kaggle.ts)
// only draws progress, handles Ctrl+C and prints the summary. Batches are written with COPY
// (lib/import/copy-writer.ts) by default; the "upsert" writer is the earlier path through
// upsertEntries (lib/queries/papers.ts), kept so that `npm run bench:import` can time both.
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import path from "node:path";
import type { Sql } from "postgres";
import { z } from "zod";
import { parseKaggleLine } from "../arxiv/parse-kaggle";
import type { ParsedEntry } from "../arxiv/types";
import { db } from "../db";
import { upsertEntries } from "../queries/papers";
import { CopyBatchBuilder, oneTransactionAtATime, refusedRow, sliceBatch, writeCopyBatch, type CopyBatch } from "./copy-writer";
import { closeImportSql, importSql } from "./sql";

/**
 * How batches reach the database: "copy" (the default) sends them with COPY into a temporary
 * table and upserts from there in one statement, checkpoint in the same transaction; "upsert" is
 * the earlier path, upsertEntries with the rows as one JSON parameter, checkpoint after it.
 */
export type ImportWriter = "copy" | "upsert";

/**
 * Lines per batch with the COPY writer. Measured with 40,000 synthetic snapshot lines into a local
 * PostgreSQL 15 on 2 cores (`npm run bench:import -- --lines 40000 --only copy --batch N`, see
 * bench/README.md), runs interleaved: 2,000 to 20,000 lines a batch are level within the noise of
 * a shared machine (what a batch costs besides its rows, ~10–20 ms, is a few µs a line). 5,000
 * keeps what a Ctrl+C waits for, the batches being written, to a few seconds of new papers.
 */
export const DEFAULT_BATCH_SIZE = 5_000;
/** Up to `connections` + 1 batches are in memory (those being written, one being read), ~1.5 KB a
 *  line as COPY text each. */
export const MAX_BATCH_SIZE = 100_000;
/**
 * Batches the COPY writer writes at once, each on a connection of its own. A new paper costs
 * PostgreSQL ~250 µs of one core, most of it building its search document and index entries, so
 * more connections use more of the server's cores; batches still commit in file order (see
 * commitCopy). Measured on 2 cores (`npm run bench:import -- --only copy --connections N`): 2
 * connections stored new papers ~1.5× as fast as one; 4 were level with 2.
 */
export const DEFAULT_CONNECTIONS = 2;
export const MAX_CONNECTIONS = 8;
/**
 * Lines per batch with the upsert writer. Measured with 100k–200k synthetic snapshot lines into a
 * local PostgreSQL 15: before the search column, 250 and 500 lines/batch were 15–30% slower than
 * 1,000, and 1,000–10,000 were level; with the generated tsvector (migration add_search) 500–5,000
 * are level within noise.
 */
export const UPSERT_BATCH_SIZE = 1_000;
/** How many bad lines are kept with their reasons (all are counted). */
export const DEFAULT_MAX_BAD_LINE_SAMPLES = 20;
/** Bytes per read. Splitting lines costs ~1.3 µs a line either way (1 MiB or 64 KiB chunks, or
 *  node:readline, which gives no byte offsets); parsing and encoding them for COPY ~20 µs, writing
 *  them with COPY ~80 µs (a line already stored) to ~350 µs (a new paper: most of it PostgreSQL
 *  building its search document and index entries), measured by `npm run bench:import`. */
const READ_CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

export interface ImportCounts {
  /** Papers not stored before. */
  newPapers: number;
  /** Stored papers seen with a higher version. */
  newVersions: number;
  /** Stored papers whose text or metadata changed at the same version. */
  updated: number;
  /** Stored papers with nothing new. */
  unchanged: number;
}

export interface BadLine {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
}

export interface KaggleImportProgress {
  file: string;
  totalBytes: number;
  /** Bytes read and parsed so far (from the start of the file, earlier runs included). */
  bytesDone: number;
  /** Where this run started reading. */
  startOffset: number;
  /** Lines read so far, earlier runs included. */
  linesDone: number;
  /** Lines read in earlier runs (the checkpoint this run resumed from). */
  startLine: number;
  /** Lines stored (committed) so far, earlier runs included. */
  linesCommitted: number;
  elapsedMs: number;
}

/** What a committed batch left behind: the checkpoint as just written. */
export interface CommittedBatch {
  /** Byte offset of the first line not yet committed. */
  offset: number;
  /** Lines committed so far, earlier runs included (= number of the last committed line). */
  lines: number;
  /** Batches committed in this run. */
  batches: number;
  counts: ImportCounts;
  badLines: number;
}

export interface KaggleImportOptions {
  /** The snapshot file (JSON lines). */
  file: string;
  /** Default "copy". */
  writer?: ImportWriter;
  /** Lines per batch (a transaction, and a step of the checkpoint); default by writer. */
  batchSize?: number;
  /** Batches the COPY writer writes at once (default DEFAULT_CONNECTIONS); the upsert writer writes one. */
  connections?: number;
  /** Ignore (and delete) a checkpoint of an earlier run and start at the first line. */
  restart?: boolean;
  /** Aborting stops after the batches being written commit; the checkpoint is kept. */
  signal?: AbortSignal;
  maxBadLineSamples?: number;
  /** Called often (every chunk read, ~1 MiB); throttle the drawing, not the calls. */
  onProgress?: (progress: KaggleImportProgress) => void;
  /** Called after each batch is committed and its checkpoint written. */
  onCommit?: (batch: CommittedBatch) => void;
  /** Things a person should know (resuming, a stale checkpoint); one line each. */
  onNotice?: (message: string) => void;
}

export interface KaggleImportResult {
  file: string;
  totalBytes: number;
  checkpointKey: string;
  /** Set when this run continued an earlier one: the first line (1-based) and byte it read. */
  resumedFrom?: { line: number; offset: number };
  /** True when stopped by the signal; the checkpoint then holds where to continue. */
  stopped: boolean;
  /** Lines committed, earlier runs included: all lines of the file when not stopped. */
  lines: number;
  /** Lines committed by this run. */
  linesThisRun: number;
  /** Papers written, earlier runs included. A paper seen twice in one batch counts once. */
  counts: ImportCounts;
  /** Lines that could not be imported, earlier runs included. */
  badLines: number;
  /** The first of them (by line number) with the reason. */
  badLineSamples: BadLine[];
  /** This run's wall time. */
  elapsedMs: number;
  /** Batches written at once (the COPY writer on PostgreSQL: `connections`; otherwise 1). */
  connections: number;
}

/** An import that cannot go on (file unreadable, database gone, checkpoint unusable). */
export class KaggleImportError extends Error {
  constructor(
    message: string,
    /** Lines committed before the failure (the checkpoint resumes after them); undefined before any reading. */
    readonly committedLines?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "KaggleImportError";
  }
}

/** The `settings` key holding the checkpoint of an import of `file` (resolved) at `size` bytes. */
export function checkpointKey(file: string, size: number): string {
  return `import:kaggle:${path.resolve(file)}:${size}`;
}

const countsSchema = z.object({
  newPapers: z.number().int().min(0),
  newVersions: z.number().int().min(0),
  updated: z.number().int().min(0),
  unchanged: z.number().int().min(0),
});

const checkpointSchema = z.object({
  offset: z.number().int().min(0),
  lines: z.number().int().min(0),
  counts: countsSchema,
  badLines: z.number().int().min(0),
  badLineSamples: z.array(z.object({ line: z.number().int().min(1), reason: z.string() })),
  startedAt: z.string(),
});

type Checkpoint = z.infer<typeof checkpointSchema>;

/** The stored checkpoint for `file`, or undefined. Throws KaggleImportError when it is unreadable. */
export async function readCheckpoint(file: string, size: number): Promise<Checkpoint | undefined> {
  const key = checkpointKey(file, size);
  const rows = await db().$queryRawUnsafe<{ value: unknown }[]>(`SELECT value FROM settings WHERE key = $1`, key);
  if (rows.length === 0) return undefined;
  const parsed = checkpointSchema.safeParse(rows[0]!.value);
  if (!parsed.success) {
    throw new KaggleImportError(
      `The saved position of an earlier import of this file (settings key "${key}") is unreadable. ` +
        `Run again with --restart to start from the first line (already imported papers are kept).`,
    );
  }
  return parsed.data;
}

// The checkpoint goes in as JSON text: through ::text, since postgres.js (the COPY writer's driver)
// would otherwise serialise a string for a jsonb parameter as a JSON string.
const SAVE_CHECKPOINT = `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2::text::jsonb, now())
  ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`;

async function writeCheckpoint(key: string, checkpoint: Checkpoint): Promise<void> {
  await db().$executeRawUnsafe(SAVE_CHECKPOINT, key, JSON.stringify(checkpoint));
}

async function deleteCheckpoints(prefix: string, except?: string): Promise<number> {
  return db().$executeRawUnsafe(
    `DELETE FROM settings WHERE starts_with(key, $1) AND key IS DISTINCT FROM $2`,
    prefix,
    except ?? null,
  );
}

function emptyCounts(): ImportCounts {
  return { newPapers: 0, newVersions: 0, updated: 0, unchanged: 0 };
}

/** The SQLSTATE of a database error from postgres.js, or as Prisma's pg adapter wraps it, when there is one. */
function sqlState(error: unknown): string | undefined {
  const meta = (error as { meta?: { driverAdapterError?: { cause?: { code?: unknown; originalCode?: unknown } } } })?.meta;
  const cause = meta?.driverAdapterError?.cause;
  // postgres.js rejects with a PostgresError carrying the SQLSTATE (its own errors, such as a closed
  // connection, have other names and codes).
  const direct = error instanceof Error && error.name === "PostgresError" ? (error as { code?: unknown }).code : undefined;
  const code = cause?.originalCode ?? cause?.code ?? direct;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Class 22 (data exception: "\u0000 cannot be converted to text", a value out of range) and 23
 *  (a constraint): the rows are at fault, not the connection, so bisecting finds the culprit. */
function isDataError(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && (state.startsWith("22") || state.startsWith("23"));
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Prisma's messages start with "Invalid `prisma.$queryRawUnsafe()` invocation:" and blank lines.
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("Invalid `prisma"));
  return (lines.join(" ") || text).slice(0, 300);
}

/** A batch being written: its papers, and its commit. */
interface Writing {
  ids: Set<string>;
  done: Promise<void>;
}

interface Batch {
  /** The upsert writer's entries, and the line number of each. */
  entries: ParsedEntry[];
  lineNos: number[];
  /** The COPY writer's rows, encoded as the lines are read; `copy` once the batch is full. */
  builder?: CopyBatchBuilder;
  copy?: CopyBatch;
  bad: BadLine[];
  /** Offset after the batch's last line, and that line's number. */
  endOffset: number;
  endLine: number;
}

/** A batch not committed because an earlier one failed: the import stops with that one's error. */
class EarlierBatchFailed extends Error {
  constructor() {
    super("an earlier batch was not stored");
    this.name = "EarlierBatchFailed";
  }
}

/**
 * Runs a database step, a second time after an error that is not about the data. Why: on the
 * embedded engine, after a transaction fails on a large statement (a batch with a NUL character),
 * the next statement on that connection fails with "Client has encountered a connection error" (a
 * embedded-server quirk seen with the pglite-socket package, kept as a safety net; the pool then drops the connection and the retry gets a sound one). A
 * database that is really gone fails twice and stops the import.
 */
async function onceMore<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isDataError(error) || error instanceof EarlierBatchFailed) throw error;
    await new Promise((resolve) => setTimeout(resolve, 250));
    return step();
  }
}

/** A batch as isolateBadRows sees it, whichever writer writes it. */
interface Rows {
  size: number;
  /** The line number and paper id of row `i`. */
  line(i: number): number;
  id(i: number): string;
  slice(start: number, end?: number): Rows;
  /** Writes the rows in one transaction. */
  write(): Promise<ImportCounts>;
  /** The row a data error names, when it names one (COPY does: its line in the COPY). */
  refused(error: unknown): number | undefined;
}

function upsertRows(entries: ParsedEntry[], lineNos: number[]): Rows {
  return {
    size: entries.length,
    line: (i) => lineNos[i]!,
    id: (i) => entries[i]!.id,
    slice: (start, end) => upsertRows(entries.slice(start, end), lineNos.slice(start, end)),
    async write() {
      const r = await upsertEntries(entries);
      return { newPapers: r.newPapers, newVersions: r.newVersions, updated: r.updated, unchanged: r.unchanged };
    },
    refused: () => undefined,
  };
}

function copyRows(sql: Sql, batch: CopyBatch): Rows {
  return {
    size: batch.rows.length,
    line: (i) => batch.lines[i]!,
    id: (i) => batch.ids[i]!,
    slice: (start, end) => copyRows(sql, sliceBatch(batch, start, end)),
    write: () => writeCopyBatch(sql, batch),
    refused: (error) => refusedRow(error, batch),
  };
}

/**
 * Writes a batch. When the database rejects it for its data, the rows at fault are left out and
 * reported as bad lines, and the rest is written: one odd record never sinks the import. A row the
 * error names (a value COPY refuses) is taken out at once; otherwise the batch is halved until the
 * row at fault is alone. `known` is the data error of an attempt at this very batch, if one was made.
 */
async function isolateBadRows(rows: Rows, bad: BadLine[], known?: unknown): Promise<ImportCounts> {
  if (rows.size === 0) return emptyCounts();
  let error = known;
  if (error === undefined) {
    try {
      return await onceMore(() => rows.write());
    } catch (failure) {
      if (!isDataError(failure)) throw failure;
      error = failure;
    }
  }
  const reject = (i: number) => bad.push({ line: rows.line(i), reason: `the database rejected it (${rows.id(i)}): ${messageOf(error)}` });
  const at = rows.refused(error);
  if (at !== undefined && at >= 0 && at < rows.size) {
    reject(at);
    const before = await isolateBadRows(rows.slice(0, at), bad);
    return addCounts(before, await isolateBadRows(rows.slice(at + 1), bad));
  }
  if (rows.size === 1) {
    reject(0);
    return emptyCounts();
  }
  const mid = rows.size >> 1;
  const a = await isolateBadRows(rows.slice(0, mid), bad);
  return addCounts(a, await isolateBadRows(rows.slice(mid), bad));
}

function addCounts(a: ImportCounts, b: ImportCounts): ImportCounts {
  return {
    newPapers: a.newPapers + b.newPapers,
    newVersions: a.newVersions + b.newVersions,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
  };
}

/** Checks that `offset` is the start of a line of `file` (the byte before it is a newline). */
async function isLineStart(file: string, offset: number): Promise<boolean> {
  if (offset === 0) return true;
  const handle = await open(file, "r");
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(1), 0, 1, offset - 1);
    return bytesRead === 1 && buffer[0] === NEWLINE;
  } finally {
    await handle.close();
  }
}

/**
 * Imports the snapshot at `options.file`. Reads it as a byte stream split at newlines, parses
 * each line, and writes batches of `batchSize` lines; while a batch is being written the next one
 * is parsed (and, for COPY, encoded), so the database and the parser work at the same time, with at
 * most two batches in memory. With each batch the checkpoint (offset of the first uncommitted line
 * + running counts) is written to `settings`: with COPY in the batch's own transaction; with the
 * upsert writer just after it, where a crash between the two only means one batch is written
 * again, which changes nothing. A run that finds a checkpoint continues from it; a finished import
 * deletes it.
 */
export async function importKaggle(options: KaggleImportOptions): Promise<KaggleImportResult> {
  try {
    return await runImport(options);
  } finally {
    // The COPY writer's connection (opened on its first batch); nothing when none was opened.
    await closeImportSql().catch(() => {});
  }
}

async function runImport(options: KaggleImportOptions): Promise<KaggleImportResult> {
  const started = performance.now();
  const file = path.resolve(options.file);
  const writer: ImportWriter = options.writer ?? "copy";
  if (writer !== "copy" && writer !== "upsert") {
    throw new KaggleImportError(`The writer must be "copy" or "upsert" (got ${JSON.stringify(writer)}).`);
  }
  const batchSize = options.batchSize ?? (writer === "copy" ? DEFAULT_BATCH_SIZE : UPSERT_BATCH_SIZE);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new KaggleImportError(
      `The batch size must be a whole number of lines from 1 to ${MAX_BATCH_SIZE.toLocaleString("en-US")} (got ${batchSize}).`,
    );
  }
  let connections = writer === "copy" ? (options.connections ?? DEFAULT_CONNECTIONS) : 1;
  if (!Number.isSafeInteger(connections) || connections < 1 || connections > MAX_CONNECTIONS) {
    throw new KaggleImportError(`The number of connections must be a whole number from 1 to ${MAX_CONNECTIONS} (got ${connections}).`);
  }
  const maxSamples = options.maxBadLineSamples ?? DEFAULT_MAX_BAD_LINE_SAMPLES;
  const notice = options.onNotice ?? (() => {});
  const signal = options.signal;

  let totalBytes: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new KaggleImportError(`${file} is not a file.`);
    totalBytes = s.size;
  } catch (error) {
    if (error instanceof KaggleImportError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new KaggleImportError(
      code === "ENOENT" ? `No such file: ${file}` : `Cannot read ${file}: ${messageOf(error)}`,
      undefined,
      { cause: error },
    );
  }

  const key = checkpointKey(file, totalBytes);
  const prefix = `import:kaggle:${file}:`;
  let saved: Checkpoint | undefined;
  if (options.restart) {
    if ((await deleteCheckpoints(prefix)) > 0) notice("--restart: the saved position of an earlier run was discarded");
  } else {
    saved = await readCheckpoint(file, totalBytes);
    // Same path, other size: the file was replaced since; its position means nothing now.
    if ((await deleteCheckpoints(prefix, key)) > 0) {
      notice("a saved position for an earlier version of this file (other size) was discarded");
    }
  }
  if (saved && (saved.offset > totalBytes || !(await isLineStart(file, saved.offset)))) {
    throw new KaggleImportError(
      `The saved position of an earlier import (byte ${saved.offset}) is not the start of a line of ${file}: ` +
        `the file changed since. Run again with --restart to start from the first line.`,
    );
  }

  const state: Checkpoint = saved ?? {
    offset: 0,
    lines: 0,
    counts: emptyCounts(),
    badLines: 0,
    badLineSamples: [],
    startedAt: new Date().toISOString(),
  };
  const resumedFrom = saved ? { line: saved.lines + 1, offset: saved.offset } : undefined;
  if (resumedFrom) {
    notice(
      `resuming an earlier import at line ${resumedFrom.line.toLocaleString("en-US")} ` +
        `(byte ${resumedFrom.offset.toLocaleString("en-US")}); --restart starts over`,
    );
  }
  const startOffset = state.offset;
  const startLine = state.lines;
  let batches = 0;

  // On the embedded database all connections share one session, whose server runs one transaction
  // at a time: a second batch would only wait for the first, and a batch waiting in its
  // transaction for the one before it to commit (commitCopy) would wait forever.
  if (connections > 1) {
    try {
      if (await onceMore(() => oneTransactionAtATime(importSql(connections)))) connections = 1;
    } catch (error) {
      throw new KaggleImportError(`Connecting to the database for COPY failed: ${messageOf(error)}`, state.lines, { cause: error });
    }
  }

  /** The checkpoint once `batch` is stored with these counts and bad lines. */
  const advanced = (batch: Batch, counts: ImportCounts, bad: BadLine[]): Checkpoint => ({
    ...state,
    counts: addCounts(state.counts, counts),
    badLines: state.badLines + bad.length,
    badLineSamples:
      bad.length > 0 && state.badLineSamples.length < maxSamples
        ? [...state.badLineSamples, ...bad].sort((x, y) => x.line - y.line).slice(0, maxSamples)
        : state.badLineSamples,
    offset: batch.endOffset,
    lines: batch.endLine,
  });

  /**
   * COPY: the batch and the checkpoint in one transaction; after a refused row, the rest in parts,
   * then the checkpoint. Batches are written `connections` at a time but commit in file order: the
   * transaction waits, before writing the checkpoint, for the batch before it to commit (and rolls
   * back if that one failed), so the checkpoint never passes a batch not stored. A paper also in
   * an earlier batch still being written would make the two wait on each other (its row lock in
   * the database, the commit order here), so such a batch first waits for that one to finish.
   */
  const commitCopy = async (batch: Batch, earlier: Writing[]): Promise<Checkpoint> => {
    const copy = batch.copy!;
    const sql = importSql(connections);
    for (const other of earlier) {
      if (copy.ids.some((id) => other.ids.has(id))) await other.done.catch(() => {});
    }
    const previous = earlier.at(-1)?.done;
    const inOrder = async (): Promise<void> => {
      if (previous && !(await previous.then(() => true, () => false))) throw new EarlierBatchFailed();
    };
    let next: Checkpoint | undefined;
    let refused: unknown;
    try {
      await onceMore(() =>
        writeCopyBatch(sql, copy, async (tx, counts) => {
          await inOrder();
          next = advanced(batch, counts, batch.bad);
          await tx.unsafe(SAVE_CHECKPOINT, [key, JSON.stringify(next)]);
        }),
      );
      return next!;
    } catch (error) {
      if (error instanceof EarlierBatchFailed) throw error;
      if (!isDataError(error)) {
        throw new KaggleImportError(`Writing to the database failed: ${messageOf(error)}`, state.lines, { cause: error });
      }
      refused = error;
    }
    const dbBad: BadLine[] = [];
    let counts: ImportCounts;
    try {
      counts = await isolateBadRows(copyRows(sql, copy), dbBad, refused);
    } catch (error) {
      throw new KaggleImportError(`Writing to the database failed: ${messageOf(error)}`, state.lines, { cause: error });
    }
    await inOrder();
    next = advanced(batch, counts, [...batch.bad, ...dbBad]);
    try {
      await onceMore(() => writeCheckpoint(key, next!));
    } catch (error) {
      Object.assign(state, next);
      throw new KaggleImportError(`Saving the position failed: ${messageOf(error)}`, state.lines, { cause: error });
    }
    return next;
  };

  /** upsertEntries: the batch, then the checkpoint. */
  const commitUpsert = async (batch: Batch): Promise<Checkpoint> => {
    const dbBad: BadLine[] = [];
    let counts: ImportCounts;
    try {
      counts = await isolateBadRows(upsertRows(batch.entries, batch.lineNos), dbBad);
    } catch (error) {
      throw new KaggleImportError(`Writing to the database failed: ${messageOf(error)}`, state.lines, { cause: error });
    }
    const next = advanced(batch, counts, [...batch.bad, ...dbBad]);
    try {
      await onceMore(() => writeCheckpoint(key, next));
    } catch (error) {
      // The batch is stored: the position in memory moves on, so a stop still saves it.
      Object.assign(state, next);
      throw new KaggleImportError(`Saving the position failed: ${messageOf(error)}`, state.lines, { cause: error });
    }
    return next;
  };

  const commit = async (batch: Batch, earlier: Writing[]): Promise<void> => {
    Object.assign(state, await (writer === "copy" ? commitCopy(batch, earlier) : commitUpsert(batch)));
    batches += 1;
    options.onCommit?.({ offset: state.offset, lines: state.lines, batches, counts: { ...state.counts }, badLines: state.badLines });
  };

  // Batches are written while the next is parsed: up to `connections` at once, oldest first in
  // `writing`; the oldest is awaited (and its failure thrown) before one more starts.
  const writing: Writing[] = [];
  const submit = async (batch: Batch): Promise<void> => {
    while (writing.length >= connections) await writing.shift()!.done;
    // Stopped while earlier batches were written: this one is dropped, not started.
    if (signal?.aborted) return;
    const done = commit(batch, [...writing]);
    // Handled here so that a failure while we parse is not an "unhandled rejection"; it is
    // rethrown when `done` is awaited.
    done.catch(() => {});
    writing.push({ ids: new Set(batch.copy?.ids ?? batch.entries.map((e) => e.id)), done });
  };
  /** Waits for every batch being written, oldest first; throws the first failure. */
  const drain = async (): Promise<void> => {
    while (writing.length > 0) await writing.shift()!.done;
  };

  let lineNo = startLine;
  const newBatch = (endOffset: number, endLine: number): Batch => ({
    entries: [],
    lineNos: [],
    ...(writer === "copy" && { builder: new CopyBatchBuilder() }),
    bad: [],
    endOffset,
    endLine,
  });
  let batch = newBatch(startOffset, startLine);
  let linesInBatch = 0;
  const take = (text: string, endOffset: number): void => {
    lineNo += 1;
    linesInBatch += 1;
    batch.endOffset = endOffset;
    batch.endLine = lineNo;
    // A blank line (the file's last, usually) holds nothing to import and is no error.
    if (text.charCodeAt(0) !== 0x7b && text.trim() === "") return;
    try {
      // A byte-order mark (files saved by some Windows tools) is not part of the first line's JSON.
      const entry = parseKaggleLine(lineNo === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      if (batch.builder) {
        const unstorable = batch.builder.add(entry, lineNo);
        if (unstorable) batch.bad.push(unstorable);
      } else {
        batch.entries.push(entry);
        batch.lineNos.push(lineNo);
      }
    } catch (error) {
      batch.bad.push({ line: lineNo, reason: messageOf(error) });
    }
  };
  const flush = async (): Promise<void> => {
    const full = batch;
    batch = newBatch(full.endOffset, full.endLine);
    linesInBatch = 0;
    if (full.builder) {
      full.copy = full.builder.build();
      full.builder = undefined;
    }
    await submit(full);
  };
  const progress = (bytesDone: number): void => {
    options.onProgress?.({
      file,
      totalBytes,
      bytesDone,
      startOffset,
      linesDone: lineNo,
      startLine,
      linesCommitted: state.lines,
      elapsedMs: performance.now() - started,
    });
  };

  try {
    const stream = createReadStream(file, { start: startOffset, highWaterMark: READ_CHUNK_BYTES });
    // `base` is the file offset of buf[0]; `rest` is an unfinished line carried to the next chunk.
    let base = startOffset;
    let rest: Buffer | undefined;
    reading: for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      let pos = 0;
      for (let nl = buf.indexOf(NEWLINE, pos); nl !== -1; nl = buf.indexOf(NEWLINE, pos)) {
        if (signal?.aborted) break reading;
        take(buf.toString("utf8", pos, nl), base + nl + 1);
        pos = nl + 1;
        if (linesInBatch >= batchSize) {
          await flush();
          progress(base + pos);
        }
      }
      rest = pos < buf.length ? buf.subarray(pos) : undefined;
      base += pos;
      progress(base);
    }
    if (rest && !signal?.aborted) {
      take(rest.toString("utf8"), base + rest.length);
    }
    if (linesInBatch > 0 && !signal?.aborted) await flush();
    await drain();
  } catch (error) {
    // Let the writes in progress end before reporting, so the checkpoint says where we really are
    // (and the error too: batches before the failed one may have committed meanwhile).
    for (const { done } of writing.splice(0)) await done.catch(() => {});
    if (error instanceof KaggleImportError) {
      throw error.committedLines === undefined || error.committedLines === state.lines
        ? error
        : new KaggleImportError(error.message, state.lines, { cause: error.cause });
    }
    throw new KaggleImportError(`Reading ${file} failed: ${messageOf(error)}`, state.lines, { cause: error });
  }

  const stopped = signal?.aborted === true && state.offset < totalBytes;
  if (stopped) {
    // Also when nothing was committed in this run: the next run then says it is resuming.
    await onceMore(() => writeCheckpoint(key, state));
  } else {
    await onceMore(() => deleteCheckpoints(prefix));
  }
  progress(state.offset);

  return {
    file,
    totalBytes,
    checkpointKey: key,
    ...(resumedFrom && { resumedFrom }),
    stopped,
    lines: state.lines,
    linesThisRun: state.lines - startLine,
    counts: state.counts,
    badLines: state.badLines,
    badLineSamples: state.badLineSamples,
    elapsedMs: performance.now() - started,
    connections,
  };
}
