// The inbox query on the real PostgreSQL (lib/queries/inbox.ts): the followed categories' announced
// days since a visit (the latest day on a first visit, at most INBOX_DAYS), papers of those
// categories only at or above the threshold for one of the reader's topics, picked by the scoring
// the digest uses (keyword-only topics here: a keyword phrase in the title scores 1, in the abstract
// only TEXT_WEIGHT, below the threshold), each paper once with every topic it matched, seen papers
// left out (and counted) unless asked for, a new version of a seen paper back once as "updated",
// unseen marks, another reader's topics scoring nothing, and the visit's previous time. The shared
// test database: this file's listings are of a category no other file lists (CATEGORY), and its
// "other category" (OTHER) too, so files running beside it neither see its days nor add to them.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { parseListingSpec } from "../../lib/arxiv/categories";
import { db, disconnectDb } from "../../lib/db";
import { inboxDays, INBOX_DAYS, listInbox, markSeen, markUnseen, readerHasTopics, recordInboxVisit } from "../../lib/queries/inbox";
import { createTopic, listScoredPapersForDay } from "../../lib/queries/topics";
import { DEFAULT_FEED_THRESHOLD, TEXT_WEIGHT } from "../../lib/topics/blend";
import { entry, randomPaperId, seedListing } from "../helpers/seed";

const tag = randomBytes(4).toString("hex");
/** The followed category of this file's inbox (no other test file lists it). */
const CATEGORY = "physics.hist-ph";
/** A category the inbox does not follow (no other test file lists it either). */
const OTHER = "physics.med-ph";
const spec = parseListingSpec(CATEGORY);
const LATEST = "2099-03-10";
const BEFORE = "2099-03-09";
/** A later day of the other category only: not one of the inbox's days. */
const OTHER_DAY = "2099-03-11";
/** Nine more days before those: more than INBOX_DAYS in all. */
const EARLIER = Array.from({ length: 9 }, (_, i) => `2099-02-${String(20 + i).padStart(2, "0")}`);
/** Further back than INBOX_DAYS announced days: never looked at. */
const LONG_AGO = "2099-01-15";

const ids = {
  graph: randomPaperId(),
  both: randomPaperId(),
  abstractOnly: randomPaperId(),
  protein: randomPaperId(),
  birds: randomPaperId(),
  old: randomPaperId(),
  elsewhere: randomPaperId(),
};
let alice: string;
let bob: string;
let graphTopic: { id: string; name: string };
let proteinTopic: { id: string; name: string };
let sql: pg.Client;

async function makeUser(name: string): Promise<string> {
  const id = `${name}-${tag}`;
  await db().user.create({ data: { id, name, email: `${name}-${tag}@inbox.test` } });
  return id;
}

const paper = (id: string, title: string, abstract = "An abstract about nothing in particular.", category = CATEGORY) =>
  entry({ id, title, abstract, categories: [category], primaryCategory: category });

beforeAll(async () => {
  sql = new pg.Client({ connectionString: inject("databaseUrl") });
  await sql.connect();
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  await seedListing(
    [
      paper(ids.graph, "Graph neural networks for traffic forecasting"),
      paper(ids.both, "Protein structure with graph neural networks"),
      paper(ids.abstractOnly, "Forecasting traffic flow", "We use graph neural networks on road sensors."),
      paper(ids.birds, "Bird migration routes over Europe"),
    ],
    [CATEGORY],
    LATEST,
  );
  await seedListing([paper(ids.protein, "Protein folding kinetics")], [CATEGORY], BEFORE);
  for (const day of EARLIER) await seedListing([paper(randomPaperId(), `Unrelated paper of ${day}`)], [CATEGORY], day);
  await seedListing([paper(ids.old, "Graph neural networks, long ago")], [CATEGORY], LONG_AGO);
  // Graph neural networks in a category the inbox does not follow, on one of its days and on a later one.
  await seedListing([paper(ids.elsewhere, "Graph neural networks elsewhere", undefined, OTHER)], [OTHER], LATEST);
  await seedListing([paper(randomPaperId(), "Graph neural networks, later elsewhere", undefined, OTHER)], [OTHER], OTHER_DAY);
  graphTopic = { id: (await createTopic(alice, { name: `Graphs <b>${tag}</b>`, description: "", keywords: ["graph neural"] })).id, name: `Graphs <b>${tag}</b>` };
  proteinTopic = { id: (await createTopic(alice, { name: `Proteins ${tag}`, description: "", keywords: ["protein"] })).id, name: `Proteins ${tag}` };
}, 120_000);

