// normalizeArxivId / isArxivId / formatArxivId: every spelling arXiv and users produce, and the
// near misses that must be refused.
import { expect, test } from "vitest";
import { formatArxivId, isArxivId, normalizeArxivId, submissionYear } from "@/lib/arxiv/ids";

test("new-style ids with and without version and prefixes", () => {
  expect(normalizeArxivId("2104.12255")).toEqual({ id: "2104.12255" });
  expect(normalizeArxivId("2104.12255v3")).toEqual({ id: "2104.12255", version: 3 });
  expect(normalizeArxivId("arXiv:2104.12255v3")).toEqual({ id: "2104.12255", version: 3 });
  expect(normalizeArxivId("ARXIV:2104.12255")).toEqual({ id: "2104.12255" });
  expect(normalizeArxivId("https://arxiv.org/abs/2104.12255v2")).toEqual({ id: "2104.12255", version: 2 });
  expect(normalizeArxivId("http://arxiv.org/pdf/2104.12255v2.pdf")).toEqual({ id: "2104.12255", version: 2 });
  expect(normalizeArxivId("https://export.arxiv.org/abs/2104.12255")).toEqual({ id: "2104.12255" });
  expect(normalizeArxivId("oai:arXiv.org:2504.17830v1")).toEqual({ id: "2504.17830", version: 1 });
  expect(normalizeArxivId("  2104.12255v12 ")).toEqual({ id: "2104.12255", version: 12 });
});

test("four-digit numbers (0704-1412) and five-digit numbers (1501 on)", () => {
  expect(normalizeArxivId("0704.0001")).toEqual({ id: "0704.0001" });
  expect(normalizeArxivId("1412.9999v2")).toEqual({ id: "1412.9999", version: 2 });
  expect(normalizeArxivId("2401.00001")).toEqual({ id: "2401.00001" });
  expect(normalizeArxivId("1501.00001v1")).toEqual({ id: "1501.00001", version: 1 });
});

test("old-style ids, with the subject class dropped", () => {
  expect(normalizeArxivId("hep-th/9711200")).toEqual({ id: "hep-th/9711200" });
  expect(normalizeArxivId("http://arxiv.org/abs/hep-th/9711200v1")).toEqual({ id: "hep-th/9711200", version: 1 });
  expect(normalizeArxivId("math.GT/0309136")).toEqual({ id: "math/0309136" });
  expect(normalizeArxivId("arXiv:math.GT/0309136v2")).toEqual({ id: "math/0309136", version: 2 });
  expect(normalizeArxivId("http://arxiv.org/abs/astro-ph/0601001v1")).toEqual({ id: "astro-ph/0601001", version: 1 });
  expect(normalizeArxivId("cond-mat/0102536")).toEqual({ id: "cond-mat/0102536" });
});

test("anything else throws an Error that names the input", () => {
  for (const bad of [
    "",
    "abc",
    "0000.0000", // the API's empty-result probe: month 00
    "2104.1225", // four digits after 1501
    "0704.00001", // five digits before 1501
    "0612.0001", // new style before April 2007
    "2113.12255", // month 13
    "2104.12255v0",
    "2104.12255v",
    "2104.12255x",
    "hep-th/97112",
    "hep-th/1711200", // old style after March 2007
    "https://example.org/abs/2104.12255",
    "12255",
  ]) {
    expect(() => normalizeArxivId(bad), bad).toThrow(/Not an arXiv id/);
  }
  expect(() => normalizeArxivId("abc")).toThrow('"abc"');
});

test("isArxivId mirrors normalizeArxivId", () => {
  expect(isArxivId("2104.12255v1")).toBe(true);
  expect(isArxivId("hep-th/9711200")).toBe(true);
  expect(isArxivId("math.GT/0309136")).toBe(true);
  expect(isArxivId("2104.1225")).toBe(false);
  expect(isArxivId("not an id")).toBe(false);
});

test("formatArxivId writes the canonical form", () => {
  expect(formatArxivId("2104.12255")).toBe("2104.12255");
  expect(formatArxivId("2104.12255", 3)).toBe("2104.12255v3");
  expect(formatArxivId("arXiv:2104.12255v2")).toBe("2104.12255v2");
  expect(formatArxivId("2104.12255v2", 5)).toBe("2104.12255v5");
  expect(formatArxivId("math.GT/0309136", 1)).toBe("math/0309136v1");
  expect(() => formatArxivId("2104.12255", 0)).toThrow(/version/);
  expect(() => formatArxivId("nope")).toThrow(/Not an arXiv id/);
});

test("submissionYear reads the year from either style of id", () => {
  expect(submissionYear("0704.0001")).toBe(2007);
  expect(submissionYear("2104.12255")).toBe(2021);
  expect(submissionYear("hep-th/9108001")).toBe(1991);
  expect(submissionYear("cond-mat/0703001")).toBe(2007);
  expect(submissionYear("not an id")).toBeUndefined();
});
