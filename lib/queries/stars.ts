// A reader's stars: set and clear them, which of a page of papers are starred, and the starred list.
// Every function takes the reader's id from the caller's session; none trusts an id from a browser.
import { Prisma } from "../generated/prisma/client";
import { db } from "../db";
import { decodeStarCursor, encodeStarCursor } from "../query-params";
import type { PaperRecord } from "./papers";

/** A starred paper with what a paper card shows, and when it was starred. */
export interface StarredPaper extends PaperRecord {
  starredAt: Date;
}

export interface StarredPage {
  papers: StarredPaper[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Stars a paper (again is fine). Returns false when there is no such paper, so callers can say so
 * instead of failing on the foreign key.
 */
export async function starPaper(userId: string, paperId: string): Promise<boolean> {
  try {
    await db().star.createMany({ data: [{ userId, paperId }], skipDuplicates: true });
    return true;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003") return false;
    throw error;
  }
}

/** Removes a star (when there is none, nothing happens). */
export async function unstarPaper(userId: string, paperId: string): Promise<void> {
  await db().star.deleteMany({ where: { userId, paperId } });
}

/** Which of `paperIds` the reader has starred: one query for a whole list page. */
export async function starredAmong(userId: string, paperIds: readonly string[]): Promise<Set<string>> {
  if (paperIds.length === 0) return new Set();
  const rows = await db().star.findMany({
    where: { userId, paperId: { in: [...new Set(paperIds)] } },
    select: { paperId: true },
  });
  return new Set(rows.map((r) => r.paperId));
}

export async function countStarred(userId: string): Promise<number> {
  return db().star.count({ where: { userId } });
}

/** The reader's starred papers, most recently starred first. An unreadable cursor starts over. */
export async function listStarred(
  userId: string,
  { limit = 25, cursor }: { limit?: number; cursor?: string } = {},
): Promise<StarredPage> {
  const take = Math.min(Math.max(Math.trunc(limit), 1), 500);
  const after = decodeStarCursor(cursor);
  const rows = await db().star.findMany({
    where: {
      userId,
      ...(after
        ? { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, paperId: { lt: after.paperId } }] }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { paperId: "desc" }],
    take: take + 1,
    select: {
      createdAt: true,
      paper: {
        select: {
          id: true,
          latestVersion: true,
          title: true,
          abstract: true,
          authors: true,
          categories: true,
          primaryCategory: true,
          publishedAt: true,
          versionAt: true,
          comments: true,
          journalRef: true,
          doi: true,
        },
      },
    },
  });
  const page = rows.slice(0, take);
  const last = page.at(-1);
  return {
    papers: page.map(({ createdAt, paper: { latestVersion, ...paper } }) => ({
      ...paper,
      version: latestVersion,
      starredAt: createdAt,
    })),
    nextCursor: rows.length > take && last ? encodeStarCursor(last.createdAt, last.paper.id) : null,
  };
}
