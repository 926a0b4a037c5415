// Stars in the database: idempotent star/unstar, a page's starred set in one query, the starred list
// newest first with a working cursor, and readers who never see or change each other's stars.
import { randomBytes, randomInt } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import { PrismaClient } from "../../lib/generated/prisma/client";
import { countStarred, listStarred, starPaper, starredAmong, unstarPaper } from "../../lib/queries/stars";

const tag = randomBytes(4).toString("hex");
const userIds: string[] = [];
const paperIds: string[] = [];

/** A valid new-style arXiv id nobody else in the shared database is likely to use. */
function randomPaperId(): string {
  const yy = 16 + randomInt(10);
  const mm = String(1 + randomInt(12)).padStart(2, "0");
  return `${yy}${mm}.${String(randomInt(100_000)).padStart(5, "0")}`;
}

async function makeUser(name: string): Promise<string> {
  const id = `stars-${tag}-${name}`;
  await db().user.create({ data: { id, name, email: `${name}-${tag}@stars.test` } });
  userIds.push(id);
  return id;
}

async function makePapers(n: number): Promise<string[]> {
  const ids = new Set<string>();
  while (ids.size < n) ids.add(randomPaperId());
  await db().paper.createMany({
    data: [...ids].map((id, i) => ({
      id,
      latestVersion: 1 + (i % 3),
      title: `Star test paper ${i} (${tag})`,
      abstract: "An abstract.",
      authors: ["Ada Lovelace"],
      primaryCategory: "cs.CL",
      categories: ["cs.CL"],
      publishedAt: new Date(Date.UTC(2025, 0, 1 + i)),
    })),
    skipDuplicates: true,
  });
  paperIds.push(...ids);
  return [...ids];
}

let alice: string;
let bob: string;
let papers: string[];

beforeAll(async () => {
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  papers = await makePapers(7);
});

afterAll(async () => {
  await db().user.deleteMany({ where: { id: { in: userIds } } });
  await db().paper.deleteMany({ where: { id: { in: paperIds } } });
  await disconnectDb();
});

test("starring twice keeps one star; unstarring twice is fine; a missing paper is reported, not thrown", async () => {
  const [p] = papers as [string];
  expect(await starPaper(alice, p)).toBe(true);
  expect(await starPaper(alice, p)).toBe(true);
  expect(await db().star.count({ where: { userId: alice, paperId: p } })).toBe(1);
  expect(await countStarred(alice)).toBe(1);

  await unstarPaper(alice, p);
  await unstarPaper(alice, p);
  expect(await countStarred(alice)).toBe(0);

  expect(await starPaper(alice, "0704.0000")).toBe(false);
  expect(await countStarred(alice)).toBe(0);
});

test("starredAmong answers for a whole page in one query", async () => {
  const [p0, p1, p2, p3] = papers as [string, string, string, string];
  await starPaper(alice, p0);
  await starPaper(alice, p2);
  await starPaper(bob, p1);

  // Count the statements Prisma sends: swap in a client that reports each one.
  await disconnectDb();
  const counting = new PrismaClient({
    adapter: new PrismaPg({ connectionString: inject("databaseUrl") }),
    log: [{ emit: "event", level: "query" }],
  });
  const statements: string[] = [];
  counting.$on("query", (e) => statements.push(e.query));
  (globalThis as { prisma?: PrismaClient }).prisma = counting;
  try {
    const starred = await starredAmong(alice, [p0, p1, p2, p3, p0]);
    expect([...starred].sort()).toEqual([p0, p2].sort());
    expect(statements).toHaveLength(1);
    expect(await starredAmong(alice, [])).toEqual(new Set());
    expect(statements).toHaveLength(1);
  } finally {
    await disconnectDb();
  }

  await unstarPaper(alice, p0);
  await unstarPaper(alice, p2);
  await unstarPaper(bob, p1);
});

test("listStarred: most recently starred first, paged by cursor without gaps or repeats", async () => {
  // Star in a known order, spaced so every star has its own millisecond.
  for (const p of papers) {
    await starPaper(alice, p);
    await new Promise((r) => setTimeout(r, 3));
  }
  const expected = [...papers].reverse();

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await listStarred(alice, { limit: 3, cursor });
    expect(page.papers.length).toBeLessThanOrEqual(3);
    seen.push(...page.papers.map((p) => p.id));
    cursor = page.nextCursor ?? undefined;
    pages += 1;
  } while (cursor && pages < 10);
  expect(seen).toEqual(expected);
  expect(pages).toBe(3);

  const first = (await listStarred(alice, { limit: 1 })).papers[0]!;
  expect(first).toMatchObject({
    id: expected[0],
    title: expect.stringContaining(tag),
    authors: ["Ada Lovelace"],
    primaryCategory: "cs.CL",
    categories: ["cs.CL"],
    comments: null,
    journalRef: null,
    doi: null,
  });
  expect(first.version).toBeGreaterThanOrEqual(1);
  expect(first.starredAt).toBeInstanceOf(Date);
  expect(first.publishedAt).toBeInstanceOf(Date);

  // A garbled cursor starts from the newest rather than failing.
  expect((await listStarred(alice, { limit: 2, cursor: "not a cursor" })).papers.map((p) => p.id)).toEqual(expected.slice(0, 2));

  // Ties on the same instant are still ordered and paged by paper id.
  await db().star.updateMany({ where: { userId: alice }, data: { createdAt: new Date("2025-06-01T00:00:00Z") } });
  const tied: string[] = [];
  cursor = undefined;
  do {
    const page = await listStarred(alice, { limit: 2, cursor });
    tied.push(...page.papers.map((p) => p.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  expect(tied).toEqual([...papers].sort().reverse());

  for (const p of papers) await unstarPaper(alice, p);
});

test("one reader never sees or changes another's stars", async () => {
  const [p0, p1] = papers as [string, string];
  await starPaper(alice, p0);
  await starPaper(bob, p1);

  expect([...(await starredAmong(bob, [p0, p1]))]).toEqual([p1]);
  expect((await listStarred(bob)).papers.map((p) => p.id)).toEqual([p1]);
  expect(await countStarred(bob)).toBe(1);

  // Bob unstarring Alice's paper removes nothing of hers.
  await unstarPaper(bob, p0);
  expect([...(await starredAmong(alice, [p0]))]).toEqual([p0]);

  // Deleting an account takes its stars with it, and only its own.
  const carol = await makeUser("carol");
  await starPaper(carol, p0);
  await db().user.delete({ where: { id: carol } });
  expect(await db().star.count({ where: { userId: carol } })).toBe(0);
  expect([...(await starredAmong(alice, [p0]))]).toEqual([p0]);

  await unstarPaper(alice, p0);
  await unstarPaper(bob, p1);
});
