// The relevance blend of a paper for a topic, in one place: the weights, and the SQL that computes
// the score and its explanation for many papers at once (lib/queries/topics.ts runs it). README
// "Topics and scores" states the same formula in words; keep the two together.
//
//   E (embedding part, 0..1) = clamp( A − λ·N , 0, 1 )
//       A = mean of the parts that exist of { cos(paper, description), mean cos(paper, positives) }
//       N = mean cos(paper, negatives), 0 when there are none;  λ = NEGATIVE_WEIGHT
//   K (keyword part, 0..1)   = mean over the topic's keywords of
//       1 if the keyword (stemmed, as a phrase) is in the title, TEXT_WEIGHT if only in the
//       abstract or authors, 0 otherwise (a keyword of stop words only, like "the", is left out)
//   score = (wE·E + wK·K) / (wE + wK), counting only the parts that exist for this paper and topic:
//       E exists when the paper has a vector and the topic has a description vector or a positive
//       paper with a vector; K exists when the topic has a keyword. Neither: 0.
//   Vectors of different models are never compared: when the topic has a vector, only a paper vector
//   of the topic's model (topics.embedding_model = paper_embeddings.model) counts (else E is null for
//   that paper); labelled papers count only with a vector of the scored paper's model. A topic
//   vector of no recorded model (stored before models were recorded) is not used.
//
// A paper is never compared with itself (a seed paper is scored against the other seeds), and a
// paper the reader marked "not interested" for the topic scores 0 for it.

export const EMBEDDING_WEIGHT = 0.7;
export const KEYWORD_WEIGHT = 0.3;
export const NEGATIVE_WEIGHT = 0.5;
/** A keyword met in the abstract or the authors (not the title) counts this much. */
export const TEXT_WEIGHT = 0.6;

/** Default threshold for a topic's feed (and the suggested one in the picker). */
export const DEFAULT_FEED_THRESHOLD = 0.3;

export interface BlendParts {
  /** Embedding part, or null when it does not exist for this paper and topic. */
  embedding: number | null;
  /** Keyword part, or null when the topic has no keywords. */
  keyword: number | null;
}

/** The blend of existing parts (the same arithmetic as the SQL below, for callers and docs). */
export function blend({ embedding, keyword }: BlendParts): number {
  let sum = 0;
  let weight = 0;
  if (embedding !== null) {
    sum += EMBEDDING_WEIGHT * embedding;
    weight += EMBEDDING_WEIGHT;
  }
  if (keyword !== null) {
    sum += KEYWORD_WEIGHT * keyword;
    weight += KEYWORD_WEIGHT;
  }
  return weight === 0 ? 0 : sum / weight;
}

/**
 * SQL scoring the papers of a `candidates` relation (columns paper_id, plus whatever it carries) for
 * the topic `$topic` owned by `$user`. Parameter placeholders are given by the caller so the text can
 * follow other CTEs. Yields one row per candidate with: paper_id, score, embedding_part, keyword_part,
 * matched (keywords in the topic's order), best_id/best_title/best_cos (the most similar positive
 * paper), label (the reader's label of the paper for this topic, or null). A topic that is not the user's yields no rows at all.
 */
