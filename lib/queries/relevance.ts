// Storage for the learned topic models: papers' lexical feature vectors and the corpus' document
// frequencies (lib/relevance/features.ts), the examples a topic trains on, and the trained models
// (lib/relevance/model.ts). Every topic-scoped read takes the owner's id or is called by the worker
// with a topic id it was given; the listing's scoring SQL is in lib/relevance/score-sql.ts.
import { toPgVector } from "../embed/embedder";
import { db } from "../db";
import { FEATURE_VERSION, featurize, fromSparsevec, toSparsevec, type PaperText } from "../relevance/features";
import type { LinearModel } from "../relevance/model";

export interface PaperForFeatures extends PaperText {
  id: string;
  version: number;
}

/**
 * Stores the feature vectors of these papers (their current version), and counts the papers seen for
 * the first time into the document frequencies. A paper whose vector is already current is left
 * alone unless `replace` (its text changed at the same version); a new version replaces the vector
 * but is not counted again (df counts papers, not versions).
 * Returns how many vectors were written.
 */
export async function storePaperFeatures(papers: PaperForFeatures[], options: { replace?: boolean } = {}): Promise<number> {
  if (!papers.length) return 0;
  const features = papers.map((p) => featurize(p));
  return db().$transaction(async (tx) => {
    const written = await tx.$queryRawUnsafe<{ paper_id: string; inserted: boolean }[]>(
      // Times in UTC, as Prisma writes them (the columns carry no time zone).
      `INSERT INTO paper_features (paper_id, version, feature_version, vector, created_at)
       SELECT i.paper_id, i.version, $4, i.vector::sparsevec, timezone('UTC', now())
       FROM unnest($1::text[], $2::int[], $3::text[]) AS i(paper_id, version, vector)
       JOIN papers p ON p.id = i.paper_id
       ON CONFLICT (paper_id) DO UPDATE SET version = EXCLUDED.version, feature_version = EXCLUDED.feature_version,
         vector = EXCLUDED.vector, created_at = EXCLUDED.created_at
       WHERE $5 OR (paper_features.version, paper_features.feature_version) IS DISTINCT FROM (EXCLUDED.version, EXCLUDED.feature_version)
       RETURNING paper_id, (xmax = 0) AS inserted`,
      papers.map((p) => p.id),
      papers.map((p) => p.version),
      features.map((f) => toSparsevec(f)),
      FEATURE_VERSION,
      options.replace ?? false,
    );
    const inserted = new Set(written.filter((r) => r.inserted).map((r) => r.paper_id));
    if (inserted.size) {
      const df = new Map<number, number>([[0, inserted.size]]);
      papers.forEach((p, i) => {
        if (!inserted.has(p.id)) return;
        for (const dim of features[i]!.indices) df.set(dim, (df.get(dim) ?? 0) + 1);
      });
      // Ascending dimensions: concurrent writers lock rows in one order, so they wait, never deadlock.
      const dims = [...df.keys()].sort((a, b) => a - b);
      await tx.$executeRawUnsafe(
        `INSERT INTO term_df (dim, df) SELECT * FROM unnest($1::int[], $2::int[])
         ON CONFLICT (dim) DO UPDATE SET df = term_df.df + EXCLUDED.df`,
        dims,
        dims.map((d) => df.get(d)!),
      );
    }
    return written.length;
  });
}

/**
 * The texts of these papers (latest version) whose feature vector is missing or stale, and of
 * `changed` among them (text changed at the same version: their vector is stale too).
 */
export async function papersMissingFeatures(ids: string[], changed: string[] = []): Promise<PaperForFeatures[]> {
  if (!ids.length) return [];
  return db().$queryRawUnsafe<PaperForFeatures[]>(
    `SELECT p.id, p.latest_version AS version, p.title, p.abstract
     FROM papers p LEFT JOIN paper_features f ON f.paper_id = p.id
     WHERE p.id = ANY($1::text[])
       AND (f.paper_id IS NULL OR f.version <> p.latest_version OR f.feature_version <> $2 OR p.id = ANY($3::text[]))`,
    ids,
    FEATURE_VERSION,
    changed,
  );
}

