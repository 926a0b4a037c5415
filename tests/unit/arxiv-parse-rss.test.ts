// parseRss against real arXiv daily feeds: RSS 2.0 (quant-ph 2025-04-28, stat 2024-03-26, the
// empty and the bad-archive feeds) and the legacy RDF (cs 2018-08-30), plus broken variants built
// in memory from them.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { isArxivId } from "@/lib/arxiv/ids";
import { parseRss } from "@/lib/arxiv/parse-rss";
import { FeedError, type ParsedEntry, type ParsedFeed } from "@/lib/arxiv/types";

const fixture = (p: string) => readFileSync(new URL(`../fixtures/arxiv/${p}`, import.meta.url), "utf8");
const QUANT_PH = fixture("rss/quant-ph_2025-04-28.xml");
const STAT = fixture("rss/stat_2024-03-26.xml");
const LEGACY = fixture("rss-legacy/cs_rdf_2018-08-30.rdf");

function countTypes(feed: ParsedFeed): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of feed.entries) counts[e.announceType ?? "none"] = (counts[e.announceType ?? "none"] ?? 0) + 1;
  return counts;
}

function byId(feed: ParsedFeed, id: string): ParsedEntry {
  const e = feed.entries.find((x) => x.id === id);
  if (!e) throw new Error(`no entry ${id}`);
  return e;
}

/** Ids and versions as the guids spell them, read with a plain regex, independent of the parser. */
function guidIds(xml: string): string[] {
  return [...xml.matchAll(/<guid isPermaLink="false">oai:arXiv\.org:([^<]+)<\/guid>/g)].map((m) => m[1]!);
}

function expectCleanText(s: string, what: string) {
  expect(s, what).not.toMatch(/\n|\r|\t| {2}/);
  expect(s, what).toBe(s.trim());
  expect(s, what).not.toMatch(/<\/?[a-z][a-z0-9]*(?:\s[^>]*)?>/i);
  expect(s, what).not.toMatch(/&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/i);
}

test("quant-ph 2025-04-28: 81 items = 40 new, 10 cross, 22 replace, 9 replace-cross", () => {
  const feed = parseRss(QUANT_PH);
  expect(feed.format).toBe("rss");
  expect(feed.announcedOn).toBe("2025-04-28");
  expect(feed.feedCategories).toEqual(["quant-ph"]);
  expect(feed.skipped).toEqual([]);
  expect(feed.entries).toHaveLength(81);
  expect(countTypes(feed)).toEqual({ new: 40, cross: 10, replace: 22, "replace-cross": 9 });
});

test("stat 2024-03-26: 123 items = 35 new, 27 cross, 41 replace, 20 replace-cross", () => {
  const feed = parseRss(STAT);
  expect(feed.announcedOn).toBe("2024-03-26");
  expect(feed.feedCategories).toEqual(["stat"]);
  expect(feed.skipped).toEqual([]);
  expect(feed.entries).toHaveLength(123);
  expect(countTypes(feed)).toEqual({ new: 35, cross: 27, replace: 41, "replace-cross": 20 });
});

test("every id and version matches the item's guid, in feed order", () => {
  for (const xml of [QUANT_PH, STAT]) {
    const feed = parseRss(xml);
    const guids = guidIds(xml);
    expect(guids).toHaveLength(feed.entries.length);
    expect(feed.entries.map((e) => `${e.id}v${e.version}`)).toEqual(guids);
    for (const e of feed.entries) {
      expect(isArxivId(e.id), e.id).toBe(true);
      expect(e.categories.length, e.id).toBeGreaterThan(0);
      expect(e.primaryCategory, e.id).toBe(e.categories[0]);
      expect(e.authors.length, e.id).toBeGreaterThan(0);
      expect(e.publishedAt).toBeUndefined();
    }
    expect(new Set(feed.entries.map((e) => e.id)).size).toBe(feed.entries.length);
  }
});

