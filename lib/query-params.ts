// What the query string of each page and route may hold, checked with zod before anything reaches
// the database: one schema per address, built from a few shared kinds of value (a calendar day, a
// moment, a score, a whole number in a range, one of a list). A value that fails its check is
// refused with a sentence naming the parameter and the form it must take; parameters a schema does
// not name are ignored (utm_…, Next.js's own _rsc).
//
// Pages read their parameters with readQuery and render the problem (app/components/bad-query.tsx);
// proxy.ts runs the same check first (pageAddressProblem) and answers such a page view with HTTP
// 400, which a page cannot set itself. Route handlers answer 400 themselves (badQueryResponse).
// No database here: proxy.ts imports this module.
import { z } from "zod";
import { isKnownCategory, ListingSpecError, parseListingSpec } from "./arxiv/categories";
import { isArxivId } from "./arxiv/ids";
import { normalizeLabel } from "./star-labels";

/** Longest search (characters, after control characters became spaces). */
export const MAX_QUERY_LENGTH = 300;

/** The announce-type tabs of a listing (`?type=`); app/components/listing-tabs.ts says what each shows. */
export const LISTING_TABS = ["all", "new", "cross", "replace"] as const;
export type ListingTab = (typeof LISTING_TABS)[number];

/** The orders of a listing (`?sort=`): arXiv's (the default), or most readers first (lib/popularity/sql.ts). */
export const LISTING_SORTS = ["arxiv", "popular"] as const;
export type ListingSort = (typeof LISTING_SORTS)[number];

/** Crawl run outcomes the history can filter by (`?outcome=`). */
export const RUN_OUTCOMES = ["queued", "running", "succeeded", "failed", "no_announcement"] as const;

const DATE_FORM = "Write dates as YYYY-MM-DD, such as 2025-04-28.";
const MAX_VALUE_SHOWN = 60;

/** The value as a message quotes it: shortened, control characters shown as "?". */
const quote = (value: string) => JSON.stringify(value.length > MAX_VALUE_SHOWN ? `${value.slice(0, MAX_VALUE_SHOWN)}…` : value).replace(/\\u00[01][0-9a-f]/gi, "?");

type Read<T> = { value: T } | { problem: string };

/** A query parameter read by `read`: its text in, its value or the problem with it out. */
function param<T>(read: (text: string) => Read<T>) {
  return z.string().transform((text, ctx) => {
    const result = read(text);
    if ("problem" in result) {
      ctx.addIssue({ code: "custom", message: result.problem });
      return z.NEVER;
    }
    return result.value;
  });
}

/** `schema` for a parameter that must be there: a missing one is refused with `message`. */
const required = <S extends z.ZodType>(schema: S, message: string) =>
  z.unknown().superRefine((v, ctx) => {
    if (v === undefined) ctx.addIssue({ code: "custom", message });
  }).pipe(schema);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Why `text` is not a calendar day written YYYY-MM-DD, or undefined when it is one (years 0001 to
 * 9999, all of which PostgreSQL's date holds). The shape alone is not enough: PostgreSQL refuses
 * 2026-02-30 or 9999-99-99 with an error, which a page would show as a server error.
 */
export function dayProblem(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return `${quote(text)} is not a date. ${DATE_FORM}`;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year === 0) return `${quote(text)} is not a date (there is no year 0000). ${DATE_FORM}`;
  if (month < 1 || month > 12) return `${quote(text)} is not a date (there is no month ${m[2]}). ${DATE_FORM}`;
  const days = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > days) return `${quote(text)} is not a date (${m[1]}-${m[2]} has days 01 to ${days}). ${DATE_FORM}`;
  return undefined;
}

/** A calendar day, YYYY-MM-DD. */
export const day = param<string>((text) => {
  const problem = dayProblem(text);
  return problem ? { problem } : { value: text };
});

/** A moment as the "Older" links write it (ISO 8601 in UTC, 2025-04-28T09:30:00.000Z). */
const moment = param<Date>((text) => {
  const ok = z.iso.datetime().safeParse(text).success && !text.startsWith("0000");
  return ok ? { value: new Date(text) } : { problem: `${quote(text)} is not a moment. Write it in UTC as 2025-04-28T09:30:00.000Z (the "Older" link gives one).` };
});

/** A whole number from `min` to `max`. */
const whole = (min: number, max: number) =>
  param<number>((text) => {
    const n = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
    return n >= min && n <= max ? { value: n } : { problem: `${quote(text)} is not a whole number from ${min} to ${max}.` };
  });