/**
 * The next `limit` papers after `afterId` (by id) that appear in a listing, are labelled for a topic
 * or starred, and lack a current feature vector: what the backfill computes. (History imported but
 * never listed gets a vector when it is labelled.)
 */
export async function listPapersNeedingFeatures(afterId: string | null, limit: number): Promise<PaperForFeatures[]> {
  return db().$queryRawUnsafe<PaperForFeatures[]>(
    `SELECT p.id, p.latest_version AS version, p.title, p.abstract
     FROM papers p LEFT JOIN paper_features f ON f.paper_id = p.id
     WHERE ($1::text IS NULL OR p.id > $1)
       AND (f.paper_id IS NULL OR f.version <> p.latest_version OR f.feature_version <> $3)
       AND (EXISTS (SELECT 1 FROM listings l WHERE l.paper_id = p.id)
            OR EXISTS (SELECT 1 FROM topic_papers tp WHERE tp.paper_id = p.id)
            OR EXISTS (SELECT 1 FROM stars s WHERE s.paper_id = p.id))
     ORDER BY p.id LIMIT $2`,
    afterId,
    limit,
    FEATURE_VERSION,
  );
}

/** Document count (dim 0) and the df of each given dimension; absent dimensions have df 0. */
export async function documentFrequencies(dims: number[]): Promise<{ documents: number; df: Map<number, number> }> {
  const rows = await db().$queryRawUnsafe<{ dim: number; df: number }[]>(
    `SELECT dim, df FROM term_df WHERE dim = 0 OR dim = ANY($1::int[])`,
    dims,
  );
  const df = new Map(rows.map((r) => [r.dim, r.df]));
  const documents = df.get(0) ?? 0;
  df.delete(0);
  return { documents, df };
}

/** What trains a topic: its text and settings, as the worker reads them. */
export interface TopicForTraining {
  id: string;
  userId: string;
  name: string;
  description: string;
  keywords: string[];
  includeStarred: boolean;
  labelsChangedAt: Date;
  /** The topic text's vector and its model, when it has one. */
  embedding: Float32Array | null;
  embeddingModel: string | null;
}

export async function topicForTraining(topicId: string): Promise<TopicForTraining | null> {
  const rows = await db().$queryRawUnsafe<
    { id: string; user_id: string; name: string; description: string; keywords: string[]; include_starred: boolean; labels_changed_at: Date; embedding: string | null; embedding_model: string | null }[]
  >(
    `SELECT id::text, user_id, name, description, keywords, include_starred, labels_changed_at, embedding::text, embedding_model
     FROM topics WHERE id = $1::uuid`,
    topicId,
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    description: r.description,
    keywords: r.keywords,
    includeStarred: r.include_starred,
    labelsChangedAt: r.labels_changed_at,
    embedding: r.embedding ? parseVector(r.embedding) : null,
    embeddingModel: r.embedding_model,
  };
}

export const parseVector = (text: string) => Float32Array.from(text.slice(1, -1).split(","), Number);

/**
 * The topic's labelled papers (and, when it says so, its owner's starred papers as positives unless
 * marked "not interested" for it), by id.
 */
export async function trainingLabels(topic: Pick<TopicForTraining, "id" | "userId" | "includeStarred">): Promise<{ positive: string[]; negative: string[] }> {
  const rows = await db().$queryRawUnsafe<{ paper_id: string; label: "positive" | "negative" }[]>(
    `SELECT tp.paper_id, tp.label::text AS label FROM topic_papers tp WHERE tp.topic_id = $1::uuid
     UNION
     SELECT s.paper_id, 'positive' FROM stars s
     WHERE $3 AND s.user_id = $2
       AND NOT EXISTS (SELECT 1 FROM topic_papers tp WHERE tp.topic_id = $1::uuid AND tp.paper_id = s.paper_id)`,
    topic.id,
    topic.userId,
    topic.includeStarred,
  );
  return {
    positive: rows.filter((r) => r.label === "positive").map((r) => r.paper_id),
    negative: rows.filter((r) => r.label === "negative").map((r) => r.paper_id),
  };
}

