// A reader's topics: create, edit, delete, label papers positive or "not interested", and score a
// listing's papers for a topic (lib/topics/blend.ts). Every function takes the reader's id from the
// caller's session and scopes by it: another reader's topic is "not found", never read or changed.
import type { ListingSpec } from "../arxiv/categories";
import type { AnnounceType } from "../arxiv/types";
import { toPgVector } from "../embed/embedder";
import { db } from "../db";
import { scoreSql } from "../topics/blend";
import { ANNOUNCE_TYPES, params as listingCte, TLDR_COLUMN } from "./listings";
import { PAPER_COLUMNS, toPaperRecord, type PaperRecord, type PaperRow } from "./papers";

export type TopicLabel = "positive" | "negative";

export interface TopicSummary {
  id: string;
  name: string;
  description: string;
  keywords: string[];
  /** Whether the text (name + description) has a vector (an embedding model was loaded when it was saved). */
  hasEmbedding: boolean;
  /** The model that vector came from (null: none, or stored before models were recorded). */
  embeddingModel: string | null;
  positives: number;
  negatives: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A topic's vector and the model it came from (the embedder's modelId). */
export interface TopicVector {
  vector: Float32Array;
  model: string;
}

export interface TopicInput {
  name: string;
  description: string;
  keywords: string[];
}

interface TopicRow {
  id: string;
  name: string;
  description: string;
  keywords: string[];
  has_embedding: boolean;
  embedding_model: string | null;
  positives: number;
  negatives: number;
  created_at: Date;
  updated_at: Date;
}

