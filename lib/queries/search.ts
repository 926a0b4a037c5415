// Full-text search over title (weighted highest), abstract and authors with PostgreSQL's text search
// (the generated papers.search_vector and its GIN index), filtered by category and date, with the
// matching words marked. With an embedding model loaded, the query's nearest papers by meaning
// (pgvector) are merged in by reciprocal-rank fusion; without one, search is full-text only.
import { categoryAliases } from "../arxiv/categories";
import { db } from "../db";
import { getEmbedder, type Embedder } from "../embed/embedder";
import { MAX_QUERY_LENGTH } from "../query-params";
import { nearestPapers } from "./embeddings";
import { PAPER_COLUMNS, toPaperRecord, type PaperRecord, type PaperRow } from "./papers";

export class SearchQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SearchQueryError";
  }
}

export interface SearchHit extends PaperRecord {
  rank: number;
  /** Cosine similarity to the query, for hits the embedding model found (hybrid search only). */
  similarity?: number;
  /** The abstract's best passage with matches between \u0001 and \u0002 (escape, then turn into <mark>). */
  snippet: string;
}

export interface SearchOptions {
  categories?: string[];
  from?: string;
  to?: string;
  offset?: number;
  limit?: number;
  /** Merge in nearest papers by meaning when a model is loaded (default true). */
  semantic?: boolean;
  /** Rank at most this many matches, the newest (default RANK_WITHIN). */
  rankWithin?: number;
  /** How the newest matches are found: "walk" the date index newest first, "index" the word index,
   *  or "auto" (default): the planner's estimate of the matches decides (see fullTextSearch). */
  strategy?: "auto" | "walk" | "index";
}

export interface SearchResult {
  hits: SearchHit[];
  total: number;
  /** True when the embedding model took part (the ranking fuses words and meaning). */
  semantic?: boolean;
  /** More papers match than are ranked: `total` counts the newest ones ranked (see RANK_WITHIN). */
  capped?: boolean;
}

/**
 * Ranked search. English stemming for words ("transformers" finds "transformer"), plus the plain
 * form so author names match as written. websearch syntax: "exact phrase", -exclude, OR.
 */
export async function searchPapers(query: string, options: SearchOptions = {}): Promise<SearchResult> {
  const q = query.trim();
  if (!q) return { hits: [], total: 0 };
  if (q.length > MAX_QUERY_LENGTH) throw new SearchQueryError(`The search is too long: at most ${MAX_QUERY_LENGTH} characters.`);
  const categories = options.categories?.length ? [...new Set(options.categories.flatMap(categoryAliases))] : null;
  const embedder = options.semantic === false ? null : await getEmbedder();
  if (embedder) return hybridSearch(embedder, q, categories, options);
  return fullTextSearch(q, categories, options);
}

/**
 * At most this many matches are ranked: those of the newest papers. Ranking reads every match it
 * ranks, so a word found in a large share of all of arXiv (40 % of the papers for "quantum") would
 * take seconds at millions of papers; bounded, such a search ranks the newest 5 000 and says so. A
 * date window or a category reaches older papers. Searches matching fewer papers are not affected.
 */
export const RANK_WITHIN = 5_000;