/** Up to `limit` of the most recently published papers, excluding `exclude`. */
export async function recentPaperIds(limit: number, exclude: string[]): Promise<string[]> {
  const rows = await db().$queryRawUnsafe<{ id: string }[]>(
    `SELECT p.id FROM papers p WHERE NOT (p.id = ANY($2::text[]))
     ORDER BY p.published_at DESC NULLS LAST, p.id DESC LIMIT $1`,
    limit,
    exclude,
  );
  return rows.map((r) => r.id);
}

export interface PaperForTraining extends PaperText {
  paperId: string;
  /** The paper's vector of the requested embedding model, when asked for and present. */
  dense: Float32Array | null;
}

/** Title, abstract and (when `embeddingModel` is given) the embedding of that model, of these papers. */
export async function papersForTraining(ids: string[], embeddingModel: string | null): Promise<PaperForTraining[]> {
  if (!ids.length) return [];
  const rows = await db().$queryRawUnsafe<{ id: string; title: string; abstract: string; dense: string | null }[]>(
    `SELECT p.id, p.title, p.abstract, e.embedding::text AS dense
     FROM papers p LEFT JOIN paper_embeddings e ON e.paper_id = p.id AND e.model = $2
     WHERE p.id = ANY($1::text[])`,
    ids,
    embeddingModel,
  );
  return rows.map((r) => ({ paperId: r.id, title: r.title, abstract: r.abstract, dense: r.dense ? parseVector(r.dense) : null }));
}

export interface ModelToStore {
  topicId: string;
  labelsAt: Date;
  model: LinearModel;
  embeddingModel: string | null;
  positives: number;
  negatives: number;
  background: number;
  learned: { positive: string[]; negative: string[] };
  trainMs: number;
}

/** Stores (replaces) a topic's model; nothing when the topic was deleted meanwhile. */
export async function saveTopicModel(m: ModelToStore): Promise<boolean> {
  const n = await db().$executeRawUnsafe(
    `INSERT INTO topic_models (topic_id, labels_at, feature_version, weights, terms, embedding_model, dense, bias,
       positives, negatives, background, learned, trained_at, train_ms, quantiles)
     SELECT t.id, $2, $3, $4::sparsevec, $5::text[], $6, $7::vector, $8, $9, $10, $11, $12::jsonb, timezone('UTC', now()), $13, $14::float8[]
     FROM topics t WHERE t.id = $1::uuid
     ON CONFLICT (topic_id) DO UPDATE SET labels_at = EXCLUDED.labels_at, feature_version = EXCLUDED.feature_version,
       weights = EXCLUDED.weights, terms = EXCLUDED.terms, embedding_model = EXCLUDED.embedding_model, dense = EXCLUDED.dense,
       bias = EXCLUDED.bias, positives = EXCLUDED.positives, negatives = EXCLUDED.negatives, background = EXCLUDED.background,
       learned = EXCLUDED.learned, trained_at = EXCLUDED.trained_at, train_ms = EXCLUDED.train_ms, quantiles = EXCLUDED.quantiles`,
    m.topicId,
    m.labelsAt,
    FEATURE_VERSION,
    toSparsevec({ indices: m.model.dims, values: m.model.weights }),
    m.model.terms,
    m.model.dense ? m.embeddingModel : null,
    m.model.dense ? toPgVector(m.model.dense) : null,
    m.model.bias,
    m.positives,
    m.negatives,
    m.background,
    JSON.stringify(m.learned),
    m.trainMs,
    Array.from(m.model.quantiles),
  );
  return n > 0;
}

/** Records why the topic could not be trained (null: clears it). */
export async function setTrainNote(topicId: string, note: string | null): Promise<void> {
  await db().$executeRawUnsafe(`UPDATE topics SET train_note = $2 WHERE id = $1::uuid AND train_note IS DISTINCT FROM $2`, topicId, note);
}

/** The topic's labels-changed time now (to see whether labels moved during training). */
export async function labelsChangedAt(topicId: string): Promise<Date | null> {
  const rows = await db().$queryRawUnsafe<{ at: Date }[]>(`SELECT labels_changed_at AS at FROM topics WHERE id = $1::uuid`, topicId);
  return rows[0]?.at ?? null;
}