const toSummary = (r: TopicRow): TopicSummary => ({
  id: r.id,
  name: r.name,
  description: r.description,
  keywords: r.keywords,
  hasEmbedding: r.has_embedding,
  embeddingModel: r.embedding_model,
  positives: r.positives,
  negatives: r.negatives,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isTopicId = (id: string) => UUID.test(id);

/** A topic with its label counts (a TopicRow); the caller adds WHERE, then GROUP BY t.id. */
const TOPIC_SUMMARY_SELECT = `SELECT t.id::text, t.name, t.description, t.keywords, t.embedding IS NOT NULL AS has_embedding, t.embedding_model,
       count(tp.paper_id) FILTER (WHERE tp.label = 'positive')::int AS positives,
       count(tp.paper_id) FILTER (WHERE tp.label = 'negative')::int AS negatives,
       t.created_at, t.updated_at
     FROM topics t LEFT JOIN topic_papers tp ON tp.topic_id = t.id`;

/** The reader's topics with their label counts, by name: one query. */
export async function listTopics(userId: string): Promise<TopicSummary[]> {
  const rows = await db().$queryRawUnsafe<TopicRow[]>(
    `${TOPIC_SUMMARY_SELECT}
     WHERE t.user_id = $1
     GROUP BY t.id ORDER BY lower(t.name), t.created_at`,
    userId,
  );
  return rows.map(toSummary);
}

/** One of the reader's topics, or null (no such topic, or another reader's). */
export async function getTopic(userId: string, topicId: string): Promise<TopicSummary | null> {
  if (!isTopicId(topicId)) return null;
  const rows = await db().$queryRawUnsafe<TopicRow[]>(
    `${TOPIC_SUMMARY_SELECT}
     WHERE t.id = $1::uuid AND t.user_id = $2
     GROUP BY t.id`,
    topicId,
    userId,
  );
  return rows[0] ? toSummary(rows[0]) : null;
}

/**
 * Creates a topic; `seedPaperIds` become positive papers (ids not in the library are returned in
 * `missing`, the rest kept). `embedding` is the vector of its text when a model is loaded.
 */
export async function createTopic(
  userId: string,
  input: TopicInput,
  seedPaperIds: string[] = [],
  embedding: TopicVector | null = null,
): Promise<{ id: string; missing: string[] }> {
  return db().$transaction(async (tx) => {
    const topic = await tx.topic.create({ data: { userId, ...input }, select: { id: true } });
    if (embedding) {
      await tx.$executeRawUnsafe(
        `UPDATE topics SET embedding = $1::vector, embedding_model = $2 WHERE id = $3::uuid`,
        toPgVector(embedding.vector),
        embedding.model,
        topic.id,
      );
    }
    const found = seedPaperIds.length
      ? (await tx.paper.findMany({ where: { id: { in: seedPaperIds } }, select: { id: true } })).map((p) => p.id)
      : [];
    if (found.length) {
      await tx.topicPaper.createMany({ data: found.map((paperId) => ({ topicId: topic.id, paperId, label: "positive" as const })), skipDuplicates: true });
    }
    return { id: topic.id, missing: seedPaperIds.filter((id) => !found.includes(id)) };
  });
}

/**
 * Changes the reader's topic; false when it is not theirs. The description's vector is replaced by
 * `embedding` when given, or cleared when the name or description changed (null then: no model, no vector rather than a stale one).
 */
export async function updateTopic(userId: string, topicId: string, input: TopicInput, embedding: TopicVector | null): Promise<boolean> {
  if (!isTopicId(topicId)) return false;
  return db().$transaction(async (tx) => {
    const before = await tx.topic.findFirst({ where: { id: topicId, userId }, select: { name: true, description: true } });
    if (!before) return false;
    await tx.topic.update({ where: { id: topicId }, data: input });
    if (before.description !== input.description || before.name !== input.name || embedding) {
      await tx.$executeRawUnsafe(
        `UPDATE topics SET embedding = $1::vector, embedding_model = $2 WHERE id = $3::uuid`,
        embedding ? toPgVector(embedding.vector) : null,
        embedding?.model ?? null,
        topicId,
      );
    }
    return true;
  });
}

/**
 * Stores the vector of a topic that has none (saved while no model was loaded) or one of another
 * model (stale after a model change), only while that is still so and its text is still the text
 * that was embedded (a save in between wins); false otherwise.
 */
export async function setMissingTopicEmbedding(
  userId: string,
  topicId: string,
  text: { name: string; description: string },
  embedding: TopicVector,
): Promise<boolean> {
  if (!isTopicId(topicId)) return false;
  const updated = await db().$executeRawUnsafe(
    `UPDATE topics SET embedding = $1::vector, embedding_model = $2
     WHERE id = $3::uuid AND user_id = $4 AND (embedding IS NULL OR embedding_model IS DISTINCT FROM $2)
       AND name = $5 AND description = $6`,
    toPgVector(embedding.vector),
    embedding.model,
    topicId,
    userId,
    text.name,
    text.description,
  );
  return updated > 0;
}

export interface StaleTopic {
  id: string;
  userId: string;
  name: string;
  description: string;
}

/**
 * Every reader's topics whose vector is missing or not of `model`, by id after `after` (keyset
 * pages), for the embed job's "all"/"missing" runs.
 */
export async function listStaleTopics(model: string, after: string | null, limit: number): Promise<StaleTopic[]> {
  return db().$queryRawUnsafe<StaleTopic[]>(
    `SELECT id::text AS id, user_id AS "userId", name, description FROM topics
     WHERE (embedding IS NULL OR embedding_model IS DISTINCT FROM $1) AND ($2::uuid IS NULL OR id > $2::uuid)
     ORDER BY id LIMIT $3`,
    model,
    after,
    limit,
  );
}

/** Deletes the reader's topic (and its labels); false when it is not theirs. */
export async function deleteTopic(userId: string, topicId: string): Promise<boolean> {
  if (!isTopicId(topicId)) return false;
  const { count } = await db().topic.deleteMany({ where: { id: topicId, userId } });
  return count > 0;
}

export type LabelResult = "ok" | "no-topic" | "no-paper";

/** Labels a paper for the reader's topic (replacing an earlier label), or clears it (label null). */
export async function labelPaper(userId: string, topicId: string, paperId: string, label: TopicLabel | null): Promise<LabelResult> {
  if (!isTopicId(topicId)) return "no-topic";
  const owned = await db().topic.count({ where: { id: topicId, userId } });
  if (!owned) return "no-topic";
  if (label === null) {
    await db().topicPaper.deleteMany({ where: { topicId, paperId } });
    return "ok";
  }
  const inserted = await db().$executeRawUnsafe(
    `INSERT INTO topic_papers (topic_id, paper_id, label)
     SELECT $1::uuid, p.id, $3::topic_label FROM papers p WHERE p.id = $2
     ON CONFLICT (topic_id, paper_id) DO UPDATE SET label = EXCLUDED.label, created_at = now()`,
    topicId,
    paperId,
    label,
  );
  return inserted > 0 ? "ok" : "no-paper";
}

export interface LabelledPaper {
  id: string;
  title: string;
  label: TopicLabel;
  labelledAt: Date;
}

/** The papers labelled for the reader's topic, newest label first. */
export async function listTopicPapers(userId: string, topicId: string): Promise<LabelledPaper[]> {
  if (!isTopicId(topicId)) return [];
  const rows = await db().topicPaper.findMany({
    where: { topicId, topic: { userId } },
    orderBy: [{ createdAt: "desc" }, { paperId: "asc" }],
    select: { paperId: true, label: true, createdAt: true, paper: { select: { title: true } } },
  });
  return rows.map((r) => ({ id: r.paperId, title: r.paper.title, label: r.label, labelledAt: r.createdAt }));
}

/** Why a paper scored what it did, for the card. */
export interface Relevance {
  score: number;
  /** Embedding part (0..1), null when the paper or the topic has no vectors (of the same model). */
  embeddingPart: number | null;
  /** Keyword part (0..1), null when the topic has no keywords. */
  keywordPart: number | null;
  /** The topic's keywords found in the paper, in the topic's order. */
  matched: string[];
  /** The most similar positive (starred into the topic or seed) paper, when vectors exist. */
  similar: { id: string; title: string; cosine: number } | null;
  /** The reader's label of this paper for the topic. */
  label: TopicLabel | null;
}

export interface ScoredPaper extends PaperRecord {
  announceType: AnnounceType;
  position: number;
  tldr: string | null;
  relevance: Relevance;
}

export interface ScoredListing {
  papers: ScoredPaper[];
  /** Papers of the listing (this tab) at or above the threshold. */
  total: number;
}

type ScoredRow = PaperRow & {
  announce_type: AnnounceType;
  position: number;
  score: number;
  embedding_part: number | null;
  keyword_part: number | null;
  matched: string[];
  best_id: string | null;
  best_title: string | null;
  best_cos: number | null;
  label: TopicLabel | null;
  tldr: string | null;
  total: number;
};

function toScored(r: ScoredRow): ScoredPaper {
  return {
    ...toPaperRecord(r),
    announceType: r.announce_type,
    position: r.position,
    tldr: r.tldr,
    relevance: {
      score: r.score,
      embeddingPart: r.embedding_part,
      keywordPart: r.keyword_part,
      matched: r.matched,
      similar: r.best_id && r.best_title !== null && r.best_cos !== null ? { id: r.best_id, title: r.best_title, cosine: r.best_cos } : null,
      label: r.label,
    },
  };
}

/**
 * A day's listing scored for the reader's topic, best first (ties in arXiv's order), only papers
 * scoring at least `min`, paged: ONE statement however many papers (scores, explanation, total).
 * Another reader's topic gives an empty listing.
 */
export async function listScoredPapersForDay(
  userId: string,
  topicId: string,
  spec: ListingSpec,
  date: string,
  options: { types?: AnnounceType[]; min?: number; offset?: number; limit?: number } = {},
): Promise<ScoredListing> {
  if (!isTopicId(topicId)) return { papers: [], total: 0 };
  const types = options.types?.length ? options.types : ANNOUNCE_TYPES;
  const { sql, args } = listingCte(spec, date);
  const rows = await db().$queryRawUnsafe<ScoredRow[]>(
    `${sql},
     candidates AS (SELECT kept.paper_id FROM kept WHERE kept.announce_type::text = ANY($4::text[])),
     ${scoreSql("candidates", "$5", "$6")},
     -- The page is cut before the papers' text is read: only its rows are joined with papers.
     page AS (
       SELECT s.*, kept.announce_type, kept.position, count(*) OVER ()::int AS total
       FROM scored s JOIN kept ON kept.paper_id = s.paper_id
       WHERE s.score >= $7
       ORDER BY s.score DESC, kept.announce_type, kept.position, s.paper_id
       OFFSET $8 LIMIT $9
     )
     SELECT ${PAPER_COLUMNS}, page.announce_type, page.position, page.score, page.embedding_part, page.keyword_part,
       page.matched, page.best_id, page.best_title, page.best_cos, page.label, page.total, ${TLDR_COLUMN}
     FROM page JOIN papers p ON p.id = page.paper_id
     ORDER BY page.score DESC, page.announce_type, page.position, p.id`,
    ...args,
    types,
    topicId,
    userId,
    options.min ?? 0,
    options.offset ?? 0,
    options.limit ?? 2_000,
  );
  // An offset past the end leaves no row to carry the total; that page is empty either way.
  return { papers: rows.map(toScored), total: rows[0]?.total ?? 0 };
}

/** The owner of a topic (for the feed, which is authorised by a token, not a session). */
export async function topicOwner(topicId: string): Promise<{ userId: string; name: string } | null> {
  if (!isTopicId(topicId)) return null;
  return db().topic.findUnique({ where: { id: topicId }, select: { userId: true, name: true } });
}