async function fullTextSearch(q: string, categories: string[] | null, options: SearchOptions): Promise<SearchResult> {
  const rankWithin = Math.max(1, options.rankWithin ?? RANK_WITHIN);
  const query = `(SELECT websearch_to_tsquery('english', $1) || websearch_to_tsquery('simple', $1) AS q) query`;
  const matches = `
    FROM papers p, ${query}
    WHERE p.search_vector @@ query.q
      AND ($2::text[] IS NULL OR p.categories && $2::text[])
      AND ($3::date IS NULL OR p.published_at >= $3::date)
      AND ($4::date IS NULL OR p.published_at < $4::date + 1)`;
  const args = [q, categories, options.from ?? null, options.to ?? null] as const;
  // The newest matches (the date index's own order, so it can be walked), then the best of those.
  const ranked = `WITH candidates AS (
         SELECT p.id ${matches}
          ORDER BY p.published_at DESC NULLS FIRST
          LIMIT $7)
       SELECT ${PAPER_COLUMNS},
              ts_rank_cd(p.search_vector, query.q, 32)::float8 AS rank,
              ts_headline('english', p.abstract, query.q,
                'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxFragments=2, MaxWords=40, MinWords=15') AS snippet
         FROM candidates c JOIN papers p ON p.id = c.id, ${query}
        ORDER BY rank DESC, p.published_at DESC NULLS LAST, p.id
       OFFSET $5 LIMIT $6`;
  const rankedArgs = [...args, options.offset ?? 0, options.limit ?? 25, rankWithin] as const;
  // A word in many papers: walking the date index newest first finds the newest matches after
  // reading about rankWithin ÷ (share of papers matching) rows, at any table size. PostgreSQL's
  // planner would rather read every match (a scan of the word index, or of the table), which grows
  // with the table, so the walk is asked for. A rare word: the word index, as the planner likes.
  const strategy = options.strategy ?? "auto";
  const walk = strategy === "walk" || (strategy === "auto" && (await estimatedRows(`SELECT 1 ${matches}`, args)) > 2 * rankWithin);
  const [rows, count] = await Promise.all([
    walk
      ? db()
          .$transaction([
            db().$executeRawUnsafe(`SET LOCAL enable_seqscan = off`),
            db().$executeRawUnsafe(`SET LOCAL enable_bitmapscan = off`),
            db().$queryRawUnsafe<(PaperRow & { rank: number; snippet: string })[]>(ranked, ...rankedArgs),
          ])
          .then((results) => results[2])
      : db().$queryRawUnsafe<(PaperRow & { rank: number; snippet: string })[]>(ranked, ...rankedArgs),
    // Counted up to one past the bound: "more than" is all a capped search says.
    db().$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM (SELECT 1 ${matches} LIMIT $5) m`, ...args, rankWithin + 1),
  ]);
  const matched = count[0]?.n ?? 0;
  return {
    total: Math.min(matched, rankWithin),
    ...(matched > rankWithin ? { capped: true } : {}),
    hits: rows.map((r) => ({ ...toPaperRecord(r), rank: r.rank, snippet: r.snippet })),
  };
}

/** The planner's estimate of the rows `sql` returns (EXPLAIN, nothing run). */
async function estimatedRows(sql: string, args: readonly unknown[]): Promise<number> {
  const rows = await db().$queryRawUnsafe<Record<string, unknown>[]>(`EXPLAIN (FORMAT JSON) ${sql}`, ...args);
  const raw = Object.values(rows[0] ?? {})[0];
  const plan = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan?: { "Plan Rows"?: number } }[];
  return plan[0]?.Plan?.["Plan Rows"] ?? 0;
}

/** How many results of each ranking take part in the fusion. */
export const FUSION_DEPTH = 100;
/** Reciprocal-rank fusion constant (Cormack et al. 2009): score = Σ 1 / (k + rank). */
export const RRF_K = 60;
/** Nearest papers less similar than this to the query are left out (they match nothing in meaning). */
export const MIN_SIMILARITY = 0.3;

/**
 * Full-text and nearest-by-meaning results merged by reciprocal-rank fusion: each paper scores
 * Σ 1/(60 + rank) over the rankings it appears in, so papers both find rise to the top and neither
 * ranking's raw scores (incomparable) matter. The top FUSION_DEPTH of each are fused; pages past
 * them continue with the full-text ranking.
 */
async function hybridSearch(embedder: Embedder, q: string, categories: string[] | null, options: SearchOptions): Promise<SearchResult> {
  const offset = options.offset ?? 0;
  const limit = options.limit ?? 25;
  const [text, [vector]] = await Promise.all([
    fullTextSearch(q, categories, { ...options, offset: 0, limit: FUSION_DEPTH }),
    embedder.embed([q]),
  ]);
  const neighbours = (
    await nearestPapers(vector!, { model: embedder.modelId, limit: FUSION_DEPTH, categories, from: options.from, to: options.to })
  ).filter((n) => n.similarity >= MIN_SIMILARITY);

  const scores = new Map<string, number>();
  text.hits.forEach((hit, i) => scores.set(hit.id, (scores.get(hit.id) ?? 0) + 1 / (RRF_K + i + 1)));
  neighbours.forEach((n, i) => scores.set(n.id, (scores.get(n.id) ?? 0) + 1 / (RRF_K + i + 1)));
  const similarity = new Map(neighbours.map((n) => [n.id, n.similarity]));

  // Papers only meaning found: their rows, with the abstract's opening as the snippet (no words matched).
  const textIds = new Set(text.hits.map((h) => h.id));
  const extraIds = neighbours.map((n) => n.id).filter((id) => !textIds.has(id));
  const [extraRows, alsoText] = await Promise.all([
    extraIds.length
      ? db().$queryRawUnsafe<PaperRow[]>(`SELECT ${PAPER_COLUMNS} FROM papers p WHERE p.id = ANY($1::text[])`, extraIds)
      : Promise.resolve([]),
    // Beyond the fused depth, some of them may be full-text matches too (already in the total).
    extraIds.length
      ? db().$queryRawUnsafe<{ id: string }[]>(
          `SELECT p.id FROM papers p WHERE p.id = ANY($1::text[])
             AND p.search_vector @@ (websearch_to_tsquery('english', $2) || websearch_to_tsquery('simple', $2))`,
          extraIds,
          q,
        )
      : Promise.resolve([]),
  ]);
  const hitsById = new Map<string, SearchHit>(text.hits.map((h) => [h.id, h]));
  for (const row of extraRows) {
    const words = row.abstract.split(/\s+/);
    hitsById.set(row.id, { ...toPaperRecord(row), rank: 0, snippet: words.slice(0, 40).join(" ") + (words.length > 40 ? " …" : "") });
  }
  const fused = [...scores.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .flatMap(([id, score]) => {
      const hit = hitsById.get(id);
      return hit ? [{ ...hit, rank: score, ...(similarity.has(id) ? { similarity: similarity.get(id) } : {}) }] : [];
    });
  let hits = fused.slice(offset, offset + limit);
  if (hits.length < limit && text.total > FUSION_DEPTH) {
    const rest = await fullTextSearch(q, categories, {
      ...options,
      offset: FUSION_DEPTH + Math.max(0, offset - fused.length),
      limit: limit - hits.length,
    });
    hits = hits.concat(rest.hits.filter((h) => !hitsById.has(h.id)));
  }
  return { hits, total: text.total + extraRows.length - alsoText.length, semantic: true, ...(text.capped ? { capped: true } : {}) };
}
