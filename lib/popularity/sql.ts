// The popularity of papers in SQL, shared by the listing's "popular" order (lib/queries/listings.ts)
// and the counts and weekly ranking of lib/queries/popularity.ts. Three signals, each from a table
// readers already write: a star (stars), an FAQ asked for (faq_requests: a generation the reader
// started), an open of the paper's page (seen_marks.opened_at, set by lib/popularity/opens.ts).
// Each counts readers, not events: a reader who asked twice is one reader, and the score is the
// number of distinct readers who did any of the three, so a reader who opened, starred and asked
// about a paper adds 1, not 3. (A weighted sum would let one keen reader outweigh two others;
// counting people is also what the card's numbers say.)

/**
 * Per paper among those `paperIds` selects (SQL yielding one `paper_id` column), one row with
 * `stars`, `faqs`, `opens` and `readers` (the score); papers without any signal have no row. Each
 * table is read through its paper_id index (faq_requests has none: it holds readers' recent
 * generations, a small table).
 */
export function popularitySql(paperIds: string): string {
  return `SELECT s.paper_id,
      (count(DISTINCT s.user_id) FILTER (WHERE s.kind = 's'))::int AS stars,
      (count(DISTINCT s.user_id) FILTER (WHERE s.kind = 'f'))::int AS faqs,
      (count(DISTINCT s.user_id) FILTER (WHERE s.kind = 'o'))::int AS opens,
      count(DISTINCT s.user_id)::int AS readers
    FROM (
      SELECT user_id, paper_id, 's' AS kind FROM stars WHERE paper_id IN (${paperIds})
      UNION ALL
      SELECT user_id, paper_id, 'f' FROM faq_requests WHERE paper_id IN (${paperIds})
      UNION ALL
      SELECT user_id, paper_id, 'o' FROM seen_marks WHERE opened_at IS NOT NULL AND paper_id IN (${paperIds})
    ) s
    GROUP BY s.paper_id`;
}

/** A paper's counts as cards show them: readers who starred, asked for an FAQ, opened; any of them. */
export interface Popularity {
  stars: number;
  faqs: number;
  opens: number;
  /** Readers who did any of the three (the score: each reader once per paper). */
  readers: number;
}

export interface PopularityRow {
  stars: number | null;
  faqs: number | null;
  opens: number | null;
  readers: number | null;
}

/** A row's counts (a LEFT JOIN leaves them null for a paper nobody touched), or null when all are 0. */
export function toPopularity(r: PopularityRow): Popularity | null {
  if (!r.readers) return null;
  return { stars: r.stars ?? 0, faqs: r.faqs ?? 0, opens: r.opens ?? 0, readers: r.readers };
}
