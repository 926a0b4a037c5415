// A reader's stars: set and clear them, which of a page of papers are starred, the starred list, and
// the labels and note the reader files each star with.
// Every function takes the reader's id from the caller's session; none trusts an id from a browser.
import { Prisma } from "../generated/prisma/client";
import { db } from "../db";
import { decodeStarCursor, encodeStarCursor } from "../query-params";
import { adoptSpellings, spellingOf } from "../star-labels";
import type { PaperRecord } from "./papers";

/** A starred paper with what a paper card shows, when it was starred, and the reader's labels and note. */
export interface StarredPaper extends PaperRecord {
  starredAt: Date;
  labels: string[];
  note: string | null;
}

/** One of the reader's labels and how many of their stars carry it. */
export interface LabelCount {
  label: string;
  count: number;
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

/** How many papers the reader starred; with `label`, how many carry that label (spelled as stored). */
export async function countStarred(userId: string, label?: string): Promise<number> {
  return db().star.count({ where: { userId, ...(label !== undefined ? { labels: { has: label } } : {}) } });
}

/** The reader's labels with their counts, most used first (then by name). */
export async function listStarLabels(userId: string): Promise<LabelCount[]> {
  const rows = await db().$queryRaw<{ label: string; count: number }[]>`
    SELECT l AS label, count(*)::int AS count
    FROM stars, unnest(labels) AS l
    WHERE user_id = ${userId}
    GROUP BY l
    ORDER BY count(*) DESC, lower(l), l`;
  return rows;
}

/**
 * The reader's label spelled as stored that matches `text` regardless of case, or undefined when
 * the reader has no such label (the Starred page then shows an empty list, not an error).
 */
export async function findStarLabel(userId: string, text: string): Promise<string | undefined> {
  return spellingOf(text, (await listStarLabels(userId)).map((l) => l.label));
}

/** The labels and note of the reader's star on a paper, or null when the reader has not starred it. */
export async function getStarNotes(userId: string, paperId: string): Promise<{ labels: string[]; note: string | null } | null> {
  return db().star.findUnique({ where: { userId_paperId: { userId, paperId } }, select: { labels: true, note: true } });
}

/**
 * Files the reader's star under `labels` (already checked by lib/star-labels.ts), each spelled as the
 * reader spells it on other stars. Returns the labels stored, or null when the paper is not starred.
 */
export async function setStarLabels(userId: string, paperId: string, labels: readonly string[]): Promise<string[] | null> {
  const existing = (await listStarLabels(userId)).map((l) => l.label);
  const stored = adoptSpellings(labels, existing);
  const { count } = await db().star.updateMany({ where: { userId, paperId }, data: { labels: stored } });
  return count ? stored : null;
}

/** Sets (null: clears) the note on the reader's star. Returns false when the paper is not starred. */
export async function setStarNote(userId: string, paperId: string, note: string | null): Promise<boolean> {
  const { count } = await db().star.updateMany({ where: { userId, paperId }, data: { note } });
  return count > 0;
}

/**
 * The reader's starred papers, most recently starred first; with `label`, only those filed under it
 * (spelled as stored: findStarLabel). An unreadable cursor starts over.
 */
export async function listStarred(
  userId: string,
  { limit = 25, cursor, label }: { limit?: number; cursor?: string; label?: string } = {},
): Promise<StarredPage> {
  const take = Math.min(Math.max(Math.trunc(limit), 1), 500);
  const after = decodeStarCursor(cursor);
  const rows = await db().star.findMany({
    where: {
      userId,
      ...(label !== undefined ? { labels: { has: label } } : {}),
      ...(after
        ? { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, paperId: { lt: after.paperId } }] }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { paperId: "desc" }],
    take: take + 1,
    select: {
      createdAt: true,
      labels: true,
      note: true,
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
    papers: page.map(({ createdAt, labels, note, paper: { latestVersion, ...paper } }) => ({
      ...paper,
      version: latestVersion,
      starredAt: createdAt,
      labels,
      note,
    })),
    nextCursor: rows.length > take && last ? encodeStarCursor(last.createdAt, last.paper.id) : null,
  };
}
