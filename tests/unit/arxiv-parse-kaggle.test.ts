// parseKaggleLine against the first 200 lines of the real Kaggle arXiv metadata snapshot, plus
// broken lines.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { isArxivId } from "@/lib/arxiv/ids";
import { parseKaggleLine } from "@/lib/arxiv/parse-kaggle";
import { splitAuthors } from "@/lib/arxiv/text";

const LINES = readFileSync(new URL("../fixtures/arxiv/kaggle/wanng-ide_snapshot_first200.jsonl", import.meta.url), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "");

function line(id: string): string {
  const l = LINES.find((x) => x.startsWith(`{"id":"${id}"`));
  if (!l) throw new Error(`no line ${id}`);
  return l;
}

test("all 200 lines parse, ids in order, fields well-formed", () => {
  expect(LINES).toHaveLength(200);
  const entries = LINES.map(parseKaggleLine);
  expect(entries[0]!.id).toBe("0704.0001");
  expect(entries[199]!.id).toBe("0704.0200");
  for (const e of entries) {
    expect(isArxivId(e.id)).toBe(true);
    expect(e.version).toBeGreaterThanOrEqual(1);
    expect(e.primaryCategory).toBe(e.categories[0]);
    expect(e.authors.length).toBeGreaterThan(0);
    expect(e.title).not.toMatch(/\n| {2}/);
    expect(e.abstract).not.toMatch(/\n| {2}/);
    expect(e.publishedAt).toBeInstanceOf(Date);
    expect(e.updatedAt).toBeInstanceOf(Date);
    for (const a of e.authors) expect(a, e.id).not.toMatch(/[\\{}()]|^\s|\s$/);
  }
});

test("first line: every field", () => {
  expect(parseKaggleLine(LINES[0]!)).toEqual({
    id: "0704.0001",
    version: 2,
    title: "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies",
    abstract: expect.stringMatching(/^A fully differential calculation in perturbative quantum chromodynamics is presented .* judicious selection of events\.$/),
    // authors_parsed: [["Balázs","C.",""],["Berger","E. L.",""],["Nadolsky","P. M.",""],["Yuan","C. -P.",""]]
    authors: ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"],
    categories: ["hep-ph"],
    primaryCategory: "hep-ph",
    comments: "37 pages, 15 figures; published version",
    journalRef: "Phys.Rev.D76:013009,2007",
    doi: "10.1103/PhysRevD.76.013009",
    publishedAt: new Date("2007-04-02T19:18:42Z"),
    updatedAt: new Date("2008-11-26T00:00:00Z"),
  });
});

test("names from authors_parsed: suffixes, collaborations, TeX already resolved", () => {
  expect(parseKaggleLine(line("0704.0009")).authors).toEqual([
    "Paul Harvey",
    "Bruno Merin",
    "Tracy L. Huard",
    "Luisa M. Rebull",
    "Nicholas Chapman",
    "Neal J. Evans II",
    "Philip C. Myers",
  ]);
  // "The BABAR Collaboration, B. Aubert, et al"
  expect(parseKaggleLine(line("0704.0020")).authors).toEqual(["The BABAR Collaboration", "B. Aubert"]);
  // "Mikkel {\O}bro"
  expect(parseKaggleLine(line("0704.0049")).authors).toEqual(["Mikkel Øbro"]);
  // "A. S. Mishchenko (1 and 2) and N. Nagaosa (1 and 3) ((1) CREST, ...)"
  expect(parseKaggleLine(line("0704.0025"))).toMatchObject({
    authors: ["A. S. Mishchenko", "N. Nagaosa"],
    categories: ["cond-mat.str-el", "cond-mat.stat-mech"],
  });
});

test("without authors_parsed the authors string is split, and agrees with authors_parsed", () => {
  const o = JSON.parse(line("0704.0128")) as Record<string, unknown>;
  const parsed = parseKaggleLine(line("0704.0128")).authors;
  delete o.authors_parsed;
  const split = parseKaggleLine(JSON.stringify(o)).authors;
  expect(split).toHaveLength(15);
  expect(split[0]).toBe("P.A. Evans");
  expect(split.at(-1)).toBe("P. Romano");
  // Same people; the snapshot only spaces out initials ("P.A." → "P. A.").
  const squash = (names: string[]) => names.map((n) => n.replace(/\s+/g, ""));
  expect(squash(split)).toEqual(squash(parsed));
  // And across the whole sample, splitting agrees with arXiv's own split.
  for (const l of LINES) {
    const raw = JSON.parse(l) as { authors: string };
    expect(squash(splitAuthors(raw.authors)), raw.authors).toEqual(squash(parseKaggleLine(l).authors));
  }
});

test("bad lines throw a clear Error", () => {
  expect(() => parseKaggleLine("")).toThrow(/Bad Kaggle arXiv metadata line: not JSON/);
  expect(() => parseKaggleLine("{truncated")).toThrow(/not JSON/);
  expect(() => parseKaggleLine("[1,2]")).toThrow(/not a JSON object/);
  expect(() => parseKaggleLine('{"title":"x"}')).toThrow(/no "id"/);
  expect(() => parseKaggleLine('{"id":"junk","title":"x","categories":"hep-ph"}')).toThrow(/Not an arXiv id/);
  expect(() => parseKaggleLine('{"id":"0704.0001","categories":"hep-ph"}')).toThrow(/\(0704\.0001\): no title/);
  expect(() => parseKaggleLine('{"id":"0704.0001","title":"x","categories":""}')).toThrow(/no categories/);
  expect(() => parseKaggleLine('{"id":"0704.0001","title":"x","categories":"hep-ph","versions":"v1"}')).toThrow(
    /"versions" is not a list/,
  );
  expect(() =>
    parseKaggleLine('{"id":"0704.0001","title":"x","categories":"hep-ph","authors_parsed":[["a",1]]}'),
  ).toThrow(/authors_parsed/);
});
