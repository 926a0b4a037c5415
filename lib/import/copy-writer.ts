// The snapshot import's bulk write path: a batch of parsed entries goes to PostgreSQL with COPY
// (through postgres.js, lib/import/sql.ts; Prisma has no COPY) into a temporary table, and from there
// into papers and paper_versions with one set-based statement, in one transaction that also holds
// the import's checkpoint. Same rules as upsertEntries (lib/queries/papers.ts) without a listing:
// a higher version replaces the stored text, an older one never does; comments, journal_ref and doi
// are kept when the new row has none; the first published_at stays; every version seen goes into
// paper_versions; and the same counts (new papers, new versions, updated, unchanged).
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Sql, TransactionSql } from "postgres";
import type { ParsedEntry } from "../arxiv/types";
import { PAPER_CONFLICT } from "../queries/papers";
import type { BadLine, ImportCounts } from "./kaggle";

/** A batch ready for COPY: one row of COPY text per entry, with its paper id, version and line number. */
export interface CopyBatch {
  /** COPY text format rows, each ending in a newline, in file order. */
  rows: string[];
  ids: string[];
  versions: number[];
  lines: number[];
}

// The staging table: the columns of papers the import writes, typed as in papers, so COPY itself
// checks every value (and names the line of one it refuses). Temporary, so private to the
// session and never WAL-logged; ON COMMIT DELETE ROWS empties it at each commit, so it is made once
// per connection and reused by every batch. (On the embedded database all connections share one
// session; its transactions never overlap, so the table is still one batch's alone.)
const STAGING = "import_kaggle_rows";
const CREATE_STAGING = `CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (
  id text NOT NULL,
  version integer NOT NULL,
  title text NOT NULL,
  abstract text NOT NULL,
  authors text[] NOT NULL,
  comments text,
  journal_ref text,
  doi text,
  primary_category text NOT NULL,
  categories text[] NOT NULL,
  published_at timestamp(3),
  version_at timestamp(3)
) ON COMMIT DELETE ROWS`;

// One statement for the batch, so the counts come back with the write. `x` compares each staged
// row with the stored paper as it was before this statement (all its parts see the same snapshot).
// Only new or changed rows are proposed to the INSERT: PostgreSQL computes the generated search
// document (papers.search_vector) of every row proposed, even one that ON CONFLICT then leaves
// alone, and that is most of the cost of a row. paper_versions gets every staged row; its foreign
// key is checked at the end of the statement, when the new papers are there. The stored paper is
// looked up by its key, row by row (LATERAL … OFFSET 0 keeps the planner from turning it into a
// join): the staging table has no statistics, and a hash join would read all of papers, 2.9 M rows
// once the snapshot is in, for every batch.
const UPSERT = `WITH x AS (
  SELECT r.*, p.was, p.was IS NULL OR (r.version >= p.was AND p.differs) AS proposed
  FROM ${STAGING} r
  LEFT JOIN LATERAL (
    SELECT p.latest_version AS was,
           (p.latest_version, p.title, p.abstract, p.authors, p.primary_category, p.categories,
            p.comments, p.journal_ref, p.doi, p.published_at, p.version_at)
           IS DISTINCT FROM
           (r.version, r.title, r.abstract, r.authors, r.primary_category, r.categories,
            COALESCE(r.comments, p.comments), COALESCE(r.journal_ref, p.journal_ref), COALESCE(r.doi, p.doi),
            COALESCE(p.published_at, r.published_at), COALESCE(r.version_at, p.version_at)) AS differs
    FROM papers p WHERE p.id = r.id
    OFFSET 0
  ) p ON true
),
written AS (
  INSERT INTO papers (id, latest_version, title, abstract, authors, comments, journal_ref, doi,
                      primary_category, categories, published_at, version_at, updated_at)
  SELECT id, version, title, abstract, authors, comments, journal_ref, doi, primary_category, categories,
         published_at, version_at, now()
  FROM x WHERE proposed
  ${PAPER_CONFLICT}
),
versions AS (
  INSERT INTO paper_versions (paper_id, version, title, abstract, submitted_at)
  SELECT id, version, title, abstract, version_at FROM ${STAGING}
  ON CONFLICT (paper_id, version) DO NOTHING
)
SELECT count(*) FILTER (WHERE was IS NULL)::int AS new_papers,
       count(*) FILTER (WHERE version > was)::int AS new_versions,
       count(*) FILTER (WHERE version <= was AND id IN (SELECT id FROM written))::int AS updated,
       count(*) FILTER (WHERE version <= was AND id NOT IN (SELECT id FROM written))::int AS unchanged
FROM x`;

