// A reader's topics: create, edit, delete, label papers positive or "not interested", and score a
// listing's papers for a topic (lib/topics/blend.ts). Every function takes the reader's id from the
// caller's session and scopes by it: another reader's topic is "not found", never read or changed.
import type { ListingSpec } from "../arxiv/categories";
import type { AnnounceType } from "../arxiv/types";
import { toPgVector } from "../embed/embedder";
import { db } from "../db";
import { scoreSql } from "../topics/blend";
import { FEATURE_VERSION } from "../relevance/features";
import { explainScores } from "../relevance/explain";
import { touchTopicLabels } from "./relevance";
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
  /** Whether the reader's starred papers train it too. */
  includeStarred: boolean;
  /** Its learned model: none yet, being (re)trained, or ready (trained for the current labels). */
  model: TopicModelState;
  createdAt: Date;
  updatedAt: Date;
}

export interface TopicModelState {
  state: "none" | "training" | "ready";
  /** Why no model could be trained yet, when that is so. */
  note: string | null;
  trainedAt: Date | null;
  /** Examples it was trained on (positives include the topic's own text). */
  positives: number;
  negatives: number;
  background: number;
  /** The embedding model whose vectors it uses, or null (terms only). */
  embeddingModel: string | null;
  /** Its strongest terms each way ("what this topic has learned"). */
  learned: { positive: string[]; negative: string[] };
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
  includeStarred?: boolean;
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
  include_starred: boolean;
  labels_changed_at: Date;
  model_labels_at: Date | null;
  model_trained_at: Date | null;
  model_positives: number | null;
  model_negatives: number | null;
  model_background: number | null;
  model_embedding: string | null;
  model_learned: { positive?: string[]; negative?: string[] } | null;
  model_current: boolean | null;
  train_note: string | null;
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
  includeStarred: r.include_starred,
  model: {
    state: r.model_current ? "ready" : r.train_note !== null ? "none" : "training",
    note: r.train_note,
    trainedAt: r.model_trained_at,
    positives: r.model_positives ?? 0,
    negatives: r.model_negatives ?? 0,
    background: r.model_background ?? 0,
    embeddingModel: r.model_embedding,
    learned: { positive: r.model_learned?.positive ?? [], negative: r.model_learned?.negative ?? [] },
  },
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isTopicId = (id: string) => UUID.test(id);

/**
 * A topic with its label counts and its model's state (a TopicRow); the caller adds WHERE, then
 * GROUP BY t.id, m.topic_id. The model is current when trained for the topic's latest labels and
 * the current feature recipe.
 */
const TOPIC_SUMMARY_SELECT = `SELECT t.id::text, t.name, t.description, t.keywords, t.embedding IS NOT NULL AS has_embedding, t.embedding_model,
       count(tp.paper_id) FILTER (WHERE tp.label = 'positive')::int AS positives,
       count(tp.paper_id) FILTER (WHERE tp.label = 'negative')::int AS negatives,
       t.include_starred, t.labels_changed_at, t.train_note,
       m.labels_at AS model_labels_at, m.trained_at AS model_trained_at, m.positives AS model_positives,
       m.negatives AS model_negatives, m.background AS model_background, m.embedding_model AS model_embedding,
       m.learned AS model_learned,
       (m.labels_at >= t.labels_changed_at AND m.feature_version = ${FEATURE_VERSION}) AS model_current,
       t.created_at, t.updated_at
     FROM topics t LEFT JOIN topic_papers tp ON tp.topic_id = t.id LEFT JOIN topic_models m ON m.topic_id = t.id`;

/**
 * What a page's reader slots need of a reader (lib/reader-pages.ts): their topics' ids and names in
 * listTopics' order, and the papers they starred. One query.
 */
export async function readerSlotData(userId: string): Promise<{ topics: { id: string; name: string }[]; starred: Set<string> }> {
  const [row] = await db().$queryRawUnsafe<{ topics: { id: string; name: string }[]; starred: string[] }[]>(
    `SELECT COALESCE((SELECT json_agg(json_build_object('id', t.id::text, 'name', t.name) ORDER BY lower(t.name), t.created_at)
                      FROM topics t WHERE t.user_id = $1), '[]'::json) AS topics,
            ARRAY(SELECT s.paper_id FROM stars s WHERE s.user_id = $1) AS starred`,
    userId,
  );
  return { topics: row?.topics ?? [], starred: new Set(row?.starred ?? []) };
}

/** The reader's topics, id and name only, in the order of their topics page. */
export async function listTopicNames(userId: string): Promise<{ id: string; name: string }[]> {
  return db().$queryRawUnsafe<{ id: string; name: string }[]>(
    `SELECT t.id::text AS id, t.name FROM topics t WHERE t.user_id = $1 ORDER BY lower(t.name), t.created_at`,
    userId,
  );
}

/** The reader's topics with their label counts, by name: one query. */
export async function listTopics(userId: string): Promise<TopicSummary[]> {
  const rows = await db().$queryRawUnsafe<TopicRow[]>(
    `${TOPIC_SUMMARY_SELECT}
     WHERE t.user_id = $1
     GROUP BY t.id, m.topic_id ORDER BY lower(t.name), t.created_at`,
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
     GROUP BY t.id, m.topic_id`,
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
    const before = await tx.topic.findFirst({
      where: { id: topicId, userId },
      select: { name: true, description: true, keywords: true, includeStarred: true },
    });
    if (!before) return false;
    // Whatever trains the model changed: it is retrained (the caller queues the job).
    const retrain =
      before.name !== input.name ||
      before.description !== input.description ||
      before.keywords.join("\n") !== input.keywords.join("\n") ||
      (input.includeStarred !== undefined && before.includeStarred !== input.includeStarred);
    await tx.topic.update({ where: { id: topicId }, data: retrain ? { ...input, labelsChangedAt: new Date(), trainNote: null } : input });
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
  const touch = () => touchTopicLabels(userId, topicId);
  if (label === null) {
    const { count } = await db().topicPaper.deleteMany({ where: { topicId, paperId } });
    if (count) await touch();
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
  if (inserted > 0) await touch();
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
  /** The learned model's part (0..1), null while the topic has no trained model. */
  modelPart: number | null;
  /** Keyword part (0..1), null when the topic has no keywords. */
  keywordPart: number | null;
  /** The topic's keywords found in the paper, in the topic's order. */
  matched: string[];
  /** The paper's terms that added most to the model's score, largest first (lib/relevance/explain.ts). */
  terms: string[];
  /** The labelled paper of the topic this one shares most weighted terms with, and those terms. */
  similar: { id: string; title: string; shared: string[] } | null;
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
  model_part: number | null;
  keyword_part: number | null;
  matched: string[];
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
      modelPart: r.model_part,
      keywordPart: r.keyword_part,
      matched: r.matched,
      terms: [],
      similar: null,
      label: r.label,
    },
  };
}

/**
 * A day's listing scored for the reader's topic, best first (equal scores by the model's margin, then
 * arXiv's order), only papers scoring at least `min`, paged: ONE statement however many papers
 * (scores, threshold, page, total); the page's explanations then come from the model's weights
 * (lib/relevance/explain.ts: one query to check its in-memory copy, two more to load a new one).
 * Another reader's topic gives an empty listing.
 */
export async function listScoredPapersForDay(
  userId: string,
  topicId: string,
  spec: ListingSpec,
  date: string,
  options: { types?: AnnounceType[]; min?: number; offset?: number; limit?: number; explain?: boolean } = {},
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
       ORDER BY s.score DESC, s.margin DESC NULLS LAST, kept.announce_type, kept.position, s.paper_id
       OFFSET $8 LIMIT $9
     )
     SELECT ${PAPER_COLUMNS}, page.announce_type, page.position, page.score, page.model_part, page.keyword_part,
       page.matched, page.label, page.total, ${TLDR_COLUMN}
     FROM page JOIN papers p ON p.id = page.paper_id
     ORDER BY page.score DESC, page.margin DESC NULLS LAST, page.announce_type, page.position, p.id`,
    ...args,
    types,
    topicId,
    userId,
    options.min ?? 0,
    options.offset ?? 0,
    options.limit ?? 2_000,
  );
  // An offset past the end leaves no row to carry the total; that page is empty either way.
  const papers = rows.map(toScored);
  // The page's explanations come from the model itself (its weights on each paper's terms). A caller
  // that shows none (the inbox) passes explain: false and is spared the model's load and the featurizing.
  if (options.explain !== false && papers.some((p) => p.relevance.modelPart !== null)) await explainScores(topicId, papers);
  return { papers, total: rows[0]?.total ?? 0 };
}

/**
 * A day's listing scored for several of the reader's topics at once (the inbox): for each topic, the
 * papers scoring at least `min`, as listScoredPapersForDay gives them (same scores, no explanations),
 * in ONE statement for all the topics: the listing, the papers and their vectors are read once, not
 * once per topic. Unordered; another reader's topics (and ids that are not topic ids) give nothing.
 */
export async function listScoredPapersForTopics(
  userId: string,
  topicIds: string[],
  spec: ListingSpec,
  date: string,
  options: { min?: number } = {},
): Promise<{ topicId: string; paper: ScoredPaper }[]> {
  const ids = topicIds.filter(isTopicId);
  if (!ids.length) return [];
  const { sql, args } = listingCte(spec, date);
  const rows = await db().$queryRawUnsafe<(ScoredRow & { topic_id: string })[]>(
    `${sql},
     candidates AS (SELECT kept.paper_id FROM kept),
     ${scoreSql("candidates", "$4", "$5", true)},
     hits AS (SELECT s.* FROM scored s WHERE s.score >= $6)
     SELECT ${PAPER_COLUMNS}, kept.announce_type, kept.position, hits.topic_id::text AS topic_id, hits.score, hits.model_part,
       hits.keyword_part, hits.matched, hits.label, ${TLDR_COLUMN}
     FROM hits JOIN kept ON kept.paper_id = hits.paper_id JOIN papers p ON p.id = hits.paper_id`,
    ...args,
    ids,
    userId,
    options.min ?? 0,
  );
  return rows.map((r) => ({ topicId: r.topic_id, paper: toScored(r) }));
}

/** The owner of a topic (for the feed, which is authorised by a token, not a session). */
export async function topicOwner(topicId: string): Promise<{ userId: string; name: string } | null> {
  if (!isTopicId(topicId)) return null;
  return db().topic.findUnique({ where: { id: topicId }, select: { userId: true, name: true } });
}