/** A topic score in percent (0 to 100, as the badges show it), read as a threshold from 0 to 1. */
const score = param<number>((text) => {
  const n = /^\d{1,3}(\.\d{1,4})?$/.test(text) ? Number(text) : Number.NaN;
  return n >= 0 && n <= 100 ? { value: n / 100 } : { problem: `${quote(text)} is not a score. Give a number from 0 to 100.` };
});

const oneOf = <const V extends readonly string[]>(values: V) =>
  param<V[number]>((text) =>
    (values as readonly string[]).includes(text) ? { value: text as V[number] } : { problem: `${quote(text)} is not one of ${values.join(", ")}.` },
  );

const category = param<string>((text) =>
  isKnownCategory(text.trim()) ? { value: text.trim() } : { problem: `${quote(text)} is not an arXiv category. Categories look like cs.CL, math.NA or quant-ph.` },
);

/** Comma-separated categories (`cs.CV,cs.LG`). */
const categoryList = param<string[]>((text) => {
  if (text.length > 400) return { problem: "The list of categories is too long: at most 400 characters." };
  const list = text.split(",").map((c) => c.trim()).filter(Boolean);
  const unknown = list.find((c) => !isKnownCategory(c));
  return unknown === undefined ? { value: list } : { problem: `${quote(unknown)} is not an arXiv category (e.g. cs.CL, math.NA).` };
});

/** A topic's id (a UUID, as the topic picker sends it). */
const topicId = param<string>((text) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)
    ? { value: text.toLowerCase() }
    : { problem: `${quote(text)} is not a topic id. Pick a topic from the list above the papers, or open the Topics page.` },
);

const arxivId = param<string>((text) =>
  isArxivId(text) ? { value: text } : { problem: `${quote(text)} is not an arXiv id. Ids look like 2104.12255, 2104.12255v2 or hep-th/9711200.` },
);

/** Search words: control characters (NUL above all, which PostgreSQL refuses in text) become spaces. */
const searchText = param<string>((text) => {
  const q = text.replace(/[\u0000-\u001f\u007f]/g, " ").trim();
  return q.length > MAX_QUERY_LENGTH ? { problem: `The search is too long: at most ${MAX_QUERY_LENGTH} characters.` } : { value: q };
});

// Keyset cursor of the starred list: the star's time and paper id (ties on the millisecond are
// broken by the id), base64url, as lib/queries/stars.ts hands it out.
export function encodeStarCursor(at: Date, paperId: string): string {
  return Buffer.from(`${at.toISOString()}|${paperId}`, "utf8").toString("base64url");
}

/** The cursor's time and paper id, or undefined when it is not one encodeStarCursor wrote. */
export function decodeStarCursor(cursor: string | undefined): { at: Date; paperId: string } | undefined {
  if (!cursor || cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const bar = text.indexOf("|");
  if (bar < 0) return undefined;
  const when = text.slice(0, bar);
  const paperId = text.slice(bar + 1);
  if (!z.iso.datetime().safeParse(when).success || when.startsWith("0000") || !/^[A-Za-z0-9./-]{1,40}$/.test(paperId)) return undefined;
  return { at: new Date(when), paperId };
}

const starCursor = param<string>((text) =>
  decodeStarCursor(text) ? { value: text } : { problem: `${quote(text)} is not a page of your stars. Use the "More" link at the foot of the list, or start from your newest stars.` },
);

// ── one schema per address ──

/** `/`: the followed categories' latest day. */
export const homeQuery = z.object({ type: oneOf(LISTING_TABS).optional() });

/** `/list/<categories>`: a day's listing, in arXiv's order or by popularity (`sort`), or ranked by one of the reader's topics. */
export const listingQuery = z.object({
  date: day.optional(),
  type: oneOf(LISTING_TABS).optional(),
  sort: oneOf(LISTING_SORTS).optional(),
  topic: topicId.optional(),
  min: score.optional(),
});

/**
 * `/list/<categories>/cards`: the next cards of a listing page, as its loader asks for them (`limit`
 * is an upper bound: the route sends at most 1 000 at a time and says where the next ones start).
 */
export const listingCardsQuery = listingQuery.extend({
  date: required(day, "The date is missing. Write it as YYYY-MM-DD, such as 2025-04-28."),
  offset: whole(0, 100_000).optional(),
  limit: whole(1, 100_000).optional(),
});

/** `/list/<categories>/feed`: RSS of the latest day, or of `date`. */
export const listingFeedQuery = z.object({ date: day.optional() });

/** `/search` and `/search/feed`. */
export const searchQuery = z
  .object({
    q: searchText.optional(),
    cat: categoryList.optional(),
    from: day.optional(),
    to: day.optional(),
    page: whole(1, 400).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.from && v.to && v.from > v.to) ctx.addIssue({ code: "custom", path: ["to"], message: `The range starts (${v.from}) after it ends (${v.to}).` });
  });

