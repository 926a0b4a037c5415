// The web server as `npm start` runs it (scripts/web.ts): two `next start` processes behind the page
// cache, on the test database. Signed-out readers share kept pages; a signed-in reader gets the kept
// page with their own parts put in (the same as their own render), never another reader's; a page
// showing work in progress opts out; stopping the front stops every process.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, expect, test } from "vitest";
import { db } from "../../lib/db";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";
import { createAccount, hasChromium, launchBrowser } from "../helpers/browser";
import { signUpOverHttp } from "../helpers/sign-up";

let web: WebServer & { pid: number };
const day = randomDay();
const id = randomPaperId();

beforeAll(async () => {
  await seedListing([entry({ id, title: `Kept page paper ${id}`, primaryCategory: "cs.DL", categories: ["cs.DL"] })], ["cs.DL"], day);
  web = await startWeb({ WEB_PROCESSES: "2", PAGE_CACHE_SECONDS: "30" }, { front: true });
}, 120_000);

afterAll(async () => {
  await web?.stop();
});

const get = async (path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${web.url}${path}`, { headers });
  return { status: response.status, state: response.headers.get("x-page-cache"), body: await response.text(), headers: response.headers };
};

test("a signed-out reader's listing is rendered once, then served kept, with the security headers", async () => {
  const first = await get(`/list/cs.DL?date=${day}`);
  const second = await get(`/list/cs.DL?date=${day}`);
  expect(first.status).toBe(200);
  expect([first.state, second.state]).toEqual(["miss", "hit"]);
  expect(second.body).toContain(`Kept page paper ${id}`);
  expect(second.body).toBe(first.body);
  expect(second.headers.get("content-security-policy")).toContain("default-src 'self'");
  expect(second.headers.get("cache-control")).toContain("no-store");
  // The page's scripts load through the front too.
  const script = second.body.match(/src="(\/_next\/static\/[^"]+\.js)"/)?.[1];
  expect(script).toBeDefined();
  expect((await get(script!)).status).toBe(200);
});

/** A reader with an account and a session (through the front, as the sign-up form does); returns their Cookie header and id. */
async function signUp(email: string): Promise<{ cookie: string; userId: string }> {
  const { response, cookie } = await signUpOverHttp(web.url, email, { password: "correct horse battery staple", name: "Kept Reader" });
  expect(response.headers.get("x-page-cache")).toBe("bypass");
  const user = await db().user.findUniqueOrThrow({ where: { email } });
  return { cookie, userId: user.id };
}

/** The reader slots of a page (lib/render/reader-html.ts), in order. */
const slots = (html: string) => [...html.matchAll(/<!--reader:(\w+)[^>]*-->([\s\S]*?)<!--\/reader-->/g)].map((m) => `${m[1]}: ${m[2]}`);

test("a signed-in reader gets the kept page with their own menu, stars, topics and picker: what their own render shows", async () => {
  const email = `kept-${id}@example.org`;
  const { cookie, userId } = await signUp(email);
  await db().star.create({ data: { userId, paperId: id } });
  await db().topic.create({ data: { userId, name: `Topic of ${email}`, keywords: [] } });
  const mine = await get(`/list/cs.DL?date=${day}`, { cookie });
  expect(mine.state).toMatch(/^reader-(hit|miss|stale)$/);
  expect(mine.body).toContain(`Signed in as ${email}`);
  expect(mine.body).toContain(`Kept page paper ${id}`);
  expect(mine.body).toMatch(new RegExp(`data-action="star" aria-pressed="true" aria-label="Unstar Kept page paper ${id}"`));
  expect(mine.body).toContain(`<details class="topic-menu"><summary>Add to topic</summary></details>`); // the card's "Add to topic" menu (filled from /api/topics when opened)
  expect(mine.body).toContain(`>Topic of ${email}</option>`); // the picker
  // The same reader's own render (another cookie beside the session: never served from the cache)
  // fills every slot the same way.
  const own = await get(`/list/cs.DL?date=${day}`, { cookie: `${cookie}; other=1` });
  expect(own.state).toBe("bypass");
  expect(slots(mine.body)).toEqual(slots(own.body));
  expect(slots(mine.body).length).toBeGreaterThanOrEqual(3);
  // The cards a listing loads while scrolling come the same way.
  const cards = await get(`/list/cs.DL/cards?date=${day}&offset=0&limit=10`, { cookie });
  expect(cards.state).toMatch(/^reader-/);
  expect(cards.body).toContain(`aria-label="Unstar Kept page paper ${id}"`);
  // The kept signed-out page never shows anyone's name, star or topic.
  const anonymous = await get(`/list/cs.DL?date=${day}`);
  expect(anonymous.state).toBe("hit");
  expect(anonymous.body).not.toContain(email);
  expect(anonymous.body).toContain(`aria-label="Sign in to star Kept page paper ${id}"`);
  // A listing ranked by a topic is the reader's own render.
  const topic = await db().topic.findFirstOrThrow({ where: { userId } });
  expect((await get(`/list/cs.DL?date=${day}&topic=${topic.id}`, { cookie })).state).toBe("bypass");
  await db().user.delete({ where: { email } });
});

test("two readers under load each see only their own session, stars and topics", async () => {
  // A day of its own, with two papers: no page of it is kept before the readers ask.
  const loadDay = randomDay();
  const other = randomPaperId();
  await seedListing(
    [id, other].map((paper, i) => entry({ id: paper, title: `${i ? "Second" : "Kept page"} paper ${paper}`, primaryCategory: "cs.DL", categories: ["cs.DL"] })),
    ["cs.DL"],
    loadDay,
  );
  const readers = await Promise.all(
    ["a", "b"].map(async (who, i) => {
      const email = `load-${who}-${id}@example.org`;
      const { cookie, userId } = await signUp(email);
      const starred = i === 0 ? id : other;
      await db().star.create({ data: { userId, paperId: starred } });
      await db().topic.create({ data: { userId, name: `Topic ${who} ${id}`, keywords: [] } });
      return { who, email, cookie, starred, unstarred: i === 0 ? other : id, topic: `Topic ${who} ${id}` };
    }),
  );
  const states = new Map<string, number>();
  const check = async (n: number) => {
    const reader = n % 3 === 2 ? undefined : readers[n % 3]!;
    const path = n % 2 === 0 ? `/list/cs.DL?date=${loadDay}` : `/list/cs.DL/cards?date=${loadDay}&offset=0&limit=10`;
    const page = await get(path, reader ? { cookie: reader.cookie } : {});
    states.set(page.state ?? "none", (states.get(page.state ?? "none") ?? 0) + 1);
    expect(page.status).toBe(200);
    expect(page.headers.getSetCookie()).toEqual([]);
    for (const r of readers) {
      const mine = r === reader;
      if (path.startsWith("/list/cs.DL?")) expect(page.body.includes(`Signed in as ${r.email}`), `${reader?.who ?? "nobody"} sees ${r.who}'s menu`).toBe(mine);
      // The listing's topic picker names the reader's topics; the cards' menus name none (their items come from /api/topics).
      if (path.startsWith("/list/cs.DL?")) expect(page.body.includes(r.topic), `${reader?.who ?? "nobody"} sees ${r.who}'s topic`).toBe(mine);
    }
    expect(page.body.includes(`<details class="topic-menu">`), `${reader?.who ?? "nobody"} has topic menus`).toBe(reader !== undefined);
    if (reader) {
      expect(page.body).toContain(`aria-pressed="true" aria-label="Unstar ${reader.starred === id ? "Kept page" : "Second"} paper ${reader.starred}"`);
      expect(page.body).toContain(`aria-pressed="false" aria-label="Star ${reader.unstarred === id ? "Kept page" : "Second"} paper ${reader.unstarred}"`);
    } else {
      expect(page.body).not.toContain(`aria-pressed="true"`);
    }
  };
  // 300 requests, 30 at a time: the readers' pages are made from the same kept pages at once.
  for (let round = 0; round < 10; round++) await Promise.all(Array.from({ length: 30 }, (_, i) => check(round * 30 + i)));
  expect((states.get("reader-hit") ?? 0) + (states.get("reader-stale") ?? 0)).toBeGreaterThan(100);
  for (const r of readers) await db().user.delete({ where: { email: r.email } });
}, 60_000);

