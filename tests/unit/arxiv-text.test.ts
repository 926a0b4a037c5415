// Text helpers: whitespace, TeX → Unicode in names, author-list splitting (with lists copied from
// the real fixtures), legacy HTML, mis-decoded UTF-8, and the XML reader's error reporting.
import { expect, test } from "vitest";
import {
  cleanText,
  decodeHtmlEntities,
  htmlToText,
  repairMojibake,
  splitAuthors,
  texToUnicode,
} from "@/lib/arxiv/text";
import { readXmlDocument } from "@/lib/arxiv/xml";
import { FeedError } from "@/lib/arxiv/types";

test("cleanText collapses wraps and runs of whitespace, keeps LaTeX", () => {
  expect(cleanText("  A Study of Structure Formation and Reheating in the D3/D7 Brane\n  Inflation Model ")).toBe(
    "A Study of Structure Formation and Reheating in the D3/D7 Brane Inflation Model",
  );
  expect(cleanText("a\t\tb\r\n c  d")).toBe("a b c d");
  expect(cleanText("$\\mathcal{O}(n^3)$  and \\(T_w\\)")).toBe("$\\mathcal{O}(n^3)$ and \\(T_w\\)");
  expect(cleanText("already clean")).toBe("already clean");
  expect(cleanText(" \n ")).toBe("");
});

test("texToUnicode: accents in braced and unbraced forms", () => {
  expect(texToUnicode("R\\'emy")).toBe("Rémy");
  expect(texToUnicode("{\\'e}")).toBe("é");
  expect(texToUnicode("\\'{e}")).toBe("é");
  expect(texToUnicode("M{\\\"u}ller")).toBe("Müller");
  expect(texToUnicode("Schr\\\"odinger")).toBe("Schrödinger");
  expect(texToUnicode("\\`a \\^o \\~n \\=a \\.z")).toBe("à ô ñ ā ż");
  expect(texToUnicode("Gon\\c{c}alves")).toBe("Gonçalves");
  expect(texToUnicode("Hajdu\\v{s}ek")).toBe("Hajdušek");
  expect(texToUnicode("Erd\\H{o}s")).toBe("Erdős");
  expect(texToUnicode("\\u{a}")).toBe("ă");
  expect(texToUnicode("\\v Zili\\'c")).toBe("Žilić");
  expect(texToUnicode("Dijana \\v{Z}ili\\'c, Kre\\v{s}o")).toBe("Dijana Žilić, Krešo");
  expect(texToUnicode("\\'\\i")).toBe("í");
  expect(texToUnicode("Ma\\'{\\i}z")).toBe("Maíz");
  expect(texToUnicode("Rodr\\'iguez")).toBe("Rodríguez");
  expect(texToUnicode("\\'Etienne")).toBe("Étienne");
  // NFC: one code point per accented letter, so equality and search work.
  expect(texToUnicode("R\\'emy")).toBe("R\u00e9my");
});

test("texToUnicode: special letters and escapes", () => {
  expect(texToUnicode("Przemys{\\l}aw")).toBe("Przemysław");
  expect(texToUnicode("Przemys\\l aw")).toBe("Przemysław");
  expect(texToUnicode("Pawe\\l Caban")).toBe("Paweł Caban");
  expect(texToUnicode("\\L\\'od\\'z")).toBe("Łódź");
  expect(texToUnicode("S{\\o}ren M{\\o}lmer")).toBe("Søren Mølmer");
  expect(texToUnicode("{\\O}bro \\O")).toBe("Øbro Ø");
  expect(texToUnicode("Stra\\ss e")).toBe("Straße");
  expect(texToUnicode("{\\AA}berg \\aa \\ae \\AE \\oe")).toBe("Åberg å æ Æ œ");
  expect(texToUnicode("{\\i} \\i \\j")).toBe("ı ı ȷ");
  expect(texToUnicode("A \\& B, 50\\%")).toBe("A & B, 50%");
  expect(texToUnicode("{Van} {der} Waals")).toBe("Van der Waals");
  expect(texToUnicode("J.~Smith")).toBe("J. Smith");
});

test("texToUnicode leaves math and unknown commands alone", () => {
  expect(texToUnicode("$\\'e$ and \\'e")).toBe("$\\'e$ and é");
  expect(texToUnicode("$\\alpha_{\\rm eff}$ {\\'e}")).toBe("$\\alpha_{\\rm eff}$ é");
  expect(texToUnicode("\\(x^{\\\"u}\\) \\\"u")).toBe("\\(x^{\\\"u}\\) ü");
  expect(texToUnicode("costs $35,000 in R\\'eunion")).toBe("costs $35,000 in Réunion");
  expect(texToUnicode("\\emph{x}")).toBe("\\emph{x}");
  expect(texToUnicode("plain ASCII")).toBe("plain ASCII");
});

