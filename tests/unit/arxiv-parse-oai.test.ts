// parseOai against a real OAI-PMH ListRecords page (arXivRaw, 1000 records, resumption token) and
// real GetRecord error responses, plus variants built in memory.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { isArxivId } from "@/lib/arxiv/ids";
import { parseOai } from "@/lib/arxiv/parse-oai";
import { FeedError, type ParsedEntry } from "@/lib/arxiv/types";

const fixture = (p: string) => readFileSync(new URL(`../fixtures/arxiv/oai/${p}`, import.meta.url), "utf8");
const PAGE = fixture("arxivsync_ListRecords_arXivRaw_page_cursor46000.xml");

function entry(entries: ParsedEntry[], id: string): ParsedEntry {
  const e = entries.find((x) => x.id === id);
  if (!e) throw new Error(`no entry ${id}`);
  return e;
}

test("ListRecords page: 1000 records, ids in order, resumption token", () => {
  const feed = parseOai(PAGE);
  expect(feed.format).toBe("oai");
  expect(feed.resumptionToken).toBe("496549|47001");
  expect(feed.skipped).toEqual([]);
  expect(feed.entries).toHaveLength(1000);
  const ids = [...PAGE.matchAll(/<identifier>oai:arXiv\.org:([^<]+)<\/identifier>/g)].map((m) => m[1]);
  expect(feed.entries.map((e) => e.id)).toEqual(ids);
  expect(feed.entries[0]!.id).toBe("0801.3673");
  expect(feed.entries.at(-1)!.id).toBe("0801.4672");
  for (const e of feed.entries) {
    expect(isArxivId(e.id)).toBe(true);
    expect(e.version).toBeGreaterThanOrEqual(1);
    expect(e.primaryCategory).toBe(e.categories[0]);
    expect(e.publishedAt).toBeInstanceOf(Date);
    expect(e.updatedAt!.getTime()).toBeGreaterThanOrEqual(e.publishedAt!.getTime());
    expect(e.title).not.toMatch(/\n| {2}/);
    expect(e.abstract).not.toMatch(/\n| {2}/);
    expect(e.announceType).toBeUndefined();
    for (const a of e.authors) expect(a, e.id).not.toMatch(/[\\{}()]|^\s|\s$/);
  }
});

test("latest version and its date, v1 date, every metadata field", () => {
  const feed = parseOai(PAGE);
  expect(entry(feed.entries, "0801.3674")).toEqual({
    id: "0801.3674",
    version: 4,
    title: "A Study of Structure Formation and Reheating in the D3/D7 Brane Inflation Model",
    abstract: expect.stringMatching(
      /^We study the spectrum of cosmological fluctuations in the D3\/D7 brane inflationary universe with .* into matter fluctuations\.$/,
    ),
    // "Robert H. Brandenberger (McGill), Keshav Dasgupta (McGill) and\n  Anne-Christine Davis (DAMTP, Cambridge)"
    authors: ["Robert H. Brandenberger", "Keshav Dasgupta", "Anne-Christine Davis"],
    categories: ["hep-th", "astro-ph", "gr-qc", "hep-ph"],
    primaryCategory: "hep-th",
    comments: "Some sections expanded, typos corrected and references added. Final version to appear in Phys. Rev. D",
    journalRef: "Phys.Rev.D78:083502,2008",
    doi: "10.1103/PhysRevD.78.083502",
    publishedAt: new Date("2008-01-23T21:13:53Z"),
    updatedAt: new Date("2008-09-11T22:03:53Z"),
  });
  expect(entry(feed.entries, "0801.3673")).toMatchObject({ version: 1, comments: "4 pages" });
  expect(entry(feed.entries, "0801.3673").journalRef).toBeUndefined();
});

test("author lists from the page, checked against the raw <authors> text", () => {
  const feed = parseOai(PAGE);
  expect(entry(feed.entries, "0801.3675").authors).toEqual(["Paolo Ribeca", "Emanuele Raineri"]);
  // "G. H\'etet, J. J. Longdell, M. J. Sellars, P. K. Lam, and B. C.   Buchler"
  expect(entry(feed.entries, "0801.3860").authors).toEqual([
    "G. Hétet",
    "J. J. Longdell",
    "M. J. Sellars",
    "P. K. Lam",
    "B. C. Buchler",
  ]);
  // "CDF Collaboration: T. Aaltonen, et al" and, without the comma, "... T. Aaltonen et al"
  expect(entry(feed.entries, "0801.3877").authors).toEqual(["CDF Collaboration", "T. Aaltonen"]);
  expect(entry(feed.entries, "0801.4375").authors).toEqual(["CDF Collaboration", "T. Aaltonen"]);
  // "S. {\AA}berg, H. Olofsson and P. Leboeuf"
  expect(entry(feed.entries, "0801.3903").authors).toEqual(["S. Åberg", "H. Olofsson", "P. Leboeuf"]);
  // "J. Dobnikar, M. Brunner, J\&quot;org Baumgartl, H.H. von Gr\&quot;unberg, and C.   Bechinger"
  expect(entry(feed.entries, "0801.3920").authors).toEqual([
    "J. Dobnikar",
    "M. Brunner",
    "Jörg Baumgartl",
    "H.H. von Grünberg",
    "C. Bechinger",
  ]);
  // The title's "t' -&gt; Wq" is decoded to a plain ">".
  expect(entry(feed.entries, "0801.3877").title).toBe(
    "Search for Heavy Top-like Quarks t' -> Wq Using Lepton Plus Jets Events in 1.96 TeV Proton-Antiproton Collisions",
  );
});

