// Popularity in the database: each reader counts once per paper whatever they did (star, FAQ
// request, open), the counts of a page in one statement, the weekly ranking and the listing's
// popular order (readers, then stars, then arXiv's order); opens buffered and written with one
// statement that also marks the paper seen, keeps the first open and the newest version; a flush
// that fails (a paper deleted meanwhile, a value the database refuses) never throws to the caller.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { parseListingSpec } from "../../lib/arxiv/categories";
import { db, disconnectDb, useDatabaseUrl } from "../../lib/db";
import { bufferedOpens, flushOpens, MAX_BUFFERED, recordOpen } from "../../lib/popularity/opens";
import { listPapersForDay } from "../../lib/queries/listings";
import { listPopularThisWeek, POPULAR_LIMIT, popularityOf } from "../../lib/queries/popularity";
import { startPgProxy, type PgProxy } from "../helpers/pg-proxy";
import { entry, randomPaperId, seedListing } from "../helpers/seed";

const tag = randomBytes(4).toString("hex");
const today = new Date().toISOString().slice(0, 10);
/** A category few tests use, listed today: this file's listing. */
const CATEGORY = "astro-ph.EP";
/** Papers of the flush tests, and of the counting test (each test its own). */
const opened = Array.from({ length: 6 }, randomPaperId);
const ids = Array.from({ length: 6 }, randomPaperId);
const users: Record<"ann" | "bob" | "cy", string> = { ann: `pop-${tag}-ann`, bob: `pop-${tag}-bob`, cy: `pop-${tag}-cy` };

let proxy: PgProxy;

beforeAll(async () => {
  // Every statement of this file goes through the proxy, which counts them.
  proxy = await startPgProxy(inject("databaseUrl"));
  useDatabaseUrl(proxy.url);
  await seedListing(
    [...opened, ...ids].map((id, i) => entry({ id, title: `Popularity ${tag} ${id}`, primaryCategory: CATEGORY, categories: [CATEGORY], version: i === 2 ? 2 : 1 })),
    [CATEGORY],
    today,
  );
  for (const [name, id] of Object.entries(users)) await db().user.create({ data: { id, name, email: `${name}-${tag}@popularity.test` } });
});

afterAll(async () => {
  await db().user.deleteMany({ where: { id: { in: Object.values(users) } } });
  await db().paper.deleteMany({ where: { id: { in: [...opened, ...ids] } } });
  await disconnectDb();
  await proxy?.close();
});

const mark = (userId: string, paperId: string) =>
  db().seenMark.findUnique({ where: { userId_paperId: { userId, paperId } }, select: { version: true, seenAt: true, openedAt: true } });

