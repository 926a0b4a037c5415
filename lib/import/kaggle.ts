// Imports the Kaggle arXiv metadata snapshot (arxiv-metadata-oai-snapshot.json: JSON lines, ~1.7M
// lines / 4 GB) into papers + paper_versions, streaming, in batches, resumable. Owns the reading,
// batching, bad-line bookkeeping and the checkpoint in `settings`; the CLI (scripts/import-kaggle.ts)
// only draws progress, handles Ctrl+C and prints the summary.
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { parseKaggleLine } from "../arxiv/parse-kaggle";
import type { ParsedEntry } from "../arxiv/types";
import { db } from "../db";
import { upsertEntries } from "../queries/papers";

/**
 * Lines per batch. Measured with 100k–200k synthetic snapshot lines into a local PostgreSQL 15
 * (`npm run bench:ingest -- --kaggle 200000 --batch …`, see bench/README.md): before the search
 * column, 250 and 500 lines/batch were 15–30% slower than 1,000, and 1,000–10,000 were level; with
 * the generated tsvector (migration add_search) each row costs more and 500–5,000 are level within noise. 1,000 is at the
 * top in both, and keeps what a Ctrl+C waits for (and redoes after a crash) small.
 */
export const DEFAULT_BATCH_SIZE = 1_000;
/** How many bad lines are kept with their reasons (all are counted). */
export const DEFAULT_MAX_BAD_LINE_SAMPLES = 20;
/** Bytes per read. Splitting lines costs ~1.3 µs a line either way (1 MiB or 64 KiB chunks, or
 *  node:readline, which gives no byte offsets); parsing them ~15 µs, writing them 150–450 µs. */
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
  batchSize?: number;
  /** Ignore (and delete) a checkpoint of an earlier run and start at the first line. */
  restart?: boolean;
  /** Aborting stops after the batch being written commits; the checkpoint is kept. */
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

async function writeCheckpoint(key: string, checkpoint: Checkpoint): Promise<void> {
  await db().$executeRawUnsafe(
    `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2::jsonb, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    key,
    JSON.stringify(checkpoint),
  );
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

/** The SQLSTATE of a database error as Prisma's pg adapter wraps it, when there is one. */
function sqlState(error: unknown): string | undefined {
  const meta = (error as { meta?: { driverAdapterError?: { cause?: { code?: unknown; originalCode?: unknown } } } })?.meta;
  const cause = meta?.driverAdapterError?.cause;
  const code = cause?.originalCode ?? cause?.code;
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

interface Batch {
  entries: ParsedEntry[];
  /** Line number of each entry. */
  lineNos: number[];
  bad: BadLine[];
  /** Offset after the batch's last line, and that line's number. */
  endOffset: number;
  endLine: number;
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
    if (isDataError(error)) throw error;
    await new Promise((resolve) => setTimeout(resolve, 250));
    return step();
  }
}

/**
 * Upserts a batch. When the database rejects it for its data, halves it until the rows at fault
 * are alone, and reports those as bad lines: one odd record never sinks the import.
 */
async function upsertIsolatingBadRows(entries: ParsedEntry[], lineNos: number[], bad: BadLine[]): Promise<ImportCounts> {
  if (entries.length === 0) return emptyCounts();
  try {
    const r = await onceMore(() => upsertEntries(entries));
    return { newPapers: r.newPapers, newVersions: r.newVersions, updated: r.updated, unchanged: r.unchanged };
  } catch (error) {
    if (!isDataError(error)) throw error;
    if (entries.length === 1) {
      bad.push({ line: lineNos[0]!, reason: `the database rejected it (${entries[0]!.id}): ${messageOf(error)}` });
      return emptyCounts();
    }
    const mid = entries.length >> 1;
    const a = await upsertIsolatingBadRows(entries.slice(0, mid), lineNos.slice(0, mid), bad);
    const b = await upsertIsolatingBadRows(entries.slice(mid), lineNos.slice(mid), bad);
    return addCounts(a, b);
  }
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
 * each line, and upserts batches of `batchSize` lines; while a batch is being written the next one
 * is parsed, so the database and the parser work at the same time, with at most two batches in
 * memory. After each commit the checkpoint (offset of the first uncommitted line + running counts)
 * is written to `settings`: a crash between the two only means one batch is upserted again, which
 * changes nothing. A run that finds a checkpoint continues from it; a finished import deletes it.
 */
export async function importKaggle(options: KaggleImportOptions): Promise<KaggleImportResult> {
  const started = performance.now();
  const file = path.resolve(options.file);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new KaggleImportError(`The batch size must be a whole number of lines, 1 or more (got ${batchSize}).`);
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

  const commit = async (batch: Batch): Promise<void> => {
    const dbBad: BadLine[] = [];
    let counts: ImportCounts;
    try {
      counts = await upsertIsolatingBadRows(batch.entries, batch.lineNos, dbBad);
    } catch (error) {
      throw new KaggleImportError(`Writing to the database failed: ${messageOf(error)}`, state.lines, { cause: error });
    }
    const bad = [...batch.bad, ...dbBad];
    state.counts = addCounts(state.counts, counts);
    state.badLines += bad.length;
    if (bad.length > 0 && state.badLineSamples.length < maxSamples) {
      state.badLineSamples = [...state.badLineSamples, ...bad].sort((x, y) => x.line - y.line).slice(0, maxSamples);
    }
    state.offset = batch.endOffset;
    state.lines = batch.endLine;
    try {
      await onceMore(() => writeCheckpoint(key, state));
    } catch (error) {
      throw new KaggleImportError(`Saving the position failed: ${messageOf(error)}`, state.lines, { cause: error });
    }
    batches += 1;
    options.onCommit?.({ offset: state.offset, lines: state.lines, batches, counts: { ...state.counts }, badLines: state.badLines });
  };

  // One batch is written while the next is parsed; `inFlight` is the write, awaited before the next.
  let inFlight: Promise<void> | undefined;
  const submit = async (batch: Batch): Promise<void> => {
    if (inFlight) await inFlight;
    // Stopped while the previous batch was written: this one is dropped, not started.
    if (signal?.aborted) return;
    inFlight = commit(batch);
    // Handled here so that a failure while we parse is not an "unhandled rejection"; it is
    // rethrown when `inFlight` is awaited.
    inFlight.catch(() => {});
  };

  let lineNo = startLine;
  let batch: Batch = { entries: [], lineNos: [], bad: [], endOffset: startOffset, endLine: startLine };
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
      batch.entries.push(parseKaggleLine(lineNo === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
      batch.lineNos.push(lineNo);
    } catch (error) {
      batch.bad.push({ line: lineNo, reason: messageOf(error) });
    }
  };
  const flush = async (): Promise<void> => {
    const full = batch;
    batch = { entries: [], lineNos: [], bad: [], endOffset: full.endOffset, endLine: full.endLine };
    linesInBatch = 0;
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
    if (inFlight) await inFlight;
  } catch (error) {
    // Let a write in progress end before reporting, so the checkpoint says where we really are.
    await inFlight?.catch(() => {});
    if (error instanceof KaggleImportError) throw error;
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
  };
}
