// Every page and route that reads its address, asked with malformed parameters (dates that are not on
// the calendar, such as 2026-02-30 and 9999-99-99, which PostgreSQL refuses with an error; page
// numbers and offsets out of range; unknown tabs, categories, formats, outcomes; overlong searches;
// forged cursors): HTTP 400 and a sentence naming the parameter and the form it must take — never a
// 500, never silently ignored. Pages get the status from proxy.ts and the words from the page; routes
// answer both themselves (one check for both: lib/query-params.ts). The same addresses with good
// parameters still answer 200, and a page that needs a session still asks for one first.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { authSecret } from "../../lib/auth";
import { db } from "../../lib/db";
import { env } from "../../lib/env";
import { createTopic } from "../../lib/queries/topics";
import { starPaper } from "../../lib/queries/stars";
import { encodeStarCursor } from "../../lib/query-params";
import { topicFeedPath } from "../../lib/topics/feed-token";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";
import { signUpOverHttp } from "../helpers/sign-up";

const tag = randomBytes(4).toString("hex");
const adminEmail = `params-admin-${tag}@example.org`;
const day = randomDay();
const ids = [randomPaperId(), randomPaperId()];
/** Dates PostgreSQL refuses, and ones that are not dates at all. */
const BAD_DATES = ["2026-02-30", "9999-99-99", "2026-13-01", "0000-01-01", "2023-02-29", "2026-04-31", "99999-01-01", "yesterday"];

let web: WebServer;
let cookie = "";
let topicId = "";

