// parseAtom against real export.arxiv.org API responses: by id (new and old style), a pair of
// search pages, an empty result and the API's error feed.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { parseAtom } from "@/lib/arxiv/parse-atom";
import { FeedError } from "@/lib/arxiv/types";

const fixture = (p: string) => readFileSync(new URL(`../fixtures/arxiv/api/${p}`, import.meta.url), "utf8");
const BY_ID = fixture("arxivpy2026_id_list_2104.12255v1.atom");
const SEARCH_0 = fixture("arxivpy2026_search_testing_start0_max10.atom");
const SEARCH_10 = fixture("arxivpy2026_search_testing_start10_max10.atom");

test("by id 2104.12255v1: every field, and a title that is just '0' stays a string", () => {
  const feed = parseAtom(BY_ID);
  expect(feed.format).toBe("atom");
  expect(feed.totalResults).toBe(1);
  expect(feed.startIndex).toBe(0);
  expect(feed.skipped).toEqual([]);
  expect(feed.entries).toEqual([
    {
      id: "2104.12255",
      version: 1,
      title: "0",
      abstract:
        'What is the funniest number in cryptography? 0. The reason is that for all x, x*0 = 0, i.e., the equation is always satisfied no matter what x is. This article discusses crypto bugs in four BLS signatures\' libraries (ethereum/py ecc, supranational/blst, herumi/bls, sigp/milagro bls) that revolve around 0. Furthermore, we develop "splitting zero" attacks to show a weakness in the proof-of-possession aggregate signature scheme standardized in BLS RFC draft v4. Eth2 bug bounties program generously awarded $35,000 in total for the reported bugs.',
      authors: ["Quan Thoi Minh Nguyen"],
      categories: ["cs.CR"],
      primaryCategory: "cs.CR",
      publishedAt: new Date("2021-04-20T16:07:14Z"),
      updatedAt: new Date("2021-04-20T16:07:14Z"),
    },
  ]);
});

test("old-style id astro-ph/0601001: comment, journal ref, entities, authors without affiliations", () => {
  const feed = parseAtom(fixture("arxivpy2026_id_list_astro-ph_0601001.atom"));
  expect(feed.entries).toHaveLength(1);
  const e = feed.entries[0]!;
  expect(e).toMatchObject({
    id: "astro-ph/0601001",
    version: 1,
    title:
      "Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys Toward the Galactic Bulge and Carina",
    authors: ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"],
    categories: ["astro-ph"],
    primaryCategory: "astro-ph",
    comments:
      "62 pages including 16 figures and 9 tables. Submitted to Acta Astronomica. Full resolution version at http://www.astronomy.ohio-state.edu/~gould/ogle_hot_jupiters.ps.gz",
    journalRef: "ActaAstron.56:1-50,2006",
    publishedAt: new Date("2006-01-02T14:57:58Z"),
    updatedAt: new Date("2006-01-02T14:57:58Z"),
  });
  expect(e.doi).toBeUndefined();
  // The summary starts with two spaces in the XML and holds "&amp;" and "&lt;".
  expect(e.abstract).toMatch(/^We derive the frequencies of hot Jupiters/);
  expect(e.abstract).toContain("Gould & Morgan (2003)");
  expect(e.abstract).toContain("limit of V_max<17.5.");
  expect(e.abstract).toContain("(1/310)(1^{+1.39}_{-0.59})");
});