afterAll(async () => {
  await sql?.end();
  await disconnectDb();
});

const topics = () => [graphTopic, proteinTopic];
const idsOf = (papers: { id: string }[]) => papers.map((p) => p.id);

describe("days", () => {
  test("a first visit looks at the followed categories' latest announced day; a later one at the days since, at most INBOX_DAYS", async () => {
    // OTHER_DAY is later, but of a category not followed.
    expect(await inboxDays(spec, null)).toEqual([LATEST]);
    expect(await inboxDays(parseListingSpec(`${CATEGORY},${OTHER}`), null)).toEqual([OTHER_DAY]);
    // The visit's own day counts (a day stored later that morning is not missed).
    expect(await inboxDays(spec, new Date(`${BEFORE}T10:00:00Z`))).toEqual([LATEST, BEFORE]);
    const week = await inboxDays(spec, new Date(`${EARLIER[0]}T00:00:00Z`));
    expect(week).toHaveLength(INBOX_DAYS);
    expect(week).toEqual([LATEST, BEFORE, ...EARLIER.slice().reverse()].slice(0, INBOX_DAYS));
    expect(await inboxDays(spec, new Date("2000-01-01T00:00:00Z"))).not.toContain(LONG_AGO);
    expect(await inboxDays(spec, new Date("2200-01-01T00:00:00Z"))).toEqual([]);
  });
});

const digestPicks = async (topicId: string, day: string) =>
  idsOf((await listScoredPapersForDay(alice, topicId, spec, day, { min: DEFAULT_FEED_THRESHOLD })).papers).sort();