/** Bytes of COPY text per CopyData message: big enough to cost nothing per message, small enough
 *  that no buffer along the way (the embedded server's included) grows large. */
const COPY_CHUNK_CHARS = 256 * 1024;

const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIAL_ALL = /[\\\t\n\r]/g;

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
function copyText(value: string): string {
  return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c]!) : value;
}

/** A text[] literal: every element quoted, with its quotes and backslashes escaped. */
function arrayLiteral(items: string[]): string {
  let out = "{";
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    out += `${i > 0 ? "," : ""}"${item.includes("\\") || item.includes('"') ? item.replace(/[\\"]/g, "\\$&") : item}"`;
  }
  return `${out}}`;
}

/** A nullable text column. */
function optional(value: string | undefined): string {
  return value === undefined ? "\\N" : copyText(value);
}

/** A timestamp(3) column as PostgreSQL stores it: the UTC wall-clock time, as Prisma writes one. */
function timestamp(value: Date | undefined): string {
  return value === undefined ? "\\N" : value.toISOString().slice(0, -1);
}

const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Why PostgreSQL could not store one of the entry's strings, or undefined when it can store them all. */
function unstorable(entry: ParsedEntry): string | undefined {
  const texts = [entry.title, entry.abstract, entry.primaryCategory, entry.comments, entry.journalRef, entry.doi, ...entry.authors, ...entry.categories];
  for (const text of texts) {
    if (text === undefined) continue;
    // PostgreSQL's text cannot hold NUL; COPY would fail the whole batch on it.
    if (text.includes("\u0000")) return "a NUL character (\\u0000) in its text, which PostgreSQL cannot store";
    // A lone surrogate (a "\ud800" escape in the JSON) is not UTF-8; the old path's jsonb refused
    // it too, where the text encoder would quietly make it U+FFFD.
    if (!isWellFormed(text)) return "an unpaired UTF-16 surrogate in its text, which is not valid Unicode";
  }
  return undefined;
}

/** One entry as a COPY row, or why PostgreSQL could not store it. */
export function encodeEntry(e: ParsedEntry): { row: string } | { unstorable: string } {
  const why = unstorable(e);
  if (why) return { unstorable: why };
  return {
    row:
      `${copyText(e.id)}\t${e.version}\t${copyText(e.title)}\t${copyText(e.abstract)}\t${copyText(arrayLiteral(e.authors))}\t` +
      `${optional(e.comments)}\t${optional(e.journalRef)}\t${optional(e.doi)}\t${copyText(e.primaryCategory)}\t` +
      `${copyText(arrayLiteral(e.categories))}\t${timestamp(e.publishedAt)}\t${timestamp(e.updatedAt)}\n`,
  };
}

/**
 * Collects a batch as COPY rows, one entry at a time (so the encoding is spread over the reading
 * instead of holding up the event loop, and with it the COPY of the batch before, in one block).
 * Entries whose text PostgreSQL cannot store become bad lines here, before they can fail a whole
 * COPY.
 */
export class CopyBatchBuilder {
  private batch: CopyBatch = { rows: [], ids: [], versions: [], lines: [] };

  /** Adds the entry read at `line`; returns a bad line when it cannot be stored. */
  add(entry: ParsedEntry, line: number): BadLine | undefined {
    const encoded = encodeEntry(entry);
    if ("unstorable" in encoded) return { line, reason: `the database cannot store it (${entry.id}): ${encoded.unstorable}` };
    this.batch.rows.push(encoded.row);
    this.batch.ids.push(entry.id);
    this.batch.versions.push(entry.version);
    this.batch.lines.push(line);
    return undefined;
  }

  get size(): number {
    return this.batch.rows.length;
  }

  build(): CopyBatch {
    return this.batch;
  }
}

