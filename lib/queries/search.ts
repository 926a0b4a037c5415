// Full-text search over title (weighted highest), abstract and authors with PostgreSQL's text search
// (the generated papers.search_vector and its GIN index), filtered by category and date, with the
// matching words marked.
import { categoryAliases } from "../arxiv/categories";
import { db } from "../db";
import { PAPER_COLUMNS, toPaperRecord, type PaperRecord, type PaperRow } from "./papers";

export const MAX_QUERY_LENGTH = 300;

export class SearchQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SearchQueryError";
  }
}

export interface SearchHit extends PaperRecord {
  rank: number;
  /** The abstract's best passage with matches between \u0001 and \u0002 (escape, then turn into <mark>). */
  snippet: string;
}

export interface SearchOptions {
  categories?: string[];
  from?: string;
  to?: string;
  offset?: number;
  limit?: number;
}

/**
 * Ranked search. English stemming for words ("transformers" finds "transformer"), plus the plain
 * form so author names match as written. websearch syntax: "exact phrase", -exclude, OR.
 */
export async function searchPapers(query: string, options: SearchOptions = {}): Promise<{ hits: SearchHit[]; total: number }> {
  const q = query.trim();
  if (!q) return { hits: [], total: 0 };
  if (q.length > MAX_QUERY_LENGTH) throw new SearchQueryError(`The search is too long: at most ${MAX_QUERY_LENGTH} characters.`);
  const categories = options.categories?.length ? [...new Set(options.categories.flatMap(categoryAliases))] : null;
  const where = `
    FROM papers p, (SELECT websearch_to_tsquery('english', $1) || websearch_to_tsquery('simple', $1) AS q) query
    WHERE p.search_vector @@ query.q
      AND ($2::text[] IS NULL OR p.categories && $2::text[])
      AND ($3::date IS NULL OR p.published_at >= $3::date)
      AND ($4::date IS NULL OR p.published_at < $4::date + 1)`;
  const args = [q, categories, options.from ?? null, options.to ?? null] as const;
  const [rows, count] = await Promise.all([
    db().$queryRawUnsafe<(PaperRow & { rank: number; snippet: string })[]>(
      `SELECT ${PAPER_COLUMNS},
              ts_rank_cd(p.search_vector, query.q, 32)::float8 AS rank,
              ts_headline('english', p.abstract, query.q,
                'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxFragments=2, MaxWords=40, MinWords=15') AS snippet
       ${where}
       ORDER BY rank DESC, p.published_at DESC NULLS LAST, p.id
       OFFSET $5 LIMIT $6`,
      ...args,
      options.offset ?? 0,
      options.limit ?? 25,
    ),
    db().$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n ${where}`, ...args),
  ]);
  return {
    total: count[0]?.n ?? 0,
    hits: rows.map((r) => ({ ...toPaperRecord(r), rank: r.rank, snippet: r.snippet })),
  };
}
