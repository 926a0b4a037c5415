// Labels and notes on stars in the database (lib/queries/stars.ts): set, counted, filtered by, spelled
// one way per reader, gone with the star, and never reaching another reader's stars.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { db, disconnectDb } from "../../lib/db";
import {
  countStarred,
  findStarLabel,
  getStarNotes,
  listStarLabels,
  listStarred,
  setStarLabels,
  setStarNote,
  starPaper,
  unstarPaper,
} from "../../lib/queries/stars";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";

const tag = randomBytes(4).toString("hex");
const userIds: string[] = [];
const paperIds: string[] = [];

async function makeUser(name: string): Promise<string> {
  const id = `labels-${tag}-${name}`;
  await db().user.create({ data: { id, name, email: `${name}-${tag}@labels.test` } });
  userIds.push(id);
  return id;
}

let alice: string;
let bob: string;
let papers: string[];

beforeAll(async () => {
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  papers = Array.from({ length: 4 }, randomPaperId);
  await seedListing(papers.map((id, i) => entry({ id, title: `Label test paper ${i} (${tag})` })), ["cs.CL"], randomDay());
  paperIds.push(...papers);
});

afterAll(async () => {
  await db().user.deleteMany({ where: { id: { in: userIds } } });
  await db().paper.deleteMany({ where: { id: { in: paperIds } } });
  await disconnectDb();
});

test("labels and a note on a star: stored, listed with counts, filtered by, one spelling per reader", async () => {
  const [p0, p1, p2] = papers as [string, string, string];
  // Starred a minute apart, p0 first: the list is newest first.
  for (const [i, p] of [p0, p1, p2].entries()) {
    await starPaper(alice, p);
    await db().star.update({ where: { userId_paperId: { userId: alice, paperId: p } }, data: { createdAt: new Date(Date.UTC(2025, 5, 1, 12, i)) } });
  }
  // A new star has no labels and no note.
  expect(await getStarNotes(alice, p0)).toEqual({ labels: [], note: null });

  expect(await setStarLabels(alice, p0, ["to read", "cite in thesis"])).toEqual(["to read", "cite in thesis"]);
  // Another spelling of an existing label joins it.
  expect(await setStarLabels(alice, p1, ["To Read"])).toEqual(["to read"]);
  expect(await setStarNote(alice, p0, "Compare with §3.\nLater.")).toBe(true);
  expect(await getStarNotes(alice, p0)).toEqual({ labels: ["to read", "cite in thesis"], note: "Compare with §3.\nLater." });

  expect(await listStarLabels(alice)).toEqual([
    { label: "to read", count: 2 },
    { label: "cite in thesis", count: 1 },
  ]);
  expect(await findStarLabel(alice, "TO READ")).toBe("to read");
  expect(await findStarLabel(alice, "unknown")).toBeUndefined();
  expect(await countStarred(alice, "to read")).toBe(2);
  expect(await countStarred(alice)).toBe(3);

  const labelled = await listStarred(alice, { label: "to read" });
  expect(labelled.papers.map((p) => p.id)).toEqual([p1, p0]);
  expect(labelled.papers[1]).toMatchObject({ labels: ["to read", "cite in thesis"], note: "Compare with §3.\nLater." });
  expect((await listStarred(alice, { label: "nothing like it" })).papers).toEqual([]);
  // The filter pages like the whole list.
  const first = await listStarred(alice, { label: "to read", limit: 1 });
  expect(first.papers.map((p) => p.id)).toEqual([p1]);
  const second = await listStarred(alice, { label: "to read", limit: 1, cursor: first.nextCursor! });
  expect(second.papers.map((p) => p.id)).toEqual([p0]);
  expect(second.nextCursor).toBeNull();

  // Clearing: no labels, no note.
  expect(await setStarLabels(alice, p1, [])).toEqual([]);
  expect(await setStarNote(alice, p0, null)).toBe(true);
  expect(await getStarNotes(alice, p0)).toEqual({ labels: ["to read", "cite in thesis"], note: null });
  expect(await listStarLabels(alice)).toEqual([
    { label: "cite in thesis", count: 1 },
    { label: "to read", count: 1 },
  ]);

  // Unstarring takes the labels and note with the star; starring again starts blank.
  await unstarPaper(alice, p0);
  expect(await getStarNotes(alice, p0)).toBeNull();
  await starPaper(alice, p0);
  expect(await getStarNotes(alice, p0)).toEqual({ labels: [], note: null });
  for (const p of [p0, p1, p2]) await unstarPaper(alice, p);
});

test("a paper the reader has not starred takes no labels or note, and another reader's star is never touched", async () => {
  const [, , , p3] = papers as [string, string, string, string];
  await starPaper(alice, p3);
  await setStarLabels(alice, p3, ["private"]);
  await setStarNote(alice, p3, "Alice's note");

  // Bob has not starred p3: nothing is written, to his row or hers.
  expect(await setStarLabels(bob, p3, ["hijacked"])).toBeNull();
  expect(await setStarNote(bob, p3, "Bob's note")).toBe(false);
  expect(await getStarNotes(bob, p3)).toBeNull();
  expect(await getStarNotes(alice, p3)).toEqual({ labels: ["private"], note: "Alice's note" });

  // Bob's own star on the same paper has its own labels; counts and lists stay per reader.
  await starPaper(bob, p3);
  expect(await setStarLabels(bob, p3, ["PRIVATE", "bob's"])).toEqual(["PRIVATE", "bob's"]);
  expect(await listStarLabels(bob)).toEqual([
    { label: "bob's", count: 1 },
    { label: "PRIVATE", count: 1 },
  ]);
  expect(await listStarLabels(alice)).toEqual([{ label: "private", count: 1 }]);
  expect(await getStarNotes(bob, p3)).toEqual({ labels: ["PRIVATE", "bob's"], note: null });
  expect((await listStarred(bob, { label: "private" })).papers).toEqual([]);
  expect(await getStarNotes(alice, p3)).toEqual({ labels: ["private"], note: "Alice's note" });

  // A paper that does not exist: nothing to label.
  expect(await setStarLabels(alice, "0704.0000", ["x"])).toBeNull();
  await unstarPaper(alice, p3);
  await unstarPaper(bob, p3);
});