test("OAI error responses → FeedError with the code and arXiv's message", () => {
  const missing = fixture("inspire_GetRecord_error_idDoesNotExist_1305.9999.xml");
  expect(() => parseOai(missing)).toThrow(FeedError);
  expect(() => parseOai(missing)).toThrow(
    "OAI-PMH error idDoesNotExist: Identifier 'oai:arXiv.org:1305.9999' has correct form but does not correspond to an item in this repository",
  );
  expect(() => parseOai(fixture("inspire_GetRecord_error_versioned_id_1305.0014v1.xml"))).toThrow(
    /idDoesNotExist: This OAI interface supports only the notion of an arXiv article and not access to individual versions\./,
  );
  expect(() =>
    parseOai('<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="badResumptionToken">expired</error></OAI-PMH>'),
  ).toThrow("OAI-PMH error badResumptionToken: expired");
});

test("noRecordsMatch is an empty result, not an error", () => {
  const xml =
    '<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-01T00:00:00Z</responseDate><request verb="ListRecords">http://export.arxiv.org/oai2</request><error code="noRecordsMatch">No records</error></OAI-PMH>';
  expect(parseOai(xml)).toEqual({ format: "oai", entries: [], skipped: [] });
});

test("deleted and broken records are skipped; last page has no token", () => {
  const first = PAGE.indexOf("<record>");
  const second = PAGE.indexOf("<record>", first + 1);
  const deleted =
    '<record><header status="deleted"><identifier>oai:arXiv.org:0801.0001</identifier><datestamp>2008-01-25</datestamp></header></record>\n';
  const noVersions = PAGE.slice(first, second).replace(/<version version='v1'>.*?<\/version>/, "");
  const xml =
    PAGE.slice(0, first) +
    deleted +
    noVersions +
    PAGE.slice(second).replace(/<resumptionToken[^>]*>[^<]*<\/resumptionToken>/, "<resumptionToken completeListSize='907096' cursor='46000'/>");
  const feed = parseOai(xml);
  expect(feed.skipped).toEqual([
    { index: 0, id: "0801.0001", reason: "deleted record" },
    { index: 1, id: "0801.3673", reason: "no <version> elements" },
  ]);
  expect(feed.entries).toHaveLength(999);
  expect(feed.resumptionToken).toBeUndefined();
});

test("metadataPrefix arXiv (structured authors) is read too", () => {
  const xml = `<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><GetRecord><record><header><identifier>oai:arXiv.org:0704.0001</identifier></header><metadata>
<arXiv xmlns="http://arxiv.org/OAI/arXiv/"><id>0704.0001</id><created>2007-04-02</created><updated>2007-07-24</updated>
<authors><author><keyname>Bal\\'azs</keyname><forenames>C.</forenames></author><author><keyname>Evans</keyname><forenames>Neal J.</forenames><suffix>II</suffix></author></authors>
<title>Calculation of prompt diphoton production cross sections at Tevatron and
  LHC energies</title><categories>hep-ph</categories><abstract>  A fully differential calculation.
</abstract></arXiv></metadata></record></GetRecord></OAI-PMH>`;
  expect(parseOai(xml).entries).toEqual([
    {
      id: "0704.0001",
      version: 1,
      title: "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies",
      abstract: "A fully differential calculation.",
      authors: ["C. Balázs", "Neal J. Evans II"],
      categories: ["hep-ph"],
      primaryCategory: "hep-ph",
      publishedAt: new Date("2007-04-02T00:00:00Z"),
      updatedAt: new Date("2007-07-24T00:00:00Z"),
    },
  ]);
});

test("malformed responses → FeedError", () => {
  expect(() => parseOai(PAGE.slice(0, 50_000))).toThrow(/truncated/);
  expect(() => parseOai("<html><head><title>Retry later</title></head></html>")).toThrow(/HTML page.*Retry later/);
  expect(() => parseOai("<rss/>")).toThrow(/expected <OAI-PMH>/);
  expect(() => parseOai('<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"/>')).toThrow(/ListRecords/);
});
