// A reader's inbox: the papers of the followed categories (the listing spec the home page and the
// daily digest read: getFollowedCategories) announced on the days since their previous visit that
// score at least DEFAULT_FEED_THRESHOLD for one of their topics, best first, each once with the
// topics it matched; and the reader's seen marks (seen_marks), which take a paper out of the inbox
// until a newer version of it is announced. A day's papers are scored for a topic by the one SQL that
// scores them for the listing's topic view, the feed and the digest (lib/topics/blend.ts scoreSql;
// here for all the reader's topics in one statement, lib/queries/topics.ts
// listScoredPapersForTopics): the inbox of a day holds, for each topic, the papers its digest sends.
//
// "Since the previous visit" (users.inbox_visited_at): every inbox view records its time, and the
// window starts at the UTC day of the view before it, inclusive (a day stored after a visit that
// same morning is not missed; what of it the reader scrolled past is seen, and stays out). So that
// a reload does not empty the inbox, the page keeps the start it used for the rest of the visit
// (app/inbox/page.tsx: a cookie of its own path, refreshed while the reader keeps coming back).
// A first visit shows the latest announced day. At most INBOX_DAYS announced days, newest first.
import type { ListingSpec } from "../arxiv/categories";
import { db } from "../db";
import { DEFAULT_FEED_THRESHOLD } from "../topics/blend";
import { listingDays } from "./listings";
import { listScoredPapersForTopics, type ScoredPaper } from "./topics";
import type { PaperRecord } from "./papers";

/** Announced days an inbox looks back at most, however long the reader was away. */
export const INBOX_DAYS = 7;
/** Papers an inbox shows at most (the best ones). */
export const INBOX_LIMIT = 200;
export { MAX_SEEN_BATCH } from "../seen-batch";

export interface InboxTopicScore {
  id: string;
  name: string;
  score: number;
}

export interface InboxPaper extends PaperRecord {
  tldr: string | null;
  /** The best of its topics' scores. */
  score: number;
  /** The topics it scored at least the threshold for, best first. */
  topics: InboxTopicScore[];
  /** Seen at its latest version (only listed with "show seen"). */
  seen: boolean;
  /** Seen at an older version: a new version came since, shown once more. */
  updated: boolean;
}

export interface Inbox {
  /** The announced days looked at, newest first (none: nothing announced yet, or no topics). */
  days: string[];
  /** The papers shown, best first. */
  papers: InboxPaper[];
  /** Papers above the threshold in those days, seen ones included. */
  total: number;
  /** Of those, the ones hidden as seen (0 with showSeen). */
  seenHidden: number;
}

/**
 * Records an inbox view now and returns the time of the view before it (null: the first one). One
 * statement: two views at once each get a previous time, never an error.
 */
export async function recordInboxVisit(userId: string): Promise<Date | null> {
  const rows = await db().$queryRawUnsafe<{ previous: Date | null }[]>(
    `WITH prev AS (SELECT id, inbox_visited_at FROM users WHERE id = $1 FOR UPDATE)
     UPDATE users u SET inbox_visited_at = timezone('UTC', now()) FROM prev WHERE u.id = prev.id
     RETURNING prev.inbox_visited_at AS previous`,
    userId,
  );
  return rows[0]?.previous ?? null;
}

/** Whether the reader has any topic (a reader with topics has an inbox as their home page). */
export async function readerHasTopics(userId: string): Promise<boolean> {
  const rows = await db().$queryRawUnsafe<{ yes: boolean }[]>(`SELECT EXISTS (SELECT 1 FROM topics WHERE user_id = $1) AS yes`, userId);
  return rows[0]?.yes ?? false;
}

/**
 * The spec's announced days since `since` (its UTC day included), newest first, at most INBOX_DAYS;
 * with no `since`, the latest announced day. The days are the listing's own (listingDays, kept as
 * long as the home page keeps them), so the inbox, "/" and the digest agree on which day is the latest.
 */
export async function inboxDays(spec: ListingSpec, since: Date | null): Promise<string[]> {
  const days = (await listingDays(spec)).slice(0, INBOX_DAYS);
  if (since === null) return days.slice(0, 1);
  const from = since.toISOString().slice(0, 10);
  return days.filter((day) => day >= from);
}

/**
 * The reader's inbox for the spec's announced days `days` (inboxDays): the papers listed on them that
 * score at least `min` (DEFAULT_FEED_THRESHOLD, as the digest) for at least one of `topics` (the
 * reader's own; another reader's topic scores nothing), best first (equal scores by the learned part,
 * then id), at most `limit`. Papers the reader has seen at their latest version are left out unless
 * `showSeen`; one seen at an older version is listed as `updated`. One scoring statement per day for
 * all the topics (listScoredPapersForTopics: the scores of listScoredPapersForDay, without
 * explanations) and one read of the seen marks.
 */
