// Popularity across readers (lib/popularity/sql.ts says what counts): the counts of a page of
// papers for their cards, the "Popular this week" ranking, and writing a batch of paper opens into
// the readers' seen marks (lib/popularity/opens.ts buffers them). Counts are not personal: every
// reader sees the same numbers, so pages kept for everyone may show them.
import { db } from "../db";
import { popularitySql, toPopularity, type Popularity, type PopularityRow } from "../popularity/sql";
import { TLDR_COLUMN, type ListedPaper } from "./listings";
import { PAPER_COLUMNS, toPaperRecord, type PaperRecord, type PaperRow } from "./papers";

export type { Popularity };

/** How far back "this week" reaches: papers announced on this many days, today (UTC) included. */
export const WEEK_DAYS = 7;
/** Papers on the weekly page. */
export const POPULAR_LIMIT = 50;

/** The counts of these papers (one statement for a whole page); papers nobody touched are absent. */
export async function popularityOf(paperIds: readonly string[]): Promise<Map<string, Popularity>> {
  if (!paperIds.length) return new Map();
  const rows = await db().$queryRawUnsafe<(PopularityRow & { paper_id: string })[]>(
    popularitySql("SELECT unnest($1::text[])"),
    [...new Set(paperIds)],
  );
  const counts = new Map<string, Popularity>();
  for (const r of rows) {
    const p = toPopularity(r);
    if (p) counts.set(r.paper_id, p);
  }
  return counts;
}

/**
 * Papers as they were, with `popularity` filled in where missing (one statement for the page, none
 * when every paper has it already: the listing's popular order reads it in the same statement).
 * Typed by the whole list, so a list of one kind or another (a topic's scored papers or a plain
 * listing) keeps its kinds rather than TypeScript guessing one of them.
 */
export async function withPopularity<L extends readonly { id: string; popularity?: Popularity | null }[]>(papers: L): Promise<L[number][]> {
  const list: L[number][] = [...papers];
  const missing = list.filter((p) => p.popularity === undefined).map((p) => p.id);
  if (!missing.length) return list;
  const counts = await popularityOf(missing);
  return list.map((p) => (p.popularity === undefined ? { ...p, popularity: counts.get(p.id) ?? null } : p));
}

export interface PopularPaper extends PaperRecord {
  tldr: ListedPaper["tldr"];
  popularity: Popularity;
  /** The latest day of the week it was announced (YYYY-MM-DD). */
  announced: string;
}

/**
 * "Popular this week": papers announced (listed in any category, as new, cross-list or
 * replacement) on the last WEEK_DAYS days in UTC up to today, that at least one reader starred, opened or asked
 * an FAQ about; best first by readers, then stars, then the newest announcement. One statement.
 */
export async function listPopularThisWeek(limit = POPULAR_LIMIT, now = new Date()): Promise<{ since: string; papers: PopularPaper[] }> {
  const today = now.toISOString().slice(0, 10);
  const since = new Date(now.getTime() - (WEEK_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const rows = await db().$queryRawUnsafe<(PaperRow & PopularityRow & { tldr: string | null; announced: string })[]>(
    `WITH week AS (
       SELECT l.paper_id, max(l.date) AS announced FROM listings l WHERE l.date BETWEEN $1::date AND $2::date GROUP BY l.paper_id
     ),
     pop AS (${popularitySql("SELECT paper_id FROM week")})
     SELECT ${PAPER_COLUMNS}, ${TLDR_COLUMN}, pop.stars, pop.faqs, pop.opens, pop.readers,
       to_char(week.announced, 'YYYY-MM-DD') AS announced
     FROM pop JOIN week ON week.paper_id = pop.paper_id JOIN papers p ON p.id = pop.paper_id
     ORDER BY pop.readers DESC, pop.stars DESC, week.announced DESC, p.id DESC
     LIMIT $3`,
    since,
    today,
    limit,
  );
  return {
    since,
    papers: rows.map((r) => ({ ...toPaperRecord(r), tldr: r.tldr, popularity: toPopularity(r)!, announced: r.announced })),
  };
}

/** A reader's open of a paper's page, as lib/popularity/opens.ts buffers it. */
export interface PaperOpen {
  userId: string;
  paperId: string;
  version: number;
  /** When it was opened (ms since the epoch). */
  at: number;
}

/**
 * Writes opens into the readers' seen marks in one statement: a new mark (seen and opened then), or
 * on an existing one the first open kept and the newest version seen. Opens of papers or by
 * readers deleted meanwhile are left out rather than failing the batch. Rows are written in key
 * order, so two processes flushing at once lock them in one order (they wait, never deadlock).
 * Returns the marks written. Times are stored in UTC, as Prisma writes them.
 */
export async function writeOpens(opens: readonly PaperOpen[]): Promise<number> {
  if (!opens.length) return 0;
  return db().$executeRawUnsafe(
    `INSERT INTO seen_marks (user_id, paper_id, version, seen_at, opened_at)
     SELECT o.user_id, o.paper_id, o.version, o.at, o.at
     FROM (
       SELECT user_id, paper_id, version, timezone('UTC', to_timestamp(ms / 1000.0)) AS at
       FROM unnest($1::text[], $2::text[], $3::int[], $4::float8[]) AS u(user_id, paper_id, version, ms)
     ) o
     WHERE EXISTS (SELECT 1 FROM papers p WHERE p.id = o.paper_id) AND EXISTS (SELECT 1 FROM users r WHERE r.id = o.user_id)
     ORDER BY o.user_id, o.paper_id
     ON CONFLICT (user_id, paper_id) DO UPDATE SET
       opened_at = COALESCE(seen_marks.opened_at, EXCLUDED.opened_at),
       version = GREATEST(seen_marks.version, EXCLUDED.version)`,
    opens.map((o) => o.userId),
    opens.map((o) => o.paperId),
    opens.map((o) => o.version),
    opens.map((o) => o.at),
  );
}
