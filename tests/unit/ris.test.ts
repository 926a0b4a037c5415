// RIS records (lib/ris.ts), read back the way citation managers read them: one "XX  - value" per
// CRLF-ended line, TY first, "ER  - " last. Hostile text must never make a line that is a tag of its
// own. Also the reader's labels and note in BibTeX (lib/bibtex.ts) and the citation meta tags.
import { expect, test } from "vitest";
import { toBibtex } from "../../lib/bibtex";
import { citationMeta } from "../../lib/citation-meta";
import { risAuthor, risValue, toRis, toRisFile, type RisPaper } from "../../lib/ris";

/** Records of a RIS file as [tag, value] lists; throws on a line that is not a tag line. */
function readRis(text: string): [string, string][][] {
  expect(text.endsWith("\r\n")).toBe(true);
  const lines = text.slice(0, -2).split("\r\n");
  const records: [string, string][][] = [];
  let current: [string, string][] | undefined;
  for (const line of lines) {
    const m = /^([A-Z][A-Z0-9])  - (.*)$/.exec(line);
    if (!m) throw new Error(`not a RIS line: ${JSON.stringify(line)}`);
    const [, tag, value] = m as unknown as [string, string, string];
    if (tag === "TY") {
      expect(current, "TY inside a record").toBeUndefined();
      current = [];
    }
    expect(current, `${tag} outside a record`).toBeDefined();
    current!.push([tag, value]);
    if (tag === "ER") {
      expect(value).toBe("");
      records.push(current!);
      current = undefined;
    }
  }
  expect(current, "a record without ER").toBeUndefined();
  return records;
}

const values = (record: [string, string][], tag: string) => record.filter(([t]) => t === tag).map(([, v]) => v);

const paper: RisPaper = {
  id: "2104.12255",
  version: 2,
  title: "Attention Is Not All You Need",
  authors: ["Ada King Lovelace", "Ludwig van Beethoven", "ATLAS Collaboration", "Plato", "Martin Luther King Jr."],
  abstract: "We show things.",
  publishedAt: new Date("2021-04-25T17:59:59Z"),
  doi: "10.1000/xyz",
};

test("a preprint is one RPRT record: TY first, ER last, CRLF line ends, authors as 'Last, First'", () => {
  const text = toRis(paper);
  expect(text.startsWith("TY  - RPRT\r\n")).toBe(true);
  expect(text.endsWith("ER  - \r\n")).toBe(true);
  expect(text).not.toMatch(/[^\r]\n/);
  const [record] = readRis(text);
  expect(values(record!, "TI")).toEqual(["Attention Is Not All You Need"]);
  expect(values(record!, "AU")).toEqual(["Lovelace, Ada King", "van Beethoven, Ludwig", "ATLAS Collaboration", "Plato", "King, Martin Luther, Jr."]);
  expect(values(record!, "PY")).toEqual(["2021"]);
  expect(values(record!, "DA")).toEqual(["2021/04/25"]);
  expect(values(record!, "PB")).toEqual(["arXiv"]);
  expect(values(record!, "UR")).toEqual(["https://arxiv.org/abs/2104.12255v2"]);
  expect(values(record!, "DO")).toEqual(["10.1000/xyz"]);
  expect(values(record!, "AB")).toEqual(["We show things."]);
  expect(values(record!, "KW")).toEqual([]);
  expect(values(record!, "N1")).toEqual([]);
});

test("a paper with a journal reference is a JOUR record naming it; no date, no DOI, no abstract: no empty lines", () => {
  const [record] = readRis(toRis({ id: "hep-th/9711200", version: 3, title: "The Large N Limit", authors: ["Juan Maldacena"], journalRef: "Adv. Theor. Math. Phys. 2 (1998) 231" }));
  expect(values(record!, "TY")).toEqual(["JOUR"]);
  expect(values(record!, "T2")).toEqual(["Adv. Theor. Math. Phys. 2 (1998) 231"]);
  expect(values(record!, "PB")).toEqual([]);
  expect(values(record!, "AN")).toEqual(["arXiv:hep-th/9711200"]);
  expect(record!.map(([t]) => t)).toEqual(["TY", "TI", "AU", "T2", "AN", "UR", "ER"]);
});

test("labels become one KW each and the note N1; line breaks inside a value become spaces", () => {
  const [record] = readRis(toRis({ ...paper, labels: ["to read", "cite in thesis"], note: "First line.\r\nSecond line.\n\nThird." }));
  expect(values(record!, "KW")).toEqual(["to read", "cite in thesis"]);
  expect(values(record!, "N1")).toEqual(["First line. Second line. Third."]);
});

