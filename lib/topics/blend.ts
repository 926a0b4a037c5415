// A paper's relevance score for a topic, in one place: how the learned model's part and the keyword
// part combine, and the SQL that computes both for many papers at once (lib/queries/topics.ts runs
// it). README "Topics and scores" states the same in words; keep the two together.
//
//   z (margin)             = b + w·x + u·e: the topic's learned linear model (lib/relevance/model.ts)
//       x = the paper's stored term vector (paper_features), w = the model's term weights (idf folded in)
//       e = the paper's embedding, only of the model `u` was trained with (else that term is 0)
//   M (model part, 0..1)   = the percentile of z among the margins of the background papers the model
//       was trained against ("scores higher than 97% of recent papers" = 0.97), linear between them
//   K (keyword part, 0..1) = mean over the topic's keywords of
//       1 if the keyword (stemmed, as a phrase) is in the title, TEXT_WEIGHT if only in the
//       abstract or authors, 0 otherwise (a keyword of stop words only, like "the", is left out)
//   score = 1 − (1 − M)·(1 − β·K) with β = KEYWORD_BOOST when both exist: keywords found raise the
//       learned score part of the way to 1 and never lower it (all keywords in the title, half way);
//       M alone once the topic has a trained model and no keywords, K alone before its first model.
//       Neither: 0.
//
// A paper the reader marked "not interested" for the topic scores 0 for it.

/** How far (of the way to 1) a keyword part of 1 raises the learned part. */
export const KEYWORD_BOOST = 0.5;
/** A keyword met in the abstract or the authors (not the title) counts this much. */
export const TEXT_WEIGHT = 0.6;

/** Default threshold for a topic's feed (and the suggested one in the picker). */
export const DEFAULT_FEED_THRESHOLD = 0.9;

export interface BlendParts {
  /** Model part, or null when the topic has no trained model yet. */
  model: number | null;
  /** Keyword part, or null when the topic has no keywords. */
  keyword: number | null;
}

/** The blend of existing parts (the same arithmetic as the SQL below, for callers and docs). */
export function blend({ model, keyword }: BlendParts): number {
  if (model !== null && keyword !== null) return 1 - (1 - model) * (1 - KEYWORD_BOOST * keyword);
  return model ?? keyword ?? 0;
}

/**
 * SQL scoring the papers of a `candidates` relation (column paper_id) for the topic `$topic` owned by
 * `$user` (with `many`: for each of the topics of the uuid[] `$topic` the user owns, in one pass).
 * Parameter placeholders are given by the caller so the text can follow other CTEs. Yields one row
 * per candidate and topic with: paper_id, topic_id, score, margin (the model's, to order equal
 * scores), model_part, keyword_part, matched (keywords in the topic's order), label (the reader's
 * label of the paper for this topic, or null). A topic that is not the user's yields no rows at all.
 */
export function scoreSql(candidates: string, topicParam: string, userParam: string, many = false): string {
  return `
  topic AS (
    SELECT t.id, t.keywords FROM topics t
    WHERE ${many ? `t.id = ANY(${topicParam}::uuid[])` : `t.id = ${topicParam}::uuid`} AND t.user_id = ${userParam}
  ),
  -- MATERIALIZED: read once, not again for every paper scored. The text round trip de-TOASTs the
  -- weights once here; a stored (compressed) value would otherwise be unpacked for every paper.
  model AS MATERIALIZED (
    SELECT m.topic_id, m.weights::text::sparsevec AS weights, m.dense::text::vector AS dense, m.embedding_model, m.bias, m.feature_version,
      m.quantiles, cardinality(m.quantiles) AS n
    FROM topic_models m JOIN topic ON m.topic_id = topic.id
  ),
  kw AS MATERIALIZED (
    SELECT topic.id AS topic_id, k.ord, k.word, phraseto_tsquery('english', k.word) AS q
    FROM topic, unnest(topic.keywords) WITH ORDINALITY AS k(word, ord)
    WHERE numnode(phraseto_tsquery('english', k.word)) > 0
  ),
  parts AS (
    SELECT c.paper_id, topic.id AS topic_id,
      km.matched,
      km.keyword_part,
      mz.margin,
      -- The margin's percentile among the background's (lib/relevance/model.ts percentile()).
      CASE WHEN mz.margin IS NULL THEN NULL
           WHEN mz.b = 0 THEN 0
           WHEN mz.b >= model.n THEN 1
           ELSE (mz.b - 1 + coalesce((mz.margin - model.quantiles[mz.b]) / nullif(model.quantiles[mz.b + 1] - model.quantiles[mz.b], 0), 0))
                / (model.n - 1)
      END::float8 AS model_part,
      (SELECT tp.label::text FROM topic_papers tp WHERE tp.topic_id = topic.id AND tp.paper_id = c.paper_id) AS label
    FROM ${candidates} c
    CROSS JOIN topic
    LEFT JOIN model ON model.topic_id = topic.id
    JOIN papers sp ON sp.id = c.paper_id
    -- LATERAL … LIMIT 1 (not pulled up into a join): one index lookup per candidate, never a scan of
    -- every stored vector, which a hash join the planner may pick once the tables are large would be.
    LEFT JOIN LATERAL (
      SELECT f.vector FROM paper_features f WHERE f.paper_id = c.paper_id AND f.feature_version = model.feature_version LIMIT 1
    ) pf ON true
    -- Only vectors of the model the dense weights were trained with are ever multiplied by them.
    LEFT JOIN LATERAL (
      SELECT e.embedding FROM paper_embeddings e
      WHERE e.paper_id = c.paper_id AND model.dense IS NOT NULL AND e.model = model.embedding_model LIMIT 1
    ) pe ON true
    -- OFFSET 0 keeps the subqueries from being flattened: the margin (two inner products) is then
    -- computed once per paper, not again for every reference to it below.
    CROSS JOIN LATERAL (
      SELECT z AS margin, CASE WHEN z IS NOT NULL THEN width_bucket(z, model.quantiles) END AS b
      FROM (SELECT CASE WHEN model.bias IS NOT NULL THEN
              model.bias + coalesce(-(pf.vector <#> model.weights), 0) + coalesce(-(pe.embedding <#> model.dense), 0)
            END::float8 AS z OFFSET 0) m
      OFFSET 0
    ) mz
    CROSS JOIN LATERAL (SELECT ts_filter(sp.search_vector, '{a}') AS title_vector) tv
    CROSS JOIN LATERAL (
      SELECT coalesce(array_agg(kw.word ORDER BY kw.ord) FILTER (WHERE sp.search_vector @@ kw.q), '{}') AS matched,
        CASE WHEN count(*) > 0 THEN
          sum(CASE WHEN tv.title_vector @@ kw.q THEN 1.0
                   WHEN sp.search_vector @@ kw.q THEN ${TEXT_WEIGHT} ELSE 0 END)::float8 / count(*)
        END AS keyword_part
      FROM kw WHERE kw.topic_id = topic.id
    ) km
  ),
  scored AS (
    SELECT parts.*,
      CASE
        WHEN label = 'negative' THEN 0
        WHEN model_part IS NOT NULL AND keyword_part IS NOT NULL
          THEN 1 - (1 - model_part) * (1 - ${KEYWORD_BOOST} * keyword_part)
        WHEN model_part IS NOT NULL THEN model_part
        WHEN keyword_part IS NOT NULL THEN keyword_part
        ELSE 0
      END::float8 AS score
    FROM parts
  )`;
}
