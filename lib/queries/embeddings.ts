// Queries over paper embeddings (pgvector): which papers need a vector for the current model,
// storing vectors, and nearest neighbours by cosine distance through the HNSW index.
import { db } from "../db";
import { toPgVector } from "../embed/embedder";
import { PAPER_COLUMNS, toPaperRecord, type PaperRecord, type PaperRow } from "./papers";

export interface PaperToEmbed {
  id: string;
  version: number;
  title: string;
  abstract: string;
}

export interface EmbedSelection {
  /** The model the vectors must come from; papers with a vector from another model need a new one. */
  model: string;
  /** Only these papers (default: all). */
  paperIds?: string[];
  /** Also papers whose vector is already for their latest version and this model. */
  force?: boolean;
}

/** `WHERE` for papers (`p`, left-joined to `e`) that need a vector: missing, older version or other model. */
function selectionWhere(selection: EmbedSelection, first: number): { sql: string; args: unknown[] } {
  const args: unknown[] = [selection.model, selection.paperIds ?? null];
  // Forced, the model parameter is still referenced (always true): PostgreSQL refuses a parameter it cannot type.
  const stale = selection.force
    ? `$${first}::text IS NOT NULL`
    : `(e.paper_id IS NULL OR e.version <> p.latest_version OR e.model <> $${first})`;
  return { sql: `${stale} AND ($${first + 1}::text[] IS NULL OR p.id = ANY($${first + 1}::text[]))`, args };
}

/** The next `limit` papers after `afterId` (by id) that need a vector. */
export async function listPapersToEmbed(selection: EmbedSelection, afterId: string | null, limit: number): Promise<PaperToEmbed[]> {
  const where = selectionWhere(selection, 3);
  return db().$queryRawUnsafe<PaperToEmbed[]>(
    `SELECT p.id, p.latest_version AS version, p.title, p.abstract
       FROM papers p LEFT JOIN paper_embeddings e ON e.paper_id = p.id
      WHERE ($1::text IS NULL OR p.id > $1) AND ${where.sql}
      ORDER BY p.id
      LIMIT $2`,
    afterId,
    limit,
    ...where.args,
  );
}

export async function countPapersToEmbed(selection: EmbedSelection): Promise<number> {
  const where = selectionWhere(selection, 1);
  const rows = await db().$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM papers p LEFT JOIN paper_embeddings e ON e.paper_id = p.id WHERE ${where.sql}`,
    ...where.args,
  );
  return rows[0]?.n ?? 0;
}

export interface EmbeddingToStore {
  paperId: string;
  version: number;
  model: string;
  vector: ArrayLike<number>;
}

/** Inserts or replaces the vectors of these papers, in one statement. */
export async function saveEmbeddings(rows: EmbeddingToStore[]): Promise<void> {
  if (rows.length === 0) return;
  await db().$executeRawUnsafe(
    `INSERT INTO paper_embeddings (paper_id, version, model, embedding)
     SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[]::vector[])
     ON CONFLICT (paper_id) DO UPDATE
       SET version = EXCLUDED.version, model = EXCLUDED.model, embedding = EXCLUDED.embedding, created_at = now()`,
    rows.map((r) => r.paperId),
    rows.map((r) => r.version),
    rows.map((r) => r.model),
    rows.map((r) => toPgVector(r.vector)),
  );
}

export interface EmbeddingCounts {
  papers: number;
  /** Papers with a vector for their latest version from `model`. */
  current: number;
}

export async function embeddingCounts(model: string): Promise<EmbeddingCounts> {
  const rows = await db().$queryRawUnsafe<{ papers: number; current: number }[]>(
    `SELECT (SELECT count(*)::int FROM papers) AS papers,
            (SELECT count(*)::int FROM paper_embeddings e JOIN papers p ON p.id = e.paper_id
              WHERE e.model = $1 AND e.version = p.latest_version) AS current`,
    model,
  );
  return rows[0] ?? { papers: 0, current: 0 };
}

export interface Neighbour {
  id: string;
  /** Cosine similarity, 1 = same direction. */
  similarity: number;
}

export interface NearestOptions {
  /** Only vectors of this model (vectors of different models cannot be compared). */
  model: string;
  limit?: number;
  excludeId?: string;
  categories?: string[] | null;
  from?: string | null;
  to?: string | null;
}

/**
 * The stored vectors nearest to `vector` by cosine distance, nearest first, through the HNSW index.
 * Filters are applied as the index is walked (pgvector's iterative scan where available), so a
 * filtered query still fills its limit.
 */
export async function nearestPapers(vector: ArrayLike<number>, options: NearestOptions): Promise<Neighbour[]> {
  const limit = options.limit ?? 10;
  const iterative = await hasIterativeScan();
  return db().$transaction(async (tx) => {
    // ef_search bounds how many candidates one index scan yields: at least the limit asked for.
    await tx.$executeRawUnsafe(`SELECT set_config('hnsw.ef_search', $1, true)`, String(Math.min(1000, Math.max(40, limit * 2))));
    if (iterative) await tx.$executeRawUnsafe(`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)`);
    const rows = await tx.$queryRawUnsafe<{ id: string; distance: number }[]>(
      `SELECT n.id, n.distance FROM (
         SELECT e.paper_id AS id, (e.embedding <=> $1::vector)::float8 AS distance
           FROM paper_embeddings e JOIN papers p ON p.id = e.paper_id
          WHERE e.model = $2
            AND ($3::text IS NULL OR e.paper_id <> $3)
            AND ($4::text[] IS NULL OR p.categories && $4::text[])
            AND ($5::date IS NULL OR p.published_at >= $5::date)
            AND ($6::date IS NULL OR p.published_at < $6::date + 1)
          ORDER BY e.embedding <=> $1::vector
          LIMIT $7) n
       ORDER BY n.distance, n.id`,
      toPgVector(vector),
      options.model,
      options.excludeId ?? null,
      options.categories?.length ? options.categories : null,
      options.from ?? null,
      options.to ?? null,
      limit,
    );
    return rows.map((r) => ({ id: r.id, similarity: 1 - r.distance }));
  });
}

let iterativeScan: Promise<boolean> | undefined;

/** pgvector 0.8 walks the index further when filters drop candidates; older versions lack the setting. */
function hasIterativeScan(): Promise<boolean> {
  iterativeScan ??= db()
    .$queryRawUnsafe<{ v: string }[]>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`)
    .then((rows) => {
      const [major = 0, minor = 0] = (rows[0]?.v ?? "0.0").split(".").map(Number);
      return major > 0 || minor >= 8;
    })
    .catch((error: unknown) => {
      iterativeScan = undefined; // asked again next time
      throw error;
    });
  return iterativeScan;
}