test("in the browser: a reader's kept page hydrates, its star and sign-out work, and a star shows after a reload", async (context) => {
  if (!hasChromium) return context.skip();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    const email = `browser-${id}@example.org`;
    await createAccount(page, web.url, email, "correct horse battery staple");
    const listing = `${web.url}/list/cs.DL?date=${day}`;
    const response = await page.goto(listing);
    expect(response?.headers()["x-page-cache"]).toMatch(/^reader-/);
    await expect(page.locator(".user-menu").textContent()).resolves.toContain(email);
    // The star works once React has hydrated (the button is the front's, not React's).
    const star = page.getByRole("button", { name: `Star Kept page paper ${id}`, exact: true });
    await star.click();
    await page.getByRole("button", { name: `Unstar Kept page paper ${id}`, exact: true }).waitFor();
    const user = await db().user.findUniqueOrThrow({ where: { email } });
    await expect.poll(() => db().star.count({ where: { userId: user.id, paperId: id } })).toBe(1);
    // Back on the page: the front forgot what it knew of the reader when they starred.
    const again = await page.reload();
    expect(again?.headers()["x-page-cache"]).toMatch(/^reader-/);
    await page.getByRole("button", { name: `Unstar Kept page paper ${id}`, exact: true }).waitFor();
    expect(await page.locator("#papers .paper-card").count()).toBeGreaterThan(0);
    // Sign out through the menu's button.
    await page.locator(".user-menu").getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${web.url}/`);
    await page.goto(listing);
    await expect(page.locator(".user-menu").textContent()).resolves.not.toContain(email);
    await page.getByRole("link", { name: `Sign in to star Kept page paper ${id}`, exact: true }).waitFor();
    expect(errors).toEqual([]);
    await db().user.delete({ where: { email } });
  } finally {
    await browser.close();
  }
}, 90_000);

test("/popular is kept like a listing: served again to signed-out readers, and with their own slots to a signed-in one", async () => {
  // A paper announced today (this week) that a reader starred: it is on Popular this week.
  const paper = randomPaperId();
  const title = `Popular kept paper ${paper}`;
  await seedListing([entry({ id: paper, title, primaryCategory: "physics.hist-ph", categories: ["physics.hist-ph"] })], ["physics.hist-ph"], new Date().toISOString().slice(0, 10));
  const email = `popular-${paper}@example.org`;
  const { cookie, userId } = await signUp(email);
  await db().star.create({ data: { userId, paperId: paper } });
  await db().topic.create({ data: { userId, name: `Topic of ${email}`, keywords: [] } });
  try {
    const first = await get("/popular");
    const second = await get("/popular");
    expect([first.state, second.state]).toEqual(["miss", "hit"]);
    expect(second.body).toBe(first.body);
    expect(second.body).toContain(`aria-label="Sign in to star ${title}"`);
    expect(second.body).not.toContain(email);

    const mine = await get("/popular", { cookie });
    expect(mine.state).toMatch(/^reader-/);
    expect(mine.body).toContain(`aria-pressed="true" aria-label="Unstar ${title}"`);
    expect(mine.body).toContain(`<details class="topic-menu"><summary>Add to topic</summary></details>`); // the card's "Add to topic" menu (filled from /api/topics when opened)
    // The reader's own render fills the menu and this card's slot the same way (other files' papers
    // may come and go on the page between the two renders: only ours is compared).
    const own = await get("/popular", { cookie: `${cookie}; other=1` });
    expect(own.state).toBe("bypass");
    const ours = (html: string) => slots(html).filter((s) => s.startsWith("menu: ") || s.includes(title));
    expect(ours(mine.body)).toEqual(ours(own.body));
    expect(ours(mine.body).length).toBe(2);
  } finally {
    await db().user.delete({ where: { email } });
    await db().paper.delete({ where: { id: paper } });
  }
});

test("a page showing work in progress (a paper being fetched) is never kept", async () => {
  const missing = randomPaperId();
  const first = await get(`/papers/${missing}`);
  const second = await get(`/papers/${missing}`);
  expect(first.body).toContain("Fetching this paper from arXiv");
  expect([first.state, second.state]).toEqual(["miss", "miss"]);
  // A stored paper's page is kept.
  const states = [(await get(`/papers/${id}`)).state, (await get(`/papers/${id}`)).state];
  expect(states).toEqual(["miss", "hit"]);
});

test("two Next.js processes run behind the front, and stopping it stops them", async () => {
  const children = execFileSync("ps", ["-o", "pid=", "--ppid", String(web.pid)], { encoding: "utf8" }).trim().split(/\s+/).map(Number);
  expect(children.length).toBe(2);
  await web.stop();
  const alive = children.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  expect(alive).toEqual([]);
});
