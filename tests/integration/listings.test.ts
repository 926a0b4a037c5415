// Listing queries: a day in arXiv's order, unions, exclusions, archives, aliases, counts, days;
// search ranking, filters and marked snippets.
import { expect, test } from "vitest";
import { parseListingSpec } from "../../lib/arxiv/categories";
import { countListing, listingDays, listPapersForDay } from "../../lib/queries/listings";
import { searchPapers, SearchQueryError } from "../../lib/queries/search";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";

test("a day's listing is in arXiv's order and counted per announce type", async () => {
  const day = randomDay();
  const ids = Array.from({ length: 6 }, randomPaperId);
  await seedListing(
    [
      entry({ id: ids[0]!, announceType: "replace", primaryCategory: "cs.CL", categories: ["cs.CL"] }),
      entry({ id: ids[1]!, announceType: "new", primaryCategory: "cs.CL", categories: ["cs.CL"] }),
      entry({ id: ids[2]!, announceType: "cross", primaryCategory: "cs.LG", categories: ["cs.LG", "cs.CL"] }),
      entry({ id: ids[3]!, announceType: "new", primaryCategory: "cs.CL", categories: ["cs.CL", "cs.CY"] }),
      entry({ id: ids[4]!, announceType: "replace-cross", primaryCategory: "stat.ML", categories: ["stat.ML", "cs.CL"] }),
    ],
    ["cs.CL"],
    day,
  );
  const spec = parseListingSpec("cs.CL");
  const papers = await listPapersForDay(spec, day);
  expect(papers.map((p) => [p.id, p.announceType])).toEqual([
    [ids[1], "new"],
    [ids[3], "new"],
    [ids[2], "cross"],
    [ids[0], "replace"],
    [ids[4], "replace-cross"],
  ]);
  expect(await countListing(spec, day)).toEqual({ new: 2, cross: 1, replace: 1, "replace-cross": 1 });
  expect((await listPapersForDay(spec, day, { types: ["cross", "replace-cross"] })).map((p) => p.id)).toEqual([ids[2], ids[4]]);
  expect((await listPapersForDay(spec, day, { offset: 1, limit: 2 })).map((p) => p.id)).toEqual([ids[3], ids[2]]);

  // Exclusion: the cs.CY paper disappears.
  const minus = await listPapersForDay(parseListingSpec("cs.CL-cs.CY"), day);
  expect(minus.map((p) => p.id)).not.toContain(ids[3]);
  expect(minus).toHaveLength(4);
});

test("unions list a paper once; archives and aliases reach their categories", async () => {
  const day = randomDay();
  const [a, b, c] = [randomPaperId(), randomPaperId(), randomPaperId()];
  await seedListing([entry({ id: a, primaryCategory: "cs.AI", categories: ["cs.AI", "cs.CL"] })], ["cs.AI", "cs.CL"], day);
  await seedListing([entry({ id: b, primaryCategory: "cs.CL", categories: ["cs.CL"] })], ["cs.CL"], day);
  await seedListing([entry({ id: c, primaryCategory: "math.NA", categories: ["math.NA", "cs.NA"] })], ["math.NA"], day);

  const union = await listPapersForDay(parseListingSpec("cs.AI,cs.CL"), day);
  expect(union.map((p) => p.id).sort()).toEqual([a, b].sort());
  // The cs archive covers cs.NA, which is math.NA under another name: the math.NA paper belongs.
  const archive = await listPapersForDay(parseListingSpec("cs"), day);
  expect(archive.map((p) => p.id).sort()).toEqual([a, b, c].sort());
  expect((await listPapersForDay(parseListingSpec("cs-math.NA"), day)).map((p) => p.id).sort()).toEqual([a, b].sort());
  const alias = await listPapersForDay(parseListingSpec("cs.NA"), day);
  expect(alias.map((p) => p.id)).toEqual([c]);
  expect(await listingDays(parseListingSpec("cs.NA"))).toContain(day);
});

test("listingDays are newest first", async () => {
  const [d1, d2] = ["1989-01-02", "1989-01-05"];
  await seedListing([entry({ id: randomPaperId(), primaryCategory: "hep-lat", categories: ["hep-lat"] })], ["hep-lat"], d1);
  await seedListing([entry({ id: randomPaperId(), primaryCategory: "hep-lat", categories: ["hep-lat"] })], ["hep-lat"], d2);
  const days = await listingDays(parseListingSpec("hep-lat"));
  expect(days.indexOf(d2)).toBeLessThan(days.indexOf(d1));
});