test("single entries: id, version, type, categories in feed order, DOI and journal ref", () => {
  const q = parseRss(QUANT_PH);
  expect(q.entries[0]).toEqual({
    id: "2504.17830",
    version: 1,
    announceType: "new",
    title: "Self-Adjoint Time Operator in a Weighted Energy Space",
    abstract: expect.stringMatching(/^We introduce a self-adjoint time operator \\\(T_w = i\\hbar\\bigl\(/),
    authors: ["Radmir Kokoulin"],
    categories: ["quant-ph"],
    primaryCategory: "quant-ph",
  });
  expect(byId(q, "2504.17837").categories).toEqual(["quant-ph", "physics.comp-ph"]);

  const replaced = byId(q, "2403.13790");
  expect(replaced).toMatchObject({
    version: 2,
    announceType: "replace",
    title: "Probing Hilbert Space Fragmentation with Strongly Interacting Rydberg Atoms",
    categories: ["quant-ph", "cond-mat.quant-gas", "physics.atom-ph"],
    primaryCategory: "quant-ph",
    doi: "10.1103/PhysRevB.111.144313",
    journalRef: "Phys. Rev. B 111, 144313 (2025)",
  });

  const cross = byId(q, "2504.16299");
  expect(cross).toMatchObject({ version: 1, announceType: "cross", categories: ["cs.IT", "math.IT", "quant-ph"] });
  expect(cross.primaryCategory).toBe("cs.IT");
  expect(cross.doi).toBeUndefined();

  expect(byId(q, "2504.00086")).toMatchObject({
    version: 2,
    announceType: "replace-cross",
    categories: ["hep-ph", "hep-ex", "quant-ph"],
    primaryCategory: "hep-ph",
  });
  expect(byId(q, "2112.14988").version).toBe(4);
  expect(byId(q, "2407.03206").version).toBe(3);

  const s = parseRss(STAT);
  expect(s.entries[0]).toMatchObject({
    id: "2403.15527",
    version: 1,
    announceType: "new",
    title: "Conformal online model aggregation",
    authors: ["Matteo Gasparin", "Aaditya Ramdas"],
    categories: ["stat.ML", "cs.LG"],
  });
  expect(byId(s, "2310.01327")).toMatchObject({
    version: 2,
    announceType: "replace-cross",
    categories: ["cs.LG", "cs.AI", "stat.ML"],
  });
});

test("authors: TeX accents and parenthesised affiliations, checked against the raw dc:creator", () => {
  const q = parseRss(QUANT_PH);
  // "M. R. Nirmal (Department of Chemistry, Indian Institute of Technology Madras, Chennai, India,
  // Centre for Quantum Information, Communication, and Computing, ...), Ankit Khandelwal (...), ..."
  expect(byId(q, "2504.18264").authors).toEqual([
    "M. R. Nirmal",
    "Ankit Khandelwal",
    "Manoj Nambiar",
    "Sharma S. R. K. C. Yamijala",
  ]);
  // "Dogyun Ko, Stanis{\l}aw \'Swierczewski, Andrzej Opala, Micha{\l} Matuszewski, Amir Rahmani"
  expect(byId(q, "2504.18205").authors).toEqual([
    "Dogyun Ko",
    "Stanisław Świerczewski",
    "Andrzej Opala",
    "Michał Matuszewski",
    "Amir Rahmani",
  ]);
  // "Fan Yang, Hadi Yarloo, Hua-Chen Zhang, Klaus M{\o}lmer, Anne E. B. Nielsen"
  expect(byId(q, "2403.13790").authors).toEqual([
    "Fan Yang",
    "Hadi Yarloo",
    "Hua-Chen Zhang",
    "Klaus Mølmer",
    "Anne E. B. Nielsen",
  ]);
  // "Niklas H\"ornedal, Oskar A. Pro\'sniak, Adolfo del Campo, Aur\'elia Chenu"
  expect(byId(q, "2405.13913").authors).toEqual([
    "Niklas Hörnedal",
    "Oskar A. Prośniak",
    "Adolfo del Campo",
    "Aurélia Chenu",
  ]);
  // 71 names with Pawe{\l}, Fr\'ed\'eric D\'eliot, Gon\c{c}alves, Mu\~noz.
  const big = byId(q, "2504.00086").authors;
  expect(big).toHaveLength(71);
  expect(big.slice(0, 3)).toEqual(["Yoav Afik", "Federica Fabbri", "Matthew Low"]);
  expect(big).toEqual(
    expect.arrayContaining([
      "Paweł Caban",
      "Frédéric Déliot",
      "Dorival Gonçalves",
      "Radosław Grabarczyk",
      "Juan Ramón Muñoz de Nova",
    ]),
  );
  expect(big.at(-1)).toBe("Knut Zoch");

  const s = parseRss(STAT);
  // "Borja Rodr\'iguez-G\'alvez, Omar Rivasplata, Ragnar Thobaben, Mikael Skoglund"
  expect(byId(s, "2403.16681").authors).toEqual([
    "Borja Rodríguez-Gálvez",
    "Omar Rivasplata",
    "Ragnar Thobaben",
    "Mikael Skoglund",
  ]);
  // "Arjun Ashok, \'Etienne Marcotte, Valentina Zantedeschi, Nicolas Chapados, Alexandre Drouin"
  expect(byId(s, "2310.01327").authors).toEqual([
    "Arjun Ashok",
    "Étienne Marcotte",
    "Valentina Zantedeschi",
    "Nicolas Chapados",
    "Alexandre Drouin",
  ]);
  // No TeX, braces or parentheses left in any name of either feed.
  for (const e of [...q.entries, ...s.entries]) {
    for (const a of e.authors) expect(a, e.id).not.toMatch(/[\\{}()]|^\s|\s$| {2}/);
  }
});

test("titles and abstracts: one line, LaTeX verbatim, entities decoded, no markup", () => {
  const q = parseRss(QUANT_PH);
  const s = parseRss(STAT);
  for (const e of [...q.entries, ...s.entries]) {
    expectCleanText(e.title, `${e.id} title`);
    expectCleanText(e.abstract, `${e.id} abstract`);
    expect(e.abstract, e.id).not.toMatch(/^arXiv:|Announce Type:|^Abstract:/);
    expect(e.abstract.length, e.id).toBeGreaterThan(100);
  }
  expect(byId(q, "2503.11888").title).toBe("Efficient Truncations of SU($N_c$) Lattice Gauge Theory for Quantum Simulation");
  // Titles keep text-mode TeX too; only names are converted.
  expect(byId(q, "2504.17873").title).toBe(
    "Multiparameter quantum estimation with Gaussian states: efficiently evaluating Holevo, RLD and SLD Cram\\'er-Rao bounds",
  );
  // "&lt;" in the XML is a "<" inside math.
  expect(byId(q, "2504.18135").abstract).toContain("range $[- \\delta, \\delta]$ ($0< \\delta \\ll 1$).");
  expect(byId(s, "2403.15670").abstract).toContain("a challenging computational complexity of $\\mathcal{O}(n^3)$, which");
});

test("empty feed: no entries, channel data still read", () => {
  const feed = parseRss(fixture("rss/test_empty_2024-11-28.xml"));
  expect(feed).toEqual({ format: "rss", announcedOn: "2024-11-28", feedCategories: ["test"], entries: [], skipped: [] });
});

test("bad-archive error feed → FeedError with arXiv's message", () => {
  const xml = fixture("rss/error_bad-archive_astroph_2024-11-28.xml");
  expect(() => parseRss(xml)).toThrow(FeedError);
  expect(() => parseRss(xml)).toThrow(
    "Bad archive 'astroph'. Valid archive names are: astro-ph, cond-mat, cs, econ, eess, gr-qc, hep-ex, hep-lat, hep-ph, hep-th, math, math-ph, nlin, nucl-ex, nucl-th, physics, q-bio, q-fin, quant-ph, stat, test.",
  );
});

test("truncated XML, an HTML page, not XML at all, another document → FeedError", () => {
  expect(() => parseRss(QUANT_PH.slice(0, Math.floor(QUANT_PH.length / 2)))).toThrow(FeedError);
  expect(() => parseRss(QUANT_PH.slice(0, Math.floor(QUANT_PH.length / 2)))).toThrow(/truncated/);
  expect(() => parseRss(QUANT_PH.slice(0, QUANT_PH.lastIndexOf("</rss>")))).toThrow(/truncated.*<rss> never closed/);
  const html =
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>Try again later<br></body></html>';
  expect(() => parseRss(html)).toThrow(FeedError);
  expect(() => parseRss(html)).toThrow(/HTML page.*503 Service Unavailable/);
  expect(() => parseRss("")).toThrow(/empty/);
  expect(() => parseRss('{"error": "rate limited"}')).toThrow(/not XML/);
  expect(() => parseRss("<rss><channel><item></channel></rss>")).toThrow(/malformed XML/);
  expect(() => parseRss(fixture("api/arxivpy2026_id_list_2104.12255v1.atom"))).toThrow(/got <feed>/);
});

test("an item whose id is removed is skipped with its reason; the others still parse", () => {
  // The second item, 2504.17837: its id appears in the link, the description head and the guid.
  const broken = QUANT_PH.replaceAll("2504.17837", "");
  const feed = parseRss(broken);
  expect(feed.skipped).toEqual([{ index: 1, reason: "no arXiv id in the description, guid or link" }]);
  expect(feed.entries).toHaveLength(80);
  expect(feed.entries.map((e) => e.id)).not.toContain("2504.17837");
  expect(feed.entries[0]!.id).toBe("2504.17830");
  expect(feed.entries[1]!.id).toBe(guidIds(QUANT_PH)[2]!.replace(/v\d+$/, ""));
});

test("an item with an unknown announce type or no category is skipped with its id", () => {
  const first = QUANT_PH.indexOf("<item>");
  const end = QUANT_PH.indexOf("</item>", first);
  const item = QUANT_PH.slice(first, end);
  const odd = item.replace("<arxiv:announce_type>new</arxiv:announce_type>", "<arxiv:announce_type>withdrawn</arxiv:announce_type>");
  const feed = parseRss(QUANT_PH.slice(0, first) + odd + QUANT_PH.slice(end));
  expect(feed.skipped).toEqual([{ index: 0, id: "2504.17830", reason: 'unknown announce type "withdrawn"' }]);
  expect(feed.entries).toHaveLength(80);

  const noCat = item.replace("<category>quant-ph</category>", "");
  const feed2 = parseRss(QUANT_PH.slice(0, first) + noCat + QUANT_PH.slice(end));
  expect(feed2.skipped).toEqual([{ index: 0, id: "2504.17830", reason: "no category" }]);
});

test("hostile and encoded text comes out as literal text", () => {
  const title = "<title>Self-Adjoint Time Operator in a Weighted Energy Space</title>";
  const hostile = QUANT_PH.replace(title, "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Caf&#233; &#x1D4D7;</title>");
  expect(parseRss(hostile).entries[0]!.title).toBe("<script>alert(1)</script> & Café \u{1D4D7}");
  const cdata = QUANT_PH.replace(title, "<title><![CDATA[A <b>bold</b> & raw title]]></title>");
  expect(parseRss(cdata).entries[0]!.title).toBe("A <b>bold</b> & raw title");
});

test("legacy RDF cs 2018-08-30: 185 items, announce types inferred from the title suffix", () => {
  const feed = parseRss(LEGACY);
  expect(feed.format).toBe("rdf");
  expect(feed.announcedOn).toBe("2018-08-30");
  expect(feed.feedCategories).toEqual(["cs"]);
  expect(feed.skipped).toEqual([]);
  expect(feed.entries).toHaveLength(185);
  // [cs.*] → new; other archive → cross; UPDATED → replace / replace-cross.
  expect(countTypes(feed)).toEqual({ new: 103, cross: 8, replace: 63, "replace-cross": 11 });
  const titles = [...LEGACY.matchAll(/\(arXiv:(\S+) \[/g)].map((m) => m[1]);
  expect(feed.entries.map((e) => `${e.id}v${e.version}`)).toEqual(titles);
  for (const e of feed.entries) {
    expectCleanText(e.title, `${e.id} title`);
    expectCleanText(e.abstract, `${e.id} abstract`);
    expect(e.title, e.id).not.toContain("(arXiv:");
    expect(e.categories).toEqual([e.primaryCategory]);
    for (const a of e.authors) expect(a, e.id).not.toMatch(/[<>&()]/);
  }
});

test("legacy RDF entries: title without suffix, HTML abstract and authors decoded", () => {
  const feed = parseRss(LEGACY);
  const first = feed.entries[0]!;
  expect(first).toMatchObject({
    id: "1808.09955",
    version: 1,
    announceType: "cross",
    title: "QuasarNET: Human-level spectral classification and redshifting with Deep Neural Networks",
    authors: ["Nicolas Busca", "Christophe Balland"],
    categories: ["astro-ph.IM"],
    primaryCategory: "astro-ph.IM",
  });
  expect(first.abstract).toMatch(/^We introduce QuasarNET, a deep convolutional neural network that performs classification/);
  expect(first.abstract).toContain("QuasarNET defines a sample $99.51\\pm0.03$\\% pure");
  expect(first.abstract).toMatch(/eBOSS, DESI and 4MOST\.$/);

  expect(byId(feed, "1808.09964")).toMatchObject({ announceType: "new", categories: ["cs.LG"] });
  expect(byId(feed, "1803.07813")).toMatchObject({
    version: 2,
    announceType: "replace",
    title: "Introducing higher order correlations to marginals' subset of multivariate data by means of Archimedean copulas",
  });
  // "<a ...>Thomas Chatain</a> (MEXICO), <a ...>Stefan Haar</a> (MEXICO), <a ...>Lo&#xef;c Paulev&#xe9;</a> (BioInfo - LRI)"
  expect(byId(feed, "1808.10240").authors).toEqual(["Thomas Chatain", "Stefan Haar", "Loïc Paulevé"]);
  // "Mat&#xfa;&#x161; Sul&#xed;r, Jaroslav Porub&#xe4;n, Ondrej Zori&#x10d;&#xe1;k"
  expect(byId(feed, "1808.10363").authors).toEqual(["Matúš Sulír", "Jaroslav Porubän", "Ondrej Zoričák"]);
  expect(byId(feed, "1808.10366").title).toBe("$\\beta$-Stars or On Extending a Drawing of a Connected Subgraph");
});