export interface RelatedPaper extends PaperRecord {
  similarity: number;
}

/**
 * Papers nearest to `paperId`'s stored vector (same model), nearest first. `embedded` says whether
 * the paper has a vector at all (the page explains an empty list differently).
 */
/** relatedPapers' one statement: $1 the paper, $2 how many. */
export const RELATED_PAPERS_SQL = `WITH n AS (
       SELECT e.paper_id, (e.embedding <=> (SELECT embedding FROM paper_embeddings WHERE paper_id = $1))::float8 AS distance
         FROM paper_embeddings e
        WHERE e.model = (SELECT model FROM paper_embeddings WHERE paper_id = $1) AND e.paper_id <> $1
        ORDER BY e.embedding <=> (SELECT embedding FROM paper_embeddings WHERE paper_id = $1)
        LIMIT $2)
     SELECT ${PAPER_COLUMNS}, 1 - n.distance AS similarity FROM n JOIN papers p ON p.id = n.paper_id ORDER BY n.distance, n.paper_id`;

export async function relatedPapers(paperId: string, limit = 8): Promise<{ embedded: boolean; papers: RelatedPaper[] }> {
  // One statement on the common path (a paper page is read far more often than anything else): the
  // source vector is a sub-select, which pgvector's HNSW scan takes as its constant. It leaves out
  // nearestPapers' transaction (ef_search and iterative scan settings) and so may come back short
  // when many vectors are of another model; then, or when there is no source vector, it asks again.
  const rows = await db().$queryRawUnsafe<(PaperRow & { similarity: number })[]>(
    RELATED_PAPERS_SQL,
    paperId,
    Math.max(1, Math.min(40, limit)),
  );
  if (rows.length >= limit) return { embedded: true, papers: rows.map((r) => ({ ...toPaperRecord(r), similarity: r.similarity })) };
  return relatedPapersThroughIndexWalk(paperId, limit);
}

/** relatedPapers' careful path: nearestPapers with its filters applied as the index is walked. */
async function relatedPapersThroughIndexWalk(paperId: string, limit: number): Promise<{ embedded: boolean; papers: RelatedPaper[] }> {
  const source = await db().$queryRawUnsafe<{ embedding: string; model: string }[]>(
    `SELECT embedding::text AS embedding, model FROM paper_embeddings WHERE paper_id = $1`,
    paperId,
  );
  if (!source[0]) return { embedded: false, papers: [] };
  const vector = JSON.parse(source[0].embedding) as number[];
  const neighbours = await nearestPapers(vector, { model: source[0].model, limit, excludeId: paperId });
  if (neighbours.length === 0) return { embedded: true, papers: [] };
  const rows = await db().$queryRawUnsafe<PaperRow[]>(
    `SELECT ${PAPER_COLUMNS} FROM papers p WHERE p.id = ANY($1::text[])`,
    neighbours.map((n) => n.id),
  );
  const byId = new Map(rows.map((r) => [r.id, toPaperRecord(r)]));
  const papers = neighbours.flatMap((n) => {
    const paper = byId.get(n.id);
    return paper ? [{ ...paper, similarity: n.similarity }] : [];
  });
  return { embedded: true, papers };
}