test("a flush writes every buffered open in one statement, marking the paper seen", async () => {
  const { ann, bob, cy } = users;
  const [p1, , p3, p4, p5, p6] = opened as [string, string, string, string, string, string];
  // cy had scrolled past p3 (version 1) an hour ago; bob had opened p4 yesterday.
  const hourAgo = new Date(Date.now() - 3_600_000);
  const yesterday = new Date(Date.now() - 86_400_000);
  await db().seenMark.create({ data: { userId: cy, paperId: p3, version: 1, seenAt: hourAgo } });
  await db().seenMark.create({ data: { userId: bob, paperId: p4, version: 1, seenAt: yesterday, openedAt: yesterday } });

  const before = Date.now();
  const pending = [recordOpen(ann, p1, 1), recordOpen(bob, p1, 1), recordOpen(ann, p1, 1), recordOpen(cy, p3, 2), recordOpen(bob, p4, 1), recordOpen(cy, p5, 1), recordOpen(bob, p5, 1)];
  expect(bufferedOpens()).toBe(6); // ann's second open of p1 is the same entry
  proxy.reset();
  await flushOpens();
  expect(proxy.statements()).toBe(1);
  await Promise.all(pending); // each caller's promise settles with the flush
  expect(bufferedOpens()).toBe(0);

  const annP1 = await mark(ann, p1);
  expect(annP1?.version).toBe(1);
  expect(annP1?.openedAt).not.toBeNull();
  expect(annP1!.openedAt!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
  expect(annP1?.seenAt.getTime()).toBe(annP1?.openedAt?.getTime()); // a new mark: seen when opened
  const cyP3 = await mark(cy, p3);
  expect(cyP3).toMatchObject({ version: 2, seenAt: hourAgo }); // seen before: the newer version, the old sighting
  expect(cyP3?.openedAt).not.toBeNull();
  expect((await mark(bob, p4))?.openedAt).toEqual(yesterday); // the first open stays

  // Written in the background too: the promise settles once the timer's flush has run.
  await recordOpen(cy, p6, 1);
  expect((await mark(cy, p6))?.openedAt).not.toBeNull();
});

test("each reader counts once per paper, whatever they did; readers rank, then stars", async () => {
  const { ann, bob, cy } = users;
  const [p1, p2, p3, p4, p5, p6] = ids as [string, string, string, string, string, string];
  const opens = (pairs: [string, string][]) =>
    db().seenMark.createMany({ data: pairs.map(([userId, paperId]) => ({ userId, paperId, version: 1, openedAt: new Date() })) });
  // p1: ann starred it, asked twice for its FAQ and opened it; bob opened it. 2 readers, 1 star.
  await db().star.create({ data: { userId: ann, paperId: p1 } });
  await db().faqRequest.createMany({ data: [{ userId: ann, paperId: p1 }, { userId: ann, paperId: p1 }] });
  // p2: three stars. p5: opened by two readers, no star (ranks after p1). p3, p6: opened by one.
  await db().star.createMany({ data: [ann, bob, cy].map((userId) => ({ userId, paperId: p2 })) });
  await opens([[ann, p1], [bob, p1], [cy, p5], [bob, p5], [cy, p3], [cy, p6]]);
  // A seen mark without an open counts for nothing: p4 stays untouched.
  await db().seenMark.create({ data: { userId: ann, paperId: p4, version: 1 } });

  proxy.reset();
  const counts = await popularityOf(ids);
  expect(proxy.statements()).toBe(1);
  expect(counts.get(p1)).toEqual({ stars: 1, faqs: 1, opens: 2, readers: 2 });
  expect(counts.get(p2)).toEqual({ stars: 3, faqs: 0, opens: 0, readers: 3 });
  expect(counts.get(p3)).toEqual({ stars: 0, faqs: 0, opens: 1, readers: 1 });
  expect(counts.get(p4)).toBeUndefined();
  expect(counts.get(p5)).toEqual({ stars: 0, faqs: 0, opens: 2, readers: 2 });

  // The week's ranking (other files' papers may be in it too: only ours are compared); ties in
  // readers and stars go to the newest announcement, then the larger id.
  const week = await listPopularThisWeek(10_000);
  const ours = week.papers.filter((p) => ids.includes(p.id));
  expect(ours.map((p) => p.id).slice(0, 3)).toEqual([p2, p1, p5]);
  expect(ours.map((p) => p.id).slice(3).sort()).toEqual([p3, p6].sort());
  expect(ours.find((p) => p.id === p1)).toMatchObject({ announced: today, popularity: { stars: 1, faqs: 1, opens: 2, readers: 2 }, title: `Popularity ${tag} ${p1}` });
  expect(week.since <= today).toBe(true);

  // The listing by popularity: the same order, ties in arXiv's order, papers nobody touched last;
  // its counts come with the rows. arXiv's order is unchanged, with no counts read.
  const spec = parseListingSpec(CATEGORY);
  const popular = (await listPapersForDay(spec, today, { sort: "popular" })).filter((p) => ids.includes(p.id));
  expect(popular.map((p) => p.id)).toEqual([p2, p1, p5, p3, p6, p4]);
  expect(popular[1]?.popularity).toEqual({ stars: 1, faqs: 1, opens: 2, readers: 2 });
  expect(popular[5]?.popularity).toBeNull();
  const arxiv = (await listPapersForDay(spec, today)).filter((p) => ids.includes(p.id));
  expect(arxiv.map((p) => p.id)).toEqual(ids);
  expect(arxiv[0]?.popularity).toBeUndefined();
});

test("a week in which no paper was announced has no popular papers (the page's empty state)", async () => {
  // Far ahead: no listing is dated then, whatever other files store meanwhile.
  const week = await listPopularThisWeek(POPULAR_LIMIT, new Date("2199-01-01T12:00:00Z"));
  // The week: seven days, that day included.
  expect(week).toEqual({ since: "2198-12-26", papers: [] });
});

test("a flush that fails is logged and never throws; opens of deleted papers are left out", async () => {
  const { ann, bob } = users;
  const [, p2, , p4] = opened as [string, string, string, string];
  const gone = randomPaperId();
  await seedListing([entry({ id: gone, primaryCategory: CATEGORY, categories: [CATEGORY] })], [CATEGORY], today);
  const kept = recordOpen(bob, p2, 1);
  const lost = recordOpen(ann, gone, 1);
  await db().paper.delete({ where: { id: gone } }); // deleted between the open and the flush
  await flushOpens();
  await Promise.all([kept, lost]);
  expect((await mark(bob, p2))?.openedAt).not.toBeNull();
  expect(await db().seenMark.count({ where: { paperId: gone } })).toBe(0);

  // A batch the database refuses (a version beyond its integer range): not written, not thrown.
  const refused = recordOpen(ann, p4, 2 ** 31);
  await expect(flushOpens()).resolves.toBeUndefined();
  await expect(refused).resolves.toBeUndefined();
  expect(await mark(ann, p4)).toBeNull();
  expect(bufferedOpens()).toBe(0);
});

test("the buffer is bounded: past MAX_BUFFERED, opens are dropped until the next flush", async () => {
  for (let i = 0; i <= MAX_BUFFERED; i += 1) void recordOpen(`pop-${tag}-nobody-${i}`, opened[0]!, 1);
  expect(bufferedOpens()).toBe(MAX_BUFFERED);
  await flushOpens(); // readers that do not exist are left out
  expect(bufferedOpens()).toBe(0);
  expect(await db().seenMark.count({ where: { userId: { startsWith: `pop-${tag}-nobody-` } } })).toBe(0);
});