export async function listInbox(
  userId: string,
  topics: { id: string; name: string }[],
  spec: ListingSpec,
  days: string[],
  options: { showSeen?: boolean; min?: number; limit?: number } = {},
): Promise<Inbox> {
  if (!days.length || !topics.length) return { days, papers: [], total: 0, seenHidden: 0 };
  const min = options.min ?? DEFAULT_FEED_THRESHOLD;
  const byId = new Map(topics.map((t) => [t.id, t]));
  const topicIds = [...byId.keys()];
  const hits = (await Promise.all(days.map((day) => listScoredPapersForTopics(userId, topicIds, spec, day, { min })))).flat();
  // Paper id → the paper, its best score (with that topic's learned part, to order equal scores) and its topics.
  const best = new Map<string, { paper: ScoredPaper; score: number; learned: number; topics: Map<string, InboxTopicScore> }>();
  for (const { topicId, paper } of hits) {
    const topic = byId.get(topicId)!;
    const { score, modelPart } = paper.relevance;
    const entry = best.get(paper.id) ?? { paper, score: -1, learned: Number.NEGATIVE_INFINITY, topics: new Map() };
    // A paper listed on two of the days (new, then replaced) is scored once per day: the same score.
    entry.topics.set(topic.id, { id: topic.id, name: topic.name, score });
    const learned = modelPart ?? Number.NEGATIVE_INFINITY;
    if (score > entry.score || (score === entry.score && learned > entry.learned)) Object.assign(entry, { score, learned });
    best.set(paper.id, entry);
  }
  if (!best.size) return { days, papers: [], total: 0, seenHidden: 0 };
  const marks = await db().seenMark.findMany({ where: { userId, paperId: { in: [...best.keys()] } }, select: { paperId: true, version: true } });
  const seenVersions = new Map(marks.map((m) => [m.paperId, m.version]));
  const all = [...best.values()].map(({ paper, score, learned, topics: matched }): InboxPaper & { learned: number } => {
    const { announceType: _type, position: _position, relevance: _relevance, ...record } = paper;
    // Version 0: marked unseen while the mark is kept for the paper's page having been opened.
    const seenVersion = seenVersions.get(paper.id) ?? 0;
    return {
      ...record,
      score,
      learned,
      topics: [...matched.values()].sort((a, b) => b.score - a.score || a.name.localeCompare(b.name)),
      seen: seenVersion >= paper.version,
      updated: seenVersion > 0 && seenVersion < paper.version,
    };
  });
  all.sort((a, b) => b.score - a.score || b.learned - a.learned || a.id.localeCompare(b.id));
  const shown = options.showSeen ? all : all.filter((p) => !p.seen);
  const papers = shown.slice(0, options.limit ?? INBOX_LIMIT).map(({ learned: _learned, ...p }) => p);
  return { days, papers, total: all.length, seenHidden: all.length - shown.length };
}

/**
 * Marks papers seen by the reader at their latest version (unknown ids are ignored). A mark that is
 * there already moves to the latest version and now; when the paper's page was opened is kept.
 * Returns how many papers were marked.
 */
export async function markSeen(userId: string, paperIds: string[]): Promise<number> {
  if (!paperIds.length) return 0;
  return db().$executeRawUnsafe(
    `INSERT INTO seen_marks (user_id, paper_id, version, seen_at)
     SELECT $1, p.id, p.latest_version, timezone('UTC', now()) FROM papers p WHERE p.id = ANY($2::text[])
     ON CONFLICT (user_id, paper_id) DO UPDATE SET version = EXCLUDED.version, seen_at = EXCLUDED.seen_at`,
    userId,
    paperIds,
  );
}

/**
 * Marks papers unseen: their marks are deleted, except where the reader opened the paper's page
 * (opened_at counts towards the paper's popularity once): those keep the row at version 0, which
 * reads as "not seen" (versions start at 1). Returns how many marks changed.
 */
export async function markUnseen(userId: string, paperIds: string[]): Promise<number> {
  if (!paperIds.length) return 0;
  const [deleted, kept] = await db().$transaction([
    db().$executeRawUnsafe(`DELETE FROM seen_marks WHERE user_id = $1 AND paper_id = ANY($2::text[]) AND opened_at IS NULL`, userId, paperIds),
    db().$executeRawUnsafe(`UPDATE seen_marks SET version = 0 WHERE user_id = $1 AND paper_id = ANY($2::text[]) AND opened_at IS NOT NULL AND version <> 0`, userId, paperIds),
  ]);
  return deleted + kept;
}
