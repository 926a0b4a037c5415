// The fixed blend the project ranked topics with before the learned models (kept here, unchanged in
// its arithmetic, as a baseline of `npm run eval:relevance`):
//   E = clamp(A − 0.5·N, 0, 1), A = mean of { cos(paper, description), mean cos(paper, positives) },
//   N = mean cos(paper, negatives); K = keyword coverage (1 title, 0.6 abstract);
//   score = (0.7·E + 0.3·K) / (weights of the parts that exist), "not interested" = 0.
// Without an embedding model and without keywords every paper scores 0.
const EMBEDDING_WEIGHT = 0.7;
const KEYWORD_WEIGHT = 0.3;
const NEGATIVE_WEIGHT = 0.5;
const TEXT_WEIGHT = 0.6;

export function fixedBlendSql(candidates: string, topicParam: string, userParam: string): string {
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