/** The words of an HTML page (tags dropped, the entities React writes decoded), or a plain body as it is. */
function words(body: string): string {
  return body
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, "")
    .replaceAll("&quot;", '"')
    .replaceAll("&#x27;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

async function get(path: string, signedIn = false): Promise<{ status: number; text: string; location: string | null }> {
  const response = await fetch(`${web.url}${path}`, { headers: signedIn ? { cookie } : {}, redirect: "manual" });
  return { status: response.status, text: words(await response.text()), location: response.headers.get("location") };
}

beforeAll(async () => {
  await seedListing(
    ids.map((id) => entry({ id, title: `Malformed parameters ${tag} ${id}`, abstract: `A study of parameters ${tag}.` })),
    ["cs.CL"],
    day,
  );
  // The topic feed's token is signed with the server's secret: the server gets this process's.
  web = await startWeb({ AUTH_SECRET: authSecret(env()), ADMIN_EMAILS: adminEmail });
  ({ cookie } = await signUpOverHttp(web.url, adminEmail, { password: "a long enough password", name: "Params admin" }));
  const user = await db().user.findUniqueOrThrow({ where: { email: adminEmail } });
  await starPaper(user.id, ids[0]!);
  topicId = (await createTopic(user.id, { name: `Parameters ${tag}`, description: "Query strings.", keywords: ["parameters"] })).id;
}, 120_000);

afterAll(async () => {
  await web?.stop();
  await db().user.deleteMany({ where: { email: adminEmail } });
});

/** [address, the parameter at fault, words the answer must hold, signed in]. */
type Bad = [string, string, string, boolean?];

const pageCases = (): Bad[] => [
  ...BAD_DATES.map((d): Bad => [`/list/cs.CL?date=${d}`, "date", `"${d}" is not a date`]),
  ["/list/cs.CL?date=2026-02-30", "date", "(2026-02 has days 01 to 28). Write dates as YYYY-MM-DD, such as 2025-04-28."],
  ["/list/cs.CL?date=9999-99-99", "date", "(there is no month 99)"],
  [`/list/cs.CL?date=${"2".repeat(5_000)}`, "date", "is not a date"],
  [`/list/cs.CL?date=${day}&type=everything`, "type", '"everything" is not one of all, new, cross, replace.'],
  [`/list/cs.CL?date=${day}&min=150`, "min", '"150" is not a score. Give a number from 0 to 100.'],
  [`/list/cs.CL?date=${day}&min=-5`, "min", "is not a score"],
  [`/list/cs.CL?date=${day}&topic=${encodeURIComponent("'; DROP TABLE topics; --")}`, "topic", "is not a topic id"],
  ["/?type=old", "type", '"old" is not one of all, new, cross, replace.'],
  ["/search?q=paper&page=0", "page", '"0" is not a whole number from 1 to 400.'],
  ["/search?q=paper&page=-3", "page", "is not a whole number from 1 to 400"],
  ["/search?q=paper&page=99999999999999999999", "page", "is not a whole number from 1 to 400"],
  ["/search?q=paper&page=two", "page", "is not a whole number"],
  [`/search?q=${"y".repeat(1_000)}`, "q", "The search is too long: at most 300 characters."],
  ["/search?q=paper&cat=cs.XX", "cat", '"cs.XX" is not an arXiv category'],
  ["/search?q=paper&from=2026-02-30", "from", '"2026-02-30" is not a date'],
  ["/search?q=paper&to=0000-01-01", "to", "(there is no year 0000)"],
  ["/search?q=paper&from=2024-05-01&to=2024-01-01", "to", "The range starts (2024-05-01) after it ends (2024-01-01)."],
  ["/starred?cursor=abc", "cursor", '"abc" is not a page of your stars', true],
  ["/admin/history?date=2026-02-30", "date", '"2026-02-30" is not a date', true],
  ["/admin/history?outcome=exploded", "outcome", '"exploded" is not one of queued, running, succeeded, failed, no_announcement.', true],
  ["/admin/history?category=cs.XX", "category", '"cs.XX" is not an arXiv category', true],
  ["/admin/history?before=yesterday", "before", '"yesterday" is not a moment', true],
  ["/admin/audit?before=0000-01-01T00:00:00Z", "before", "is not a moment", true],
];

const routeCases = (): Bad[] => [
  ...BAD_DATES.map((d): Bad => [`/list/cs.CL/feed?date=${d}`, "date", `"${d}" is not a date`]),
  ["/list/cs.CL/cards?date=2026-02-30", "date", "(2026-02 has days 01 to 28)"],
  ["/list/cs.CL/cards", "date", "The date is missing"],
  [`/list/cs.CL/cards?date=${day}&offset=-1`, "offset", "is not a whole number from 0 to 100000"],
  [`/list/cs.CL/cards?date=${day}&offset=99999999999999999999`, "offset", "is not a whole number from 0 to 100000"],
  [`/list/cs.CL/cards?date=${day}&limit=0`, "limit", "is not a whole number from 1 to 100000"],
  [`/list/cs.CL/cards?date=${day}&type=bogus`, "type", "is not one of all, new, cross, replace"],
  ["/search/feed?q=paper&to=2026-13-01", "to", "(there is no month 13)"],
  ["/search/feed?q=paper&cat=nonsense", "cat", "is not an arXiv category"],
  ["/starred/export?format=pdf", "format", '"pdf" is not one of bibtex, ris, csv.', true],
  ["/starred/export?format=toString", "format", '"toString" is not one of bibtex, ris, csv.', true],
  ["/api/cite", "id", "The id is missing"],
  ["/api/cite?id=nope", "id", '"nope" is not an arXiv id'],
  ["/api/cite?id=2104.12255&format=docx", "format", "is not one of text, bibtex"],
];

describe("malformed parameters get 400 with words", () => {
  test("pages: 400, the page names the parameter and the form it takes", { timeout: 120_000 }, async () => {
    for (const [path, param, text, signedIn] of pageCases()) {
      const answer = await get(path, signedIn);
      expect(answer.status, `${path}: ${answer.text.slice(0, 300)}`).toBe(400);
      expect(answer.text, path).toContain(`The ${param} parameter of this address is wrong:`);
      expect(answer.text, path).toContain(text);
      expect(answer.text, path).toContain("Bad address · Paper Triage");
    }
    // A listing of categories that do not exist: 400 too, with the page's own explanation.
    const unknown = await get("/list/cs.XX?date=2024-05-01");
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('"cs.XX" is not an arXiv category');
  });

  test("routes (feeds, cards, export, cite): 400 in plain words", { timeout: 60_000 }, async () => {
    const topicFeed = `${topicFeedPath(topicId)}&min=abc`;
    for (const [path, param, text, signedIn] of [...routeCases(), [topicFeed, "min", '"abc" is not a score'] as Bad]) {
      const answer = await get(path, signedIn);
      expect(answer.status, `${path}: ${answer.text.slice(0, 300)}`).toBe(400);
      expect(answer.text, path).toContain(`The "${param}" parameter is wrong: `);
      expect(answer.text, path).toContain(text);
    }
    // The admin API answers in JSON, as it always did.
    const runs = await fetch(`${web.url}/admin/api/crawl-runs?ids=abc`, { headers: { cookie } });
    expect(runs.status).toBe(400);
    expect(((await runs.json()) as { error: string }).error).toBe("Each id must be a crawl run id (a UUID).");
  });

  test("a page that needs a session asks for one before it reads the address", async () => {
    const starred = await get("/starred?cursor=abc");
    expect(starred.status).toBe(307);
    expect(starred.location).toBe(`/sign-in?next=${encodeURIComponent("/starred?cursor=abc")}`);
    const history = await get("/admin/history?date=2026-02-30");
    expect(history.status).toBe(307);
    expect(history.location).toMatch(/^\/sign-in\?next=/);
  });
});

test("good parameters still answer 200", { timeout: 120_000 }, async () => {
  const cursor = encodeStarCursor(new Date(), "2104.12255");
  const good: [string, boolean?][] = [
    [`/list/cs.CL?date=${day}`],
    [`/list/cs.CL?date=${day}&type=new&utm_source=newsletter`],
    [`/list/cs.CL?date=${day}&type=&topic=&min=`],
    [`/list/cs.CL?date=${day}&topic=${topicId}&min=40`, true],
    ["/list/cs.CL?date=2024-02-29"],
    ["/list/cs.CL?date=9999-12-31"],
    ["/?type=replace"],
    [`/search?q=parameters+${tag}&cat=cs.CL&from=1990-01-01&to=2099-12-31&page=1`],
    ["/search"],
    ["/starred", true],
    [`/starred?cursor=${cursor}`, true],
    [`/admin/history?category=cs.CL&date=${day}&outcome=succeeded&before=${encodeURIComponent(new Date().toISOString())}`, true],
    [`/admin/history?category=&date=&outcome=`, true],
    [`/admin/audit?before=${encodeURIComponent(new Date().toISOString())}`, true],
    [`/list/cs.CL/feed?date=${day}`],
    [`/list/cs.CL/cards?date=${day}&type=new&offset=0&limit=5000`],
    [`/search/feed?q=parameters&from=2024-02-29`],
    ["/starred/export?format=csv", true],
    [`${topicFeedPath(topicId)}&min=50`],
    [`/api/cite?id=${ids[0]}&format=bibtex`],
  ];
  for (const [path, signedIn] of good) {
    const answer = await get(path, signedIn);
    expect(answer.status, `${path}: ${answer.text.slice(0, 300)}`).toBe(200);
    expect(answer.text, path).not.toContain("Bad address");
  }
  // The listing with good parameters shows the day's papers.
  expect((await get(`/list/cs.CL?date=${day}`)).text).toContain(`Malformed parameters ${tag}`);
});
