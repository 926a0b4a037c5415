// The query-string checks every page and route shares (lib/query-params.ts): calendar days, not only
// their shape; numbers within their range; one of a list; how a query string is read; which page
// addresses proxy.ts checks.
import { describe, expect, test } from "vitest";
import {
  dayProblem,
  decodeStarCursor,
  encodeStarCursor,
  historyQuery,
  listingCardsQuery,
  listingQuery,
  pageAddressProblem,
  readQuery,
  searchQuery,
  starredExportQuery,
} from "../../lib/query-params";

const q = (s: string) => new URLSearchParams(s);

describe("days", () => {
  test.each(["2025-04-28", "2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31", "1991-08-14"])("%s is a day", (d) => {
    expect(dayProblem(d)).toBeUndefined();
  });

  test.each([
    ["2026-02-30", "(2026-02 has days 01 to 28)"],
    ["2023-02-29", "(2023-02 has days 01 to 28)"],
    ["1900-02-29", "(1900-02 has days 01 to 28)"],
    ["2025-04-31", "(2025-04 has days 01 to 30)"],
    ["2026-01-00", "(2026-01 has days 01 to 31)"],
    ["9999-99-99", "(there is no month 99)"],
    ["2026-13-01", "(there is no month 13)"],
    ["2026-00-10", "(there is no month 00)"],
    ["0000-01-01", "(there is no year 0000)"],
  ])("%s is not a day on the calendar", (d, why) => {
    expect(dayProblem(d)).toBe(`"${d}" is not a date ${why}. Write dates as YYYY-MM-DD, such as 2025-04-28.`);
  });

  test.each(["yesterday", "99999-01-01", "+275760-09-13", "2026-2-3", "2026-02-03T00:00:00Z", " 2026-02-03", ""])("%j has not the shape of a day", (d) => {
    expect(dayProblem(d)).toMatch(/is not a date\. Write dates as YYYY-MM-DD, such as 2025-04-28\.$/);
  });

  test("a long value is quoted shortened", () => {
    expect(dayProblem("9".repeat(5_000))!.length).toBeLessThan(140);
  });
});

test("a listing's parameters: the problem names the parameter and the form it takes", () => {
  expect(readQuery(listingQuery, q("date=2026-02-30"))).toEqual({
    ok: false,
    problem: { param: "date", message: '"2026-02-30" is not a date (2026-02 has days 01 to 28). Write dates as YYYY-MM-DD, such as 2025-04-28.' },
  });
  expect(readQuery(listingQuery, q("type=everything"))).toMatchObject({ ok: false, problem: { param: "type", message: '"everything" is not one of all, new, cross, replace.' } });
  expect(readQuery(listingQuery, q("topic=1;DROP"))).toMatchObject({ ok: false, problem: { param: "topic" } });
  for (const min of ["150", "-5", "abc", "1e2", "50%"]) expect(readQuery(listingQuery, q(`min=${min}`)), min).toMatchObject({ ok: false, problem: { param: "min" } });
  // Good ones, read into their values: the score as a threshold from 0 to 1.
  expect(readQuery(listingQuery, q("date=2024-02-29&type=new&min=35&topic=0B0B0B0B-0000-4000-8000-000000000000"))).toEqual({
    ok: true,
    data: { date: "2024-02-29", type: "new", min: 0.35, topic: "0b0b0b0b-0000-4000-8000-000000000000" },
  });
});

test("reading: first of a repeated parameter, a blank one is absent, unknown ones are ignored", () => {
  expect(readQuery(listingQuery, q("date=2024-05-01&date=nonsense"))).toEqual({ ok: true, data: { date: "2024-05-01" } });
  expect(readQuery(listingQuery, q("date=&type="))).toEqual({ ok: true, data: {} });
  expect(readQuery(listingQuery, q("utm_source=mail&_rsc=1x2y"))).toEqual({ ok: true, data: {} });
  // Next.js hands pages a record whose repeated keys are arrays.
  expect(readQuery(listingQuery, { date: ["2024-05-01", "x"], type: undefined })).toEqual({ ok: true, data: { date: "2024-05-01" } });
});

test("numbers stay within their range: no page 0, no offset past a bigint", () => {
  expect(readQuery(searchQuery, q("q=a&page=0"))).toMatchObject({ ok: false, problem: { param: "page", message: '"0" is not a whole number from 1 to 400.' } });
  expect(readQuery(searchQuery, q("q=a&page=401"))).toMatchObject({ ok: false, problem: { param: "page" } });
  expect(readQuery(searchQuery, q("q=a&page=2.5"))).toMatchObject({ ok: false, problem: { param: "page" } });
  expect(readQuery(listingCardsQuery, q("date=2024-05-01&offset=99999999999999999999"))).toMatchObject({ ok: false, problem: { param: "offset" } });
  expect(readQuery(listingCardsQuery, q("date=2024-05-01&limit=0"))).toMatchObject({ ok: false, problem: { param: "limit" } });
  expect(readQuery(listingCardsQuery, q("offset=0"))).toMatchObject({ ok: false, problem: { param: "date", message: "The date is missing. Write it as YYYY-MM-DD, such as 2025-04-28." } });
  expect(readQuery(listingCardsQuery, q("date=2024-05-01&offset=25&limit=3000"))).toMatchObject({ ok: true, data: { offset: 25, limit: 3000 } });
});