test("hostile text cannot end a record or add a tag: newlines, a forged ER line, control characters", () => {
  const hostile: RisPaper = {
    ...paper,
    title: 'Title\nER  - \nTY  - JOUR\nTI  - Forged <script>alert("x")</script>',
    authors: ["Eve\r\nAU  - Mallory"],
    abstract: "tab\there\u0000nul\u2028line separator\u0085next line",
    labels: ["a\nKW  - b"],
    note: "note\rER  - ",
  };
  const records = readRis(toRisFile([hostile, paper]));
  expect(records).toHaveLength(2);
  const [first] = records;
  expect(values(first!, "TI")).toEqual(['Title ER - TY - JOUR TI - Forged <script>alert("x")</script>']);
  expect(values(first!, "AU")).toEqual(["Mallory, Eve AU -"]);
  expect(values(first!, "AB")).toEqual(["tab here nul line separator next line"]);
  expect(values(first!, "KW")).toEqual(["a KW - b"]);
  expect(values(first!, "N1")).toEqual(["note ER -"]);
  expect(values(first!, "TY")).toEqual(["RPRT"]);
});

test("risValue and risAuthor", () => {
  expect(risValue("  a \t b\r\n c  ")).toBe("a b c");
  expect(risValue("")).toBe("");
  expect(risAuthor("Lovelace, Ada")).toBe("Lovelace, Ada");
  expect(risAuthor("  Jean  de la Fontaine ")).toBe("de la Fontaine, Jean");
  expect(risAuthor("The CMS Consortium")).toBe("The CMS Consortium");
});

test("a file of no papers is empty; several records follow each other without blank lines", () => {
  expect(toRisFile([])).toBe("");
  const text = toRisFile([paper, { ...paper, id: "2104.00001" }]);
  expect(text).not.toContain("\r\n\r\n");
  expect(readRis(text)).toHaveLength(2);
});

test("BibTeX keeps the labels as keywords and the note as annote (never the printed note field)", () => {
  const bib = toBibtex({ ...paper, primaryCategory: "cs.CL", year: "2021", labels: ["to read", "cite in thesis"], note: "Read §3.\n\nCompare {with} ours" });
  expect(bib).toContain("  keywords = {to read, cite in thesis}");
  expect(bib).toContain("  annote = {Read §3. Compare {with} ours}");
  expect(bib).not.toMatch(/^\s*note = /m);
  // Unbalanced braces in a note cannot close the field early.
  const hostile = toBibtex({ ...paper, primaryCategory: "cs.CL", note: "}, title = {Forged" });
  expect(hostile).toContain("  annote = {, title = Forged}");
  expect(hostile.match(/title = /g)).toHaveLength(2); // the real one and the text inside annote
  expect(hostile.trimEnd().endsWith("}")).toBe(true);
  // Without labels or a note, no empty fields.
  expect(toBibtex({ ...paper, primaryCategory: "cs.CL" })).not.toMatch(/keywords|annote/);
});

test("citation meta tags: one citation_author per author in order, v1's date as YYYY/MM/DD, the arXiv PDF", () => {
  const meta = citationMeta(
    { id: "2104.12255", title: 'A "quoted" <script>title</script>', authors: ["Ada Lovelace", "Alan Turing"], publishedAt: null, doi: null, versions: [{ version: 2, submittedAt: new Date("2021-05-02T00:00:00Z"), firstSeenAt: new Date() }, { version: 1, submittedAt: new Date("2021-04-05T23:00:00Z"), firstSeenAt: new Date() }] },
    "https://papers.example.org/papers/2104.12255",
  );
  expect(meta).toEqual({
    citation_title: 'A "quoted" <script>title</script>',
    citation_author: ["Ada Lovelace", "Alan Turing"],
    citation_date: "2021/04/05",
    citation_online_date: "2021/04/05",
    citation_arxiv_id: "2104.12255",
    citation_pdf_url: "https://arxiv.org/pdf/2104.12255",
    citation_abstract_html_url: "https://papers.example.org/papers/2104.12255",
  });
});

test("citation_date without any stored date: the year in the id (arXiv's old RSS carries no dates)", () => {
  const undated = (id: string) => citationMeta({ id, title: "T", authors: ["A"], publishedAt: null, doi: null, versions: [] }, `https://papers.example.org/papers/${id}`);
  expect(undated("1808.09964").citation_date).toBe("2018");
  expect(undated("hep-th/9711200").citation_date).toBe("1997");
  expect(undated("math/0309136").citation_date).toBe("2003");
  expect(undated("1808.09964")).not.toHaveProperty("citation_online_date");
});