test("search pages: totalResults and startIndex 0 and 10, ten entries each", () => {
  const p0 = parseAtom(SEARCH_0);
  const p10 = parseAtom(SEARCH_10);
  expect([p0.totalResults, p0.startIndex, p0.entries.length]).toEqual([214881, 0, 10]);
  expect([p10.totalResults, p10.startIndex, p10.entries.length]).toEqual([214881, 10, 10]);
  expect(p0.entries.map((e) => `${e.id}v${e.version}`)).toEqual([
    "2202.12139v1",
    "2405.13786v1",
    "2005.14124v2",
    "2204.08348v3",
    "2302.03287v3",
    "1202.4527v1",
    "2503.05378v2",
    "1205.1866v1",
    "2502.07719v2",
    "1812.11470v1",
  ]);
  expect(p10.entries[0]!.id).toBe("2403.16981");
  const ids = new Set(p0.entries.map((e) => e.id));
  for (const e of p10.entries) expect(ids.has(e.id)).toBe(false);

  expect(p0.entries[0]).toMatchObject({
    title: "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques",
    categories: ["cs.SE", "cs.LG"],
    primaryCategory: "cs.SE",
    comments: "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022",
    doi: "10.1109/ICSTW55395.2022.00035",
    authors: ["Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker"],
  });
  expect(p0.entries[4]!.title).toBe("ChatGPT and Software Testing Education: Promises & Perils");
  for (const e of [...p0.entries, ...p10.entries]) {
    expect(e.categories[0]).toBe(e.primaryCategory);
    expect(e.title).not.toMatch(/\n| {2}/);
    expect(e.abstract).not.toMatch(/\n| {2}/);
    expect(e.publishedAt).toBeInstanceOf(Date);
    expect(e.updatedAt!.getTime()).toBeGreaterThanOrEqual(e.publishedAt!.getTime());
  }
  expect(p10.entries.find((e) => e.id === "2406.19956")!.primaryCategory).toBe("econ.EM");
});

test("arxiv:primary_category comes first even when listed later among the categories", () => {
  const swapped = SEARCH_0.replace('<arxiv:primary_category term="cs.SE"/>', '<arxiv:primary_category term="cs.LG"/>');
  const e = parseAtom(swapped).entries[0]!;
  expect(e.categories).toEqual(["cs.LG", "cs.SE"]);
  expect(e.primaryCategory).toBe("cs.LG");
});

test("UTF-8 read as Latin-1 upstream (as stored in these fixtures) is repaired", () => {
  const p0 = parseAtom(SEARCH_0);
  expect(p0.entries[1]!.authors).toEqual(["Aurora Ramírez", "Mario Berrios", "José Raúl Romero", "Robert Feldt"]);
  const p10 = parseAtom(SEARCH_10);
  expect(p10.entries.find((e) => e.id === "2202.06271")!.authors).toContain("Katharina Götz");
  expect(p10.entries[0]!.abstract).toContain("type-I error at most $α$");
});

test("empty result: zero entries, paging still read", () => {
  const feed = parseAtom(fixture("arxivpy2026_EMPTY_id_list_0000.0000.atom"));
  expect(feed).toEqual({ format: "atom", entries: [], skipped: [], totalResults: 0, startIndex: 0 });
});

test("the API's error feed (one entry titled Error) → FeedError with its message", () => {
  const xml = fixture("arxivpy2026_ERROR_http400_id_list_abc.atom");
  expect(() => parseAtom(xml)).toThrow(FeedError);
  expect(() => parseAtom(xml)).toThrow("arXiv API error: incorrect id format for abc");
});

test("malformed responses → FeedError", () => {
  expect(() => parseAtom(BY_ID.slice(0, 900))).toThrow(/truncated/);
  expect(() => parseAtom("<html><body>Rate exceeded.</body></html>")).toThrow(/HTML page/);
  expect(() => parseAtom("")).toThrow(FeedError);
  expect(() => parseAtom(readFileSync(new URL("../fixtures/arxiv/rss/test_empty_2024-11-28.xml", import.meta.url), "utf8"))).toThrow(
    /expected an Atom <feed>/,
  );
});

test("an entry with an unreadable id is skipped, the others parse", () => {
  const broken = SEARCH_0.replace("<id>http://arxiv.org/abs/2405.13786v1</id>", "<id>http://arxiv.org/abs/garbage</id>");
  const feed = parseAtom(broken);
  expect(feed.entries).toHaveLength(9);
  expect(feed.skipped).toEqual([{ index: 1, reason: "<id> is not an arXiv abstract URL: http://arxiv.org/abs/garbage" }]);
});

test("hostile title text stays literal", () => {
  const xml = BY_ID.replace("<title>0</title>", "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>");
  expect(parseAtom(xml).entries[0]!.title).toBe("<script>alert(1)</script>");
});