export function scoreSql(candidates: string, topicParam: string, userParam: string): string {
  return `
  topic AS (
    SELECT t.id, CASE WHEN t.embedding_model IS NOT NULL THEN t.embedding END AS embedding, t.embedding_model, t.keywords
    FROM topics t WHERE t.id = ${topicParam}::uuid AND t.user_id = ${userParam}
  ),
  -- MATERIALIZED: computed once, not again for every paper scored.
  kw AS MATERIALIZED (
    SELECT k.ord, k.word, phraseto_tsquery('english', k.word) AS q
    FROM topic, unnest(topic.keywords) WITH ORDINALITY AS k(word, ord)
    WHERE numnode(phraseto_tsquery('english', k.word)) > 0
  ),
  labelled AS MATERIALIZED (
    SELECT tp.paper_id, tp.label, e.embedding, e.model, lp.title
    FROM topic JOIN topic_papers tp ON tp.topic_id = topic.id
    JOIN paper_embeddings e ON e.paper_id = tp.paper_id
    JOIN papers lp ON lp.id = tp.paper_id
  ),
  parts AS (
    SELECT c.paper_id,
      km.matched,
      km.keyword_part,
      CASE WHEN pe.embedding IS NOT NULL AND (topic.embedding IS NOT NULL OR sims.pos_mean IS NOT NULL) THEN
        greatest(0, least(1,
          (coalesce(1 - (pe.embedding <=> topic.embedding), 0) + coalesce(sims.pos_mean, 0))
            / ((topic.embedding IS NOT NULL)::int + (sims.pos_mean IS NOT NULL)::int)
          - ${NEGATIVE_WEIGHT} * coalesce(sims.neg_mean, 0)))
      END AS embedding_part,
      sims.best_id, sims.best_title, sims.best_cos,
      (SELECT tp.label::text FROM topic_papers tp WHERE tp.topic_id = topic.id AND tp.paper_id = c.paper_id) AS label
    FROM ${candidates} c
    CROSS JOIN topic
    JOIN papers sp ON sp.id = c.paper_id
    -- A paper vector of another model than the topic's is not compared with it: no embedding part.
    LEFT JOIN paper_embeddings pe ON pe.paper_id = c.paper_id AND (topic.embedding IS NULL OR pe.model = topic.embedding_model)
    CROSS JOIN LATERAL (SELECT ts_filter(sp.search_vector, '{a}') AS title_vector) tv
    CROSS JOIN LATERAL (
      SELECT coalesce(array_agg(kw.word ORDER BY kw.ord) FILTER (WHERE sp.search_vector @@ kw.q), '{}') AS matched,
        CASE WHEN count(*) > 0 THEN
          sum(CASE WHEN tv.title_vector @@ kw.q THEN 1.0
                   WHEN sp.search_vector @@ kw.q THEN ${TEXT_WEIGHT} ELSE 0 END)::float8 / count(*)
        END AS keyword_part
      FROM kw
    ) km
    -- Each labelled paper's cosine is computed once; the means and the best match come from it.
    LEFT JOIN LATERAL (
      SELECT avg(x.cos) FILTER (WHERE x.label = 'positive') AS pos_mean,
        avg(x.cos) FILTER (WHERE x.label = 'negative') AS neg_mean,
        (array_agg(x.paper_id ORDER BY x.cos DESC, x.paper_id) FILTER (WHERE x.label = 'positive'))[1] AS best_id,
        (array_agg(x.title ORDER BY x.cos DESC, x.paper_id) FILTER (WHERE x.label = 'positive'))[1] AS best_title,
        max(x.cos) FILTER (WHERE x.label = 'positive') AS best_cos
      FROM (
        SELECT l.paper_id, l.label, l.title, 1 - (pe.embedding <=> l.embedding) AS cos FROM labelled l
        WHERE l.paper_id <> c.paper_id AND pe.embedding IS NOT NULL AND l.model = pe.model
      ) x
    ) sims ON true
  ),
  scored AS (
    SELECT parts.*,
      CASE
        WHEN label = 'negative' THEN 0
        WHEN embedding_part IS NOT NULL AND keyword_part IS NOT NULL
          THEN (${EMBEDDING_WEIGHT} * embedding_part + ${KEYWORD_WEIGHT} * keyword_part) / ${EMBEDDING_WEIGHT + KEYWORD_WEIGHT}
        WHEN embedding_part IS NOT NULL THEN embedding_part
        WHEN keyword_part IS NOT NULL THEN keyword_part
        ELSE 0
      END::float8 AS score
    FROM parts
  )`;
}
