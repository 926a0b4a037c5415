// Instance-wide counts for the admin overview: plain counts, one query.
import { db } from "../db";

export interface AdminStats {
  papers: number;
  embeddings: number;
  faqs: number;
  users: number;
  admins: number;
  disabledUsers: number;
  crawlRuns: number;
}

export async function adminStats(): Promise<AdminStats> {
  const rows = await db().$queryRawUnsafe<Record<keyof AdminStats, number>[]>(
    `SELECT (SELECT count(*) FROM papers)::int AS papers,
            (SELECT count(*) FROM paper_embeddings)::int AS embeddings,
            (SELECT count(*) FROM faqs)::int AS faqs,
            (SELECT count(*) FROM users)::int AS users,
            (SELECT count(*) FROM users WHERE role = 'admin')::int AS admins,
            (SELECT count(*) FROM users WHERE banned)::int AS "disabledUsers",
            (SELECT count(*) FROM crawl_runs)::int AS "crawlRuns"`,
  );
  return rows[0]!;
}