describe("papers", () => {
  test("papers at or above the threshold for any topic, each once with every topic it matched, best first", async () => {
    expect(DEFAULT_FEED_THRESHOLD).toBeGreaterThan(TEXT_WEIGHT); // a keyword in the abstract only is not enough
    const inbox = await listInbox(alice, topics(), spec, [LATEST]);
    // Not ids.elsewhere: listed that day too, and matching, but in a category not followed.
    expect(idsOf(inbox.papers).sort()).toEqual([ids.graph, ids.both].sort());
    const both = inbox.papers.find((p) => p.id === ids.both)!;
    expect(both.topics.map((t) => [t.name, t.score])).toEqual(
      [
        [graphTopic.name, 1],
        [proteinTopic.name, 1],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(both.score).toBe(1);
    expect(inbox.papers.find((p) => p.id === ids.graph)!.topics.map((t) => t.id)).toEqual([graphTopic.id]);
    expect(inbox).toMatchObject({ total: 2, seenHidden: 0 });
    for (const p of inbox.papers) expect(p).toMatchObject({ seen: false, updated: false, version: 1 });

    const two = await listInbox(alice, topics(), spec, [LATEST, BEFORE]);
    expect(idsOf(two.papers)).toContain(ids.protein);
    // A lower threshold lets the abstract-only match in; one topic alone matches only its papers.
    expect(idsOf((await listInbox(alice, topics(), spec, [LATEST], { min: TEXT_WEIGHT })).papers)).toContain(ids.abstractOnly);
    expect(idsOf((await listInbox(alice, [proteinTopic], spec, [LATEST, BEFORE])).papers).sort()).toEqual([ids.both, ids.protein].sort());
    // Following the other category as well brings its paper in.
    expect(idsOf((await listInbox(alice, topics(), parseListingSpec(`${CATEGORY},${OTHER}`), [LATEST])).papers)).toContain(ids.elsewhere);
  });

  test("for each topic and day, the inbox holds the papers the topic's digest picks for that day", async () => {
    const inbox = await listInbox(alice, topics(), spec, [LATEST, BEFORE]);
    for (const topic of topics()) {
      const inInbox = idsOf(inbox.papers.filter((p) => p.topics.some((t) => t.id === topic.id))).sort();
      const picked = [...new Set([...(await digestPicks(topic.id, LATEST)), ...(await digestPicks(topic.id, BEFORE))])].sort();
      expect(picked.length).toBeGreaterThan(0);
      expect(inInbox).toEqual(picked);
    }
  });

  test("another reader's topics score nothing for this reader; no topics, no days: an empty inbox", async () => {
    expect((await listInbox(bob, topics(), spec, [LATEST])).papers).toEqual([]);
    expect(await listInbox(alice, [], spec, [LATEST])).toMatchObject({ papers: [], total: 0 });
    expect(await listInbox(alice, topics(), spec, [])).toMatchObject({ papers: [], total: 0 });
    expect(await readerHasTopics(alice)).toBe(true);
    expect(await readerHasTopics(bob)).toBe(false);
  });
});

describe("seen marks", () => {
  test("a seen paper leaves the inbox (counted, back with showSeen), unknown ids are ignored, unseen brings it back", async () => {
    expect(await markSeen(alice, [ids.graph, "9912.99999", "not an id"])).toBe(1);
    const mark = await sql.query(`SELECT version FROM seen_marks WHERE user_id = $1 AND paper_id = $2`, [alice, ids.graph]);
    expect(mark.rows).toEqual([{ version: 1 }]);
    let inbox = await listInbox(alice, topics(), spec, [LATEST]);
    expect(idsOf(inbox.papers)).toEqual([ids.both]);
    expect(inbox).toMatchObject({ total: 2, seenHidden: 1 });
    inbox = await listInbox(alice, topics(), spec, [LATEST], { showSeen: true });
    expect(inbox.papers.find((p) => p.id === ids.graph)).toMatchObject({ seen: true, updated: false });
    // Bob's inbox is his own: Alice's marks do not touch his (he has no mark at all).
    expect((await sql.query(`SELECT 1 FROM seen_marks WHERE user_id = $1`, [bob])).rowCount).toBe(0);

    expect(await markUnseen(alice, [ids.graph, "9912.99999"])).toBe(1);
    expect(idsOf((await listInbox(alice, topics(), spec, [LATEST])).papers)).toContain(ids.graph);
    expect((await sql.query(`SELECT 1 FROM seen_marks WHERE user_id = $1 AND paper_id = $2`, [alice, ids.graph])).rowCount).toBe(0);
  });

  test("a new version of a seen paper comes back once, marked updated", async () => {
    await markSeen(alice, [ids.both]);
    expect(idsOf((await listInbox(alice, topics(), spec, [LATEST])).papers)).not.toContain(ids.both);
    // v2 announced as a replacement on the latest day.
    await seedListing([{ ...paper(ids.both, "Protein structure with graph neural networks"), version: 2, announceType: "replace" }], [CATEGORY], LATEST);
    const back = (await listInbox(alice, topics(), spec, [LATEST])).papers.find((p) => p.id === ids.both);
    expect(back).toMatchObject({ version: 2, updated: true, seen: false });
    await markSeen(alice, [ids.both]);
    expect((await sql.query(`SELECT version FROM seen_marks WHERE user_id = $1 AND paper_id = $2`, [alice, ids.both])).rows).toEqual([{ version: 2 }]);
    expect(idsOf((await listInbox(alice, topics(), spec, [LATEST])).papers)).not.toContain(ids.both);
  });

  test("marking unseen a paper whose page was opened keeps the row (its open counts) at version 0: unseen, not updated", async () => {
    await markSeen(alice, [ids.protein]);
    await sql.query(`UPDATE seen_marks SET opened_at = now() WHERE user_id = $1 AND paper_id = $2`, [alice, ids.protein]);
    expect(await markUnseen(alice, [ids.protein])).toBe(1);
    const rows = await sql.query(`SELECT version, opened_at IS NOT NULL AS opened FROM seen_marks WHERE user_id = $1 AND paper_id = $2`, [alice, ids.protein]);
    expect(rows.rows).toEqual([{ version: 0, opened: true }]);
    const p = (await listInbox(alice, topics(), spec, [BEFORE])).papers.find((x) => x.id === ids.protein);
    expect(p).toMatchObject({ seen: false, updated: false });
    // Seen again: the row moves to the latest version and keeps its open.
    await markSeen(alice, [ids.protein]);
    const again = await sql.query(`SELECT version, opened_at IS NOT NULL AS opened FROM seen_marks WHERE user_id = $1 AND paper_id = $2`, [alice, ids.protein]);
    expect(again.rows).toEqual([{ version: 1, opened: true }]);
  });
});

test("each inbox view records its time and hands back the one before", async () => {
  expect(await recordInboxVisit(bob)).toBeNull();
  // The column holds UTC without a zone: read back as text, not through the driver's local time.
  const stored = (await sql.query(`SELECT to_char(inbox_visited_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM users WHERE id = $1`, [bob])).rows[0].at as string;
  const previous = await recordInboxVisit(bob);
  expect(previous).toBeInstanceOf(Date);
  expect(previous!.toISOString()).toBe(stored);
  expect(await recordInboxVisit(`nobody-${tag}`)).toBeNull();
});