test("splitAuthors: affiliations with commas and 'and' (quant-ph 2504.18264)", () => {
  const raw =
    "M. R. Nirmal (Department of Chemistry, Indian Institute of Technology Madras, Chennai, India, Centre for Quantum Information, Communication, and Computing, Indian Institute of Technology Madras, Chennai, India), Ankit Khandelwal (Department of Chemistry, Indian Institute of Technology Madras, Chennai, India, Centre for Quantum Information, Communication, and Computing, Indian Institute of Technology Madras, Chennai, India), Manoj Nambiar (Department of Chemistry, Indian Institute of Technology Madras, Chennai, India, Centre for Quantum Information, Communication, and Computing, Indian Institute of Technology Madras, Chennai, India), Sharma S. R. K. C. Yamijala (Department of Chemistry, Indian Institute of Technology Madras, Chennai, India, Centre for Quantum Information, Communication, and Computing, Indian Institute of Technology Madras, Chennai, India)";
  expect(splitAuthors(raw)).toEqual(["M. R. Nirmal", "Ankit Khandelwal", "Manoj Nambiar", "Sharma S. R. K. C. Yamijala"]);
});

test("splitAuthors: OAI lists with 'and', Oxford commas, nested and numbered affiliations", () => {
  expect(
    splitAuthors(
      "Robert H. Brandenberger (McGill), Keshav Dasgupta (McGill) and\n  Anne-Christine Davis (DAMTP, Cambridge)",
    ),
  ).toEqual(["Robert H. Brandenberger", "Keshav Dasgupta", "Anne-Christine Davis"]);
  expect(splitAuthors("G. H\\'etet, J. J. Longdell, M. J. Sellars, P. K. Lam, and B. C.   Buchler")).toEqual([
    "G. Hétet",
    "J. J. Longdell",
    "M. J. Sellars",
    "P. K. Lam",
    "B. C. Buchler",
  ]);
  expect(
    splitAuthors(
      "Peter Anders (1), Uta Fritze (2), Richard de Grijs (3) ((1) University   Utrecht, The Netherlands, (2) University of Hertfordshire, UK, (3) University   of Sheffield, UK)",
    ),
  ).toEqual(["Peter Anders", "Uta Fritze", "Richard de Grijs"]);
  expect(
    splitAuthors(
      "A. S. Mishchenko (1 and 2) and N. Nagaosa (1 and 3) ((1) CREST, Japan\n  Science and Technology Agency, (2) Russian Research Centre ``Kurchatov\n  Institute'', (3) The University of Tokyo)",
    ),
  ).toEqual(["A. S. Mishchenko", "N. Nagaosa"]);
  expect(splitAuthors("Zainul Abidin and Carl E. Carlson (William and Mary)")).toEqual([
    "Zainul Abidin",
    "Carl E. Carlson",
  ]);
  expect(splitAuthors("M. Kim, H. Barath, M.   R{\\\"u}bhausen, S-W. Cheong")).toEqual([
    "M. Kim",
    "H. Barath",
    "M. Rübhausen",
    "S-W. Cheong",
  ]);
  expect(splitAuthors("D. Kr\\'al', O. Pangr\\'ac, J.-S. Sereni and R. Skrekovski")).toEqual([
    "D. Král'",
    "O. Pangrác",
    "J.-S. Sereni",
    "R. Skrekovski",
  ]);
});