/** Marks that what trains the reader's topic changed (it is then retrained); false when not theirs. */
export async function touchTopicLabels(userId: string, topicId: string): Promise<boolean> {
  const n = await db().$executeRawUnsafe(
    `UPDATE topics SET labels_changed_at = timezone('UTC', clock_timestamp()), train_note = NULL WHERE id = $1::uuid AND user_id = $2`,
    topicId,
    userId,
  );
  return n > 0;
}

/** The reader's topics that train on starred papers, marked changed (a star was added or removed). */
export async function touchStarTrainedTopics(userId: string): Promise<string[]> {
  const rows = await db().$queryRawUnsafe<{ id: string }[]>(
    `UPDATE topics SET labels_changed_at = timezone('UTC', clock_timestamp()), train_note = NULL WHERE user_id = $1 AND include_starred RETURNING id::text`,
    userId,
  );
  return rows.map((r) => r.id);
}

/**
 * Every topic whose model is missing or older than what trains it, or of another feature recipe,
 * or trained before the latest papers were stored (those that could not be trained before included:
 * new papers may be what they lacked), or — when `embeddingModel` is given (the loaded model) —
 * trained without that model's vectors.
 */
export async function staleTopicIds(embeddingModel: string | null = null): Promise<string[]> {
  const rows = await db().$queryRawUnsafe<{ id: string }[]>(
    `SELECT t.id::text FROM topics t LEFT JOIN topic_models m ON m.topic_id = t.id
     WHERE m.topic_id IS NULL OR m.labels_at < t.labels_changed_at OR m.feature_version <> $1
        -- Trained before the latest papers arrived: the corpus' idf and the background moved on.
        OR m.trained_at < (SELECT max(f.created_at) FROM paper_features f)
        OR ($2::text IS NOT NULL AND m.embedding_model IS DISTINCT FROM $2)`,
    FEATURE_VERSION,
    embeddingModel,
  );
  return rows.map((r) => r.id);
}

/** A topic's model as the web explains scores with it (weights by dimension, their terms). */
export interface ModelForExplaining {
  trainedAt: Date;
  dims: Int32Array;
  weights: Float32Array;
  terms: string[];
  /** The positive papers it was trained on, with their feature vectors (for "most like"). */
  positives: { id: string; title: string; indices: Int32Array; values: Float32Array }[];
}

/** When the topic's model was last trained, or null when it has none. */
export async function trainedAt(topicId: string): Promise<Date | null> {
  const rows = await db().$queryRawUnsafe<{ at: Date }[]>(`SELECT trained_at AS at FROM topic_models WHERE topic_id = $1::uuid`, topicId);
  return rows[0]?.at ?? null;
}

export async function modelForExplaining(topicId: string): Promise<ModelForExplaining | null> {
  const rows = await db().$queryRawUnsafe<{ trained_at: Date; weights: string; terms: string[] }[]>(
    `SELECT trained_at, weights::text AS weights, terms FROM topic_models WHERE topic_id = $1::uuid`,
    topicId,
  );
  const r = rows[0];
  if (!r) return null;
  const { indices, values } = fromSparsevec(r.weights);
  // The positives it trained on: papers added, and the owner's stars when the topic learns from them.
  const positives = await db().$queryRawUnsafe<{ id: string; title: string; vector: string }[]>(
    `WITH pos AS (
       SELECT tp.paper_id, tp.created_at FROM topic_papers tp WHERE tp.topic_id = $1::uuid AND tp.label = 'positive'
       UNION ALL
       SELECT s.paper_id, s.created_at FROM topics t JOIN stars s ON s.user_id = t.user_id
       WHERE t.id = $1::uuid AND t.include_starred
         AND NOT EXISTS (SELECT 1 FROM topic_papers tp WHERE tp.topic_id = t.id AND tp.paper_id = s.paper_id)
     )
     SELECT p.id, p.title, f.vector::text AS vector FROM pos
     JOIN papers p ON p.id = pos.paper_id JOIN paper_features f ON f.paper_id = pos.paper_id AND f.feature_version = $2
     ORDER BY pos.created_at DESC LIMIT 200`,
    topicId,
    FEATURE_VERSION,
  );
  return {
    trainedAt: r.trained_at,
    dims: indices,
    weights: values,
    terms: r.terms,
    positives: positives.map((p) => ({ id: p.id, title: p.title, ...fromSparsevec(p.vector) })),
  };
}