/** One of the reader's star labels, spelled any way (a label the reader does not have lists nothing; an empty one is none). */
const starLabel = z.string().transform((text) => normalizeLabel(text) || undefined);

/** `/starred`: a page of the reader's stars, all or those filed under one label. */
export const starredQuery = z.object({ cursor: starCursor.optional(), label: starLabel.optional() });

/** `/starred/export`: every star (or every star under one label) as one file. */
export const starredExportQuery = z.object({ format: oneOf(["bibtex", "ris", "csv"] as const).optional(), label: starLabel.optional() });

/** `/topics/<id>/feed`: the token is checked by the route (a wrong one is a 404). */
export const topicFeedQuery = z.object({ min: score.optional() });

/** `/admin/history`: crawl runs filtered by category, day and outcome, older pages by `before`. */
export const historyQuery = z.object({
  category: category.optional(),
  date: day.optional(),
  outcome: oneOf(RUN_OUTCOMES).optional(),
  before: moment.optional(),
});

/** `/admin/audit`: older pages by `before`. */
export const auditQuery = z.object({ before: moment.optional() });

/** `/api/cite`: what the Copy and BibTeX buttons copy, and one paper's RIS file. */
export const citeQuery = z.object({
  id: required(arxivId, "The id is missing: give an arXiv id such as 2104.12255."),
  format: oneOf(["text", "bibtex", "ris"] as const).optional(),
});

// ── reading ──

export interface QueryProblem {
  /** The parameter at fault, as it appears in the address. */
  param: string;
  /** What is wrong with it and the form it must take. */
  message: string;
}

export type QueryResult<T> = { ok: true; data: T } | { ok: false; problem: QueryProblem };

type RawQuery = URLSearchParams | Record<string, string | string[] | undefined>;

/**
 * Reads a query string with `schema`. A repeated parameter counts by its first value, as
 * URLSearchParams.get reads it; an empty one (a form's blank field) counts as absent.
 */
export function readQuery<S extends z.ZodType>(schema: S, raw: RawQuery): QueryResult<z.output<S>> {
  const values: Record<string, string> = {};
  const entries: [string, string | string[] | undefined][] = raw instanceof URLSearchParams ? [...raw.entries()] : Object.entries(raw);
  for (const [key, value] of entries) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first !== "" && !(key in values)) values[key] = first;
  }
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, problem: { param: String(issue.path[0] ?? "query"), message: issue.message } };
}

/** The problem in one sentence, for plain-text answers. */
export function describeQueryProblem(problem: QueryProblem): string {
  return `The "${problem.param}" parameter is wrong: ${problem.message}`;
}

/** A route handler's answer to a query it cannot read: 400 with the sentence. */
export function badQueryResponse(problem: QueryProblem): Response {
  return new Response(`${describeQueryProblem(problem)}\n`, {
    status: 400,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/**
 * The pages whose address proxy.ts checks before they render, with their schema (route handlers
 * check their own). proxy.ts's matcher lists the same paths.
 */
const PAGE_QUERIES: [RegExp, z.ZodType][] = [
  [/^\/$/, homeQuery],
  [/^\/list\/[^/]+$/, listingQuery],
  [/^\/search$/, searchQuery],
  [/^\/starred$/, starredQuery],
  [/^\/admin\/history$/, historyQuery],
  [/^\/admin\/audit$/, auditQuery],
];

/**
 * What is wrong with a page view's address (its query string, and a listing's categories in its
 * path), or undefined when the page can read it; the page shows the same problem in words.
 */
export function pageAddressProblem(pathname: string, search: URLSearchParams): QueryProblem | undefined {
  const page = PAGE_QUERIES.find(([path]) => path.test(pathname));
  if (!page) return undefined;
  if (pathname.startsWith("/list/")) {
    try {
      parseListingSpec(decodeURIComponent(pathname.slice("/list/".length)));
    } catch (error) {
      if (error instanceof ListingSpecError || error instanceof URIError) return { param: "categories", message: (error as Error).message };
      throw error;
    }
  }
  const result = readQuery(page[1], search);
  return result.ok ? undefined : result.problem;
}
