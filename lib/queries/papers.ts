// Queries over papers and listings. Pages and workers call these; nothing else queries papers.
import { db } from "../db";

export interface PaperSummary {
  id: string;
  version: number;
  title: string;
  authors: string[];
  abstract: string;
  primaryCategory: string;
  categories: string[];
  publishedAt: Date | null;
}

/** The most recently added papers, newest first. */
export async function listRecentPapers(limit = 50): Promise<PaperSummary[]> {
  const rows = await db().paper.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: limit,
    select: {
      id: true,
      latestVersion: true,
      title: true,
      authors: true,
      abstract: true,
      primaryCategory: true,
      categories: true,
      publishedAt: true,
    },
  });
  return rows.map(({ latestVersion, ...rest }) => ({ ...rest, version: latestVersion }));
}

export async function countPapers(): Promise<number> {
  return db().paper.count();
}