test("splitAuthors: collaborations, et al, trailing and, suffixes", () => {
  expect(splitAuthors("CDF Collaboration: T. Aaltonen, et al")).toEqual(["CDF Collaboration", "T. Aaltonen"]);
  expect(splitAuthors("The BABAR Collaboration, B. Aubert, et al")).toEqual(["The BABAR Collaboration", "B. Aubert"]);
  expect(splitAuthors("AURIGA Collaboration, Virgo Collaboration")).toEqual(["AURIGA Collaboration", "Virgo Collaboration"]);
  expect(
    splitAuthors(
      "T. Yamazaki, Y. Aoki, R. J. Tweedie, and J. M. Zanotti, for the RBC and UKQCD   Collaborations",
    ),
  ).toEqual(["T. Yamazaki", "Y. Aoki", "R. J. Tweedie", "J. M. Zanotti", "RBC and UKQCD Collaborations"]);
  expect(splitAuthors("S. Aoki, N. Yamada, for the JLQCD Collaboration")).toEqual([
    "S. Aoki",
    "N. Yamada",
    "JLQCD Collaboration",
  ]);
  expect(splitAuthors("A. Smith, B. Jones and")).toEqual(["A. Smith", "B. Jones"]);
  expect(splitAuthors("A. Smith, B. Jones et al.")).toEqual(["A. Smith", "B. Jones"]);
  expect(splitAuthors("A. Smith, et al.")).toEqual(["A. Smith"]);
  expect(splitAuthors("Neal J. Evans, Jr., Ann Lee; Bo Gu")).toEqual(["Neal J. Evans Jr.", "Ann Lee", "Bo Gu"]);
  expect(splitAuthors("Sudha, A. V. Gopala Rao")).toEqual(["Sudha", "A. V. Gopala Rao"]);
  expect(splitAuthors("")).toEqual([]);
  expect(splitAuthors(" , ,")).toEqual([]);
});

test("splitAuthors: names containing 'and' as letters and unbalanced parentheses", () => {
  expect(splitAuthors("Alexandre Drouin, Sandy Anderson, Andrea Rand")).toEqual([
    "Alexandre Drouin",
    "Sandy Anderson",
    "Andrea Rand",
  ]);
  // An unclosed parenthesis must not swallow the remaining authors.
  expect(splitAuthors("A. One (MIT, B. Two")).toEqual(["A. One MIT", "B. Two"]);
});

test("HTML of the legacy feed: tags dropped, entities decoded once", () => {
  expect(
    htmlToText(
      '<a href="http://arxiv.org/find/cs/1/au:+Lopez_A/0/1/0/all/0/1">Andr&#xe9;s F. L&#xf3;pez-Lopera</a>, <a href="x">Nicolas Durrande</a>',
    ),
  ).toBe("Andrés F. López-Lopera, Nicolas Durrande");
  expect(htmlToText("<p>a &lt;b&gt; &amp;lt; c</p>")).toBe(" a <b> &lt; c ");
  expect(decodeHtmlEntities("&#233;&#x159;&amp;&quot;&unknown;&#0;")).toBe('éř&"&unknown;\uFFFD');
});

test("repairMojibake fixes UTF-8 read as Latin-1 and leaves correct text alone", () => {
  expect(repairMojibake("Aurora RamÃ\u00adrez")).toBe("Aurora Ramírez");
  expect(repairMojibake("Katharina GÃ¶tz")).toBe("Katharina Götz");
  expect(repairMojibake("Ramírez")).toBe("Ramírez");
  expect(repairMojibake("plain")).toBe("plain");
  // Would not be valid UTF-8 (a stray continuation byte): genuine Latin-1, untouched.
  expect(repairMojibake("Ã©©")).toBe("Ã©©");
  // Already has characters beyond Latin-1, so it was decoded properly: untouched.
  expect(repairMojibake("Ã© and ł")).toBe("Ã© and ł");
});

test("readXmlDocument: decoding, CDATA, and errors as FeedError", () => {
  const root = readXmlDocument(
    "<?xml version='1.0'?><a><b x='1&amp;2'>&lt;script&gt;alert(1)&lt;/script&gt; &#233;&#x159;</b><c><![CDATA[<i>&amp;</i>]]></c></a>",
    "test doc",
  );
  expect(root.name).toBe("a");
  expect(root.children[0]!.text).toBe("<script>alert(1)</script> éř");
  expect(root.children[0]!.attrs.x).toBe("1&2");
  expect(root.children[1]!.text).toBe("<i>&amp;</i>");

  expect(() => readXmlDocument("", "test doc")).toThrow(FeedError);
  expect(() => readXmlDocument("", "test doc")).toThrow(/empty/);
  expect(() => readXmlDocument("Service Unavailable", "test doc")).toThrow(/not XML/);
  expect(() => readXmlDocument("<a><b>cut", "test doc")).toThrow(/truncated/);
  expect(() => readXmlDocument("<a><b></a>", "test doc")).toThrow(/malformed XML/);
  expect(() =>
    readXmlDocument("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><hr></body></html>", "test doc"),
  ).toThrow(/HTML page.*502 Bad Gateway/);
  expect(() =>
    readXmlDocument('<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "test doc"),
  ).toThrow(/HTML page/);
});