test("search: words, categories, a date window in order", () => {
  expect(readQuery(searchQuery, q(`q=${"y".repeat(301)}`))).toMatchObject({ ok: false, problem: { param: "q", message: "The search is too long: at most 300 characters." } });
  expect(readQuery(searchQuery, q("q=a&cat=cs.CV,cs.XX"))).toMatchObject({ ok: false, problem: { param: "cat", message: '"cs.XX" is not an arXiv category (e.g. cs.CL, math.NA).' } });
  expect(readQuery(searchQuery, q("q=a&from=2024-05-01&to=2024-01-01"))).toMatchObject({ ok: false, problem: { param: "to", message: "The range starts (2024-05-01) after it ends (2024-01-01)." } });
  expect(readQuery(searchQuery, q("q=a&to=2024-02-30"))).toMatchObject({ ok: false, problem: { param: "to" } });
  expect(readQuery(searchQuery, q("q=%00attention%01&cat=cs.CV, cs.LG&from=2024-01-01"))).toEqual({
    ok: true,
    data: { q: "attention", cat: ["cs.CV", "cs.LG"], from: "2024-01-01" },
  });
});

test("admin history filters and moments; export formats (no prototype names)", () => {
  expect(readQuery(historyQuery, q("outcome=exploded"))).toMatchObject({ ok: false, problem: { param: "outcome" } });
  expect(readQuery(historyQuery, q("category=cs.XX"))).toMatchObject({ ok: false, problem: { param: "category" } });
  for (const before of ["yesterday", "0000-01-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-05-01T10:00:00+02:00"]) {
    expect(readQuery(historyQuery, q(`before=${encodeURIComponent(before)}`)), before).toMatchObject({ ok: false, problem: { param: "before" } });
  }
  const before = "2024-05-01T10:00:00.123Z";
  expect(readQuery(historyQuery, q(`category=stat.ML&date=2024-05-01&outcome=no_announcement&before=${before}`))).toEqual({
    ok: true,
    data: { category: "stat.ML", date: "2024-05-01", outcome: "no_announcement", before: new Date(before) },
  });
  expect(readQuery(starredExportQuery, q("format=toString"))).toMatchObject({ ok: false, problem: { param: "format", message: '"toString" is not one of bibtex, ris, csv.' } });
});

test("star cursors: what listStarred hands out comes back; anything else is refused", () => {
  const at = new Date("2025-04-28T09:30:00.123Z");
  const cursor = encodeStarCursor(at, "hep-th/9711200");
  expect(decodeStarCursor(cursor)).toEqual({ at, paperId: "hep-th/9711200" });
  for (const bad of ["abc", Buffer.from("-271821-04-20T00:00:00.000Z|2104.12255").toString("base64url"), Buffer.from("2025-04-28T09:30:00.000Z|").toString("base64url"), "x".repeat(500)]) {
    expect(decodeStarCursor(bad), bad).toBeUndefined();
  }
});

test("proxy.ts checks the pages that read their address, and only those", () => {
  expect(pageAddressProblem("/list/cs.CL", q("date=9999-99-99"))).toMatchObject({ param: "date" });
  expect(pageAddressProblem("/list/cs.XX", q(""))).toMatchObject({ param: "categories", message: expect.stringContaining("is not an arXiv category") });
  expect(pageAddressProblem("/list/cs.AI%2Bcs.LG-cs.CY", q("type=new"))).toBeUndefined();
  expect(pageAddressProblem("/", q("type=old"))).toMatchObject({ param: "type" });
  expect(pageAddressProblem("/search", q("page=abc"))).toMatchObject({ param: "page" });
  expect(pageAddressProblem("/starred", q("cursor=abc"))).toMatchObject({ param: "cursor" });
  expect(pageAddressProblem("/admin/history", q("date=2026-02-30"))).toMatchObject({ param: "date" });
  expect(pageAddressProblem("/admin/audit", q("before=x"))).toMatchObject({ param: "before" });
  // Route handlers answer for themselves; other pages read no query.
  for (const path of ["/list/cs.CL/feed", "/list/cs.CL/cards", "/search/feed", "/papers/2104.12255", "/topics", "/api/cite"]) {
    expect(pageAddressProblem(path, q("date=2026-02-30&page=0")), path).toBeUndefined();
  }
  expect(pageAddressProblem("/list/cs.CL", q("date=2024-05-01&type=cross&min=0"))).toBeUndefined();
});