/**
 * The rows of the batch that are written (indexes, in the order sent): one per paper, the highest
 * version (the first of two at the same version), as upsertEntries keeps it. Chosen when writing,
 * not when reading: if the database refuses the row kept, the next best of the same paper is
 * written instead, as the earlier path's halving would.
 */
export function distinctPapers(batch: CopyBatch): number[] {
  const slot = new Map<string, number>();
  const chosen: number[] = [];
  for (let i = 0; i < batch.rows.length; i++) {
    const at = slot.get(batch.ids[i]!);
    if (at === undefined) {
      slot.set(batch.ids[i]!, chosen.length);
      chosen.push(i);
    } else if (batch.versions[i]! > batch.versions[chosen[at]!]!) {
      chosen[at] = i;
    }
  }
  return chosen;
}

/** The part of a batch from `start` to `end` (for isolating a row the database refuses). */
export function sliceBatch(batch: CopyBatch, start: number, end?: number): CopyBatch {
  return {
    rows: batch.rows.slice(start, end),
    ids: batch.ids.slice(start, end),
    versions: batch.versions.slice(start, end),
    lines: batch.lines.slice(start, end),
  };
}

/**
 * The row of the batch (its index in `batch`) that COPY refused, from the error's context ("COPY
 * import_kaggle_rows, line 3, column version: …", a line of the COPY as writeCopyBatch sent it);
 * undefined for an error elsewhere.
 */
export function refusedRow(error: unknown, batch: CopyBatch): number | undefined {
  const where = (error as { where?: unknown })?.where;
  if (typeof where !== "string") return undefined;
  const match = new RegExp(`^COPY ${STAGING}, line (\\d+)`).exec(where);
  return match ? distinctPapers(batch)[Number(match[1]) - 1] : undefined;
}

function* chunks(batch: CopyBatch, rows: number[]): Generator<string> {
  let chunk = "";
  for (const i of rows) {
    chunk += batch.rows[i]!;
    if (chunk.length >= COPY_CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk !== "") yield chunk;
}

/**
 * True when the database runs one transaction at a time for all connections: the embedded database
 * (PGlite, compiled to WebAssembly), whose server (lib/pglite-server.ts) shares one session.
 */
export async function oneTransactionAtATime(sql: Sql): Promise<boolean> {
  const [row] = await sql.unsafe<{ one: boolean }[]>(`SELECT version() LIKE '%wasm32%' AS one`);
  return row?.one === true;
}

/**
 * Writes a batch in one transaction and returns its counts. `then` runs inside the same transaction
 * after the rows are written (the import saves its position there), so either both are stored or
 * neither is.
 */
export async function writeCopyBatch(
  sql: Sql,
  batch: CopyBatch,
  then?: (tx: TransactionSql, counts: ImportCounts) => Promise<void>,
): Promise<ImportCounts> {
  if (batch.rows.length === 0) {
    const none = { newPapers: 0, newVersions: 0, updated: 0, unchanged: 0 };
    if (then) await sql.begin((tx) => then(tx, none));
    return none;
  }
  return sql.begin(async (tx) => {
    // Durability per batch is not needed: a batch lost in a crash is lost with its checkpoint (same
    // transaction) and imported again. JIT would compile the statement below for each batch (its
    // estimated cost is high) and save nothing: the time goes into the search document and indexes.
    // work_mem: the batch's rows (x) stay in memory, and the ids written are looked up in a hash
    // table (a "hashed SubPlan"; PostgreSQL plans one only when it fits in work_mem).
    await tx.unsafe(`SET LOCAL synchronous_commit = off; SET LOCAL jit = off; SET LOCAL work_mem = '64MB'; ${CREATE_STAGING}`);
    const copy = await tx.unsafe(`COPY ${STAGING} FROM STDIN`).writable();
    await pipeline(Readable.from(chunks(batch, distinctPapers(batch))), copy);
    const [row] = await tx.unsafe<{ new_papers: number; new_versions: number; updated: number; unchanged: number }[]>(UPSERT);
    const counts: ImportCounts = {
      newPapers: row?.new_papers ?? 0,
      newVersions: row?.new_versions ?? 0,
      updated: row?.updated ?? 0,
      unchanged: row?.unchanged ?? 0,
    };
    if (then) await then(tx, counts);
    return counts;
  });
}