test("search ranks title matches first, finds authors, filters, and marks matches", async () => {
  const word = `zyx${Math.random().toString(36).slice(2, 8)}`;
  const [inTitle, inAbstract, byAuthor, other] = [randomPaperId(), randomPaperId(), randomPaperId(), randomPaperId()];
  const day = randomDay();
  await seedListing(
    [
      entry({ id: inAbstract, title: "Something unrelated", abstract: `We study ${word} models in depth.`, publishedAt: new Date(`${day}T10:00:00Z`) }),
      entry({ id: inTitle, title: `${word} models for everything`, abstract: "Nothing here.", publishedAt: new Date(`${day}T10:00:00Z`) }),
      entry({ id: byAuthor, title: "A paper", abstract: "Plain.", authors: [`Grace ${word}`], primaryCategory: "math.NA", categories: ["math.NA"] }),
      entry({ id: other, title: "Other", abstract: "Plain." }),
    ],
    ["cs.CL"],
    day,
  );
  const { hits, total } = await searchPapers(word);
  expect(total).toBe(3);
  expect(hits[0]!.id).toBe(inTitle);
  expect(hits.map((h) => h.id)).toContain(byAuthor);
  expect(hits.find((h) => h.id === inAbstract)!.snippet).toContain(`\u0001${word}\u0002`);
  expect((await searchPapers(word, { categories: ["cs.NA"] })).hits.map((h) => h.id)).toEqual([byAuthor]);
  expect((await searchPapers(word, { from: day, to: day })).hits.map((h) => h.id).sort()).toEqual([inTitle, inAbstract].sort());
  // Plural and singular meet through stemming.
  expect((await searchPapers(`${word} model`)).total).toBeGreaterThanOrEqual(2);
});

test("search refuses absurd queries clearly and treats hostile terms as words", async () => {
  await expect(searchPapers("x".repeat(301))).rejects.toThrow(SearchQueryError);
  await expect(searchPapers(`<script>alert(1)</script> " OR 1=1 --'`)).resolves.toMatchObject({ total: expect.any(Number) });
  expect(await searchPapers("   ")).toEqual({ hits: [], total: 0 });
});

test("a search matching more papers than it ranks ranks the newest ones, says so, and reaches older ones by date", async () => {
  const word = `bounded${randomPaperId().replace(".", "")}`;
  // Twelve papers with the word, one a day; the oldest has it in its title (it would rank first).
  const days = Array.from({ length: 12 }, (_, i) => `2031-03-${String(i + 1).padStart(2, "0")}`);
  const ids = days.map(() => randomPaperId());
  for (const [i, d] of days.entries()) {
    await seedListing(
      [entry({ id: ids[i]!, title: i === 0 ? `${word} everywhere` : `Paper ${i}`, abstract: `We mention ${word} once.`, publishedAt: new Date(`${d}T10:00:00Z`) })],
      ["cs.CL"],
      d,
    );
  }
  const unbounded = await searchPapers(word, { semantic: false });
  expect(unbounded.total).toBe(12);
  expect(unbounded.capped).toBeUndefined();
  expect(unbounded.hits[0]!.id).toBe(ids[0]);

  // Both ways of finding the newest matches (walking the date index, or the word index) agree.
  for (const strategy of ["walk", "index", "auto"] as const) {
    const bounded = await searchPapers(word, { semantic: false, rankWithin: 5, strategy });
    expect(bounded.capped, strategy).toBe(true);
    expect(bounded.total, strategy).toBe(5);
    // Only the five newest are ranked; the title match of the oldest is not among them.
    expect(bounded.hits.map((h) => h.id).sort(), strategy).toEqual(ids.slice(7).sort());
  }
  // A date window reaches the older papers.
  for (const strategy of ["walk", "index"] as const) {
    const older = await searchPapers(word, { semantic: false, rankWithin: 5, from: days[0], to: days[2], strategy });
    expect(older.capped, strategy).toBeUndefined();
    expect(older.hits[0]!.id, strategy).toBe(ids[0]);
    expect(older.total, strategy).toBe(3);
  }
});
