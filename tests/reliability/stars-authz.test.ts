// Fault matrix item 8 (stars): one reader cannot read or change another's stars. Two accounts in
// two real browser sessions; the star actions take no user id, so the only way to reach someone
// else's stars would be a bug in how the session is read. Signed-out requests are refused. Every
// star action and route (found by walking app/stars and app/starred: tests/helpers/star-endpoints.ts)
// refuses a signed-out visitor, and labels and notes stay their author's.
import { randomBytes } from "node:crypto";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { cookiesOf, hasChromium, launchBrowser } from "../helpers/browser";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { callStarAction, starActionExports, starActions, starRoutes } from "../helpers/star-endpoints";
import { startWeb, type WebServer } from "../helpers/web";
import { signUpOverHttp } from "../helpers/sign-up";
import { withSql } from "./support";

const tag = randomBytes(3).toString("hex");
const day = randomDay();
const paper = { id: randomPaperId(), title: `Private reading list (${tag})` };
let web: WebServer;

beforeAll(async () => {
  await seedListing([entry({ id: paper.id, title: paper.title })], ["cs.CL"], day);
  web = await startWeb();
});

afterAll(async () => {
  await web?.stop();
});

/** A new account signed up through better-auth: its address and its session's Cookie header. */
async function signUp(): Promise<{ cookie: string; email: string }> {
  const email = `authz-${randomBytes(4).toString("hex")}@example.org`;
  const { cookie } = await signUpOverHttp(web.url, email, { password: "a long enough password", name: email });
  return { cookie, email };
}

/** A new account (signUp) whose session cookie goes into a browser context. */
async function accountContext(newContext: () => Promise<BrowserContext>): Promise<{ context: BrowserContext; cookie: string; email: string }> {
  const { cookie, email } = await signUp();
  const context = await newContext();
  await context.addCookies(cookiesOf(cookie, web.url));
  return { context, cookie, email };
}

const starsOf = (email: string) =>
  withSql(async (sql) => (await sql.query(`SELECT s.paper_id FROM stars s JOIN users u ON u.id = s.user_id WHERE u.email = $1`, [email])).rows.map((r) => r.paper_id));

test.skipIf(!hasChromium)("a reader cannot see or change another reader's stars", { timeout: 120_000 }, async () => {
  const browser = await launchBrowser();
  try {
    const alice = await accountContext(() => browser.newContext());
    const bob = await accountContext(() => browser.newContext());

    // Alice stars the paper on its listing.
    const a = await alice.context.newPage();
    await a.goto(`${web.url}/list/cs.CL?date=${day}`);
    await a.getByRole("button", { name: `Star ${paper.title}`, exact: true }).click();
    await expect.poll(() => starsOf(alice.email)).toEqual([paper.id]);

    // Bob sees it unstarred, and his Starred page and exports do not hold it.
    const b = await bob.context.newPage();
    await b.goto(`${web.url}/list/cs.CL?date=${day}`);
    const bobStar = b.getByRole("button", { name: `Star ${paper.title}`, exact: true });
    expect(await bobStar.getAttribute("aria-pressed")).toBe("false");
    await b.goto(`${web.url}/starred`);
    expect(await b.locator("main").innerText()).not.toContain(paper.title);
    for (const format of ["bibtex", "csv"]) {
      const exported = await fetch(`${web.url}/starred/export?format=${format}`, { headers: { cookie: bob.cookie } });
      expect(exported.status).toBe(200);
      expect(await exported.text()).not.toContain(paper.id);
      const own = await fetch(`${web.url}/starred/export?format=${format}`, { headers: { cookie: alice.cookie } });
      expect(await own.text()).toContain(paper.id);
    }

    // Bob stars and unstars the same paper: only his own star comes and goes.
    await b.goto(`${web.url}/list/cs.CL?date=${day}`);
    await b.getByRole("button", { name: `Star ${paper.title}`, exact: true }).click();
    await expect.poll(() => starsOf(bob.email)).toEqual([paper.id]);
    await b.getByRole("button", { name: `Unstar ${paper.title}`, exact: true }).click();
    await expect.poll(() => starsOf(bob.email)).toEqual([]);
    expect(await starsOf(alice.email)).toEqual([paper.id]);

    // A forged cookie is no session.
    const forged = await fetch(`${web.url}/starred/export?format=csv`, { headers: { cookie: alice.cookie.replace(/=([^.;]{4})/, "=AAAA") } });
    expect(forged.status).toBe(401);
  } finally {
    await browser.close();
  }
});

test("signed out: the Starred page asks to sign in and the export is refused with 401", async () => {
  const exported = await fetch(`${web.url}/starred/export?format=csv`);
  expect(exported.status).toBe(401);
  expect(await exported.text()).toContain("Sign in");
  const page = await fetch(`${web.url}/starred`, { redirect: "manual" });
  if (page.status >= 300 && page.status < 400) expect(page.headers.get("location")).toContain("/sign-in");
  else expect(await page.text()).toMatch(/Sign in/);
  expect(await page.text()).not.toContain(paper.title);
});

/** Arguments each star action would accept from its owner: a new action must be added here to be checked. */
const ACTION_ARGS: Record<string, (paperId: string) => unknown[]> = {
  toggleStar: (id) => [id, true],
  setStarLabels: (id) => [id, ["hijacked"]],
  setStarNote: (id) => [id, "hijacked"],
};

const notesOf = (email: string) =>
  withSql(async (sql) => (await sql.query(`SELECT s.paper_id, s.labels, s.note FROM stars s JOIN users u ON u.id = s.user_id WHERE u.email = $1`, [email])).rows);

test("every star action and route: signed out refused; labels and notes are their author's alone", { timeout: 60_000 }, async () => {
  const actions = starActions();
  expect(actions.map((a) => a.name)).toEqual(expect.arrayContaining(["toggleStar", "setStarLabels", "setStarNote"]));
  expect(actions.length).toBe(starActionExports().length);
  const alice = await signUp();
  const bob = await signUp();
  const act = (name: string, args: unknown[], cookie?: string) => callStarAction(web.url, actions.find((a) => a.name === name)!, args, cookie);

  // Alice stars the paper and files it under a label with a note.
  expect((await act("toggleStar", [paper.id, true], alice.cookie)).result).toEqual({ starred: true });
  expect((await act("setStarLabels", [paper.id, ["secret list"]], alice.cookie)).result).toEqual({ labels: ["secret list"] });
  expect((await act("setStarNote", [paper.id, "Alice's private note"], alice.cookie)).result).toEqual({ note: "Alice's private note" });
  const hers = [{ paper_id: paper.id, labels: ["secret list"], note: "Alice's private note" }];
  expect(await notesOf(alice.email)).toEqual(hers);

  for (const action of actions) {
    const args = ACTION_ARGS[action.name];
    expect(args, `${action.file} ${action.name}: add its arguments to ACTION_ARGS`).toBeDefined();
    const out = await callStarAction(web.url, action, args!(paper.id));
    expect(out.result, `${action.name} signed out`).toEqual({ error: expect.stringMatching(/^Sign in/) });
  }
  // Bob has not starred the paper: his label and note actions reach nothing, Alice's star least of all.
  expect((await act("setStarLabels", [paper.id, ["hijacked"]], bob.cookie)).result).toEqual({ error: `Star arXiv:${paper.id} first: labels and notes belong to your stars.` });
  expect((await act("setStarNote", [paper.id, "hijacked"], bob.cookie)).result).toEqual({ error: `Star arXiv:${paper.id} first: labels and notes belong to your stars.` });
  expect(await notesOf(bob.email)).toEqual([]);
  expect(await notesOf(alice.email)).toEqual(hers);
  // Bad input gets the rule, not a 500.
  const tooMany = await act("setStarLabels", [paper.id, Array.from({ length: 21 }, (_, i) => `l${i}`)], alice.cookie);
  expect(tooMany).toEqual({ status: 200, result: { error: "At most 20 labels per paper (this has 21)." } });
  expect((await act("setStarNote", [paper.id, { not: "text" }], alice.cookie)).result).toEqual({ error: "The note must be text." });

  // Bob's Starred page, exports and the paper page show nothing of hers, whatever label he asks for.
  const bobPage = await (await fetch(`${web.url}/starred?label=secret%20list`, { headers: { cookie: bob.cookie } })).text();
  expect(bobPage).not.toContain("Alice&#x27;s private note");
  expect(bobPage).not.toContain(paper.title);
  const paperPage = await (await fetch(`${web.url}/papers/${paper.id}`, { headers: { cookie: bob.cookie } })).text();
  expect(paperPage).not.toContain("private note");
  expect(paperPage).not.toContain("secret list");
  for (const format of ["bibtex", "ris", "csv"]) {
    const his = await fetch(`${web.url}/starred/export?format=${format}&label=secret%20list`, { headers: { cookie: bob.cookie } });
    expect(his.status).toBe(200);
    const text = await his.text();
    expect(text).not.toContain(paper.id);
    expect(text).not.toContain("private note");
    const own = await (await fetch(`${web.url}/starred/export?format=${format}&label=secret%20list`, { headers: { cookie: alice.cookie } })).text();
    expect(own).toContain("Alice's private note");
  }

  // Every route under app/starred refuses a signed-out visitor, in every format and for any label.
  const routes = starRoutes();
  expect(routes.map((r) => r.url)).toContain("/starred/export");
  for (const { url, file, methods } of routes) {
    expect(methods.length, `${file} exports no HTTP method`).toBeGreaterThan(0);
    for (const method of methods) {
      for (const query of ["", "?format=ris", "?format=csv&label=secret%20list"]) {
        const out = await fetch(`${web.url}${url}${query}`, { method, redirect: "manual" });
        expect(out.status, `${method} ${file}${query} signed out`).toBe(401);
      }
    }
  }
});

/** The seen marks of the account with this address (POST /api/seen, the inbox's). */
const seenOf = (email: string) =>
  withSql(async (sql) => (await sql.query(`SELECT m.paper_id FROM seen_marks m JOIN users u ON u.id = m.user_id WHERE u.email = $1`, [email])).rows.map((r) => r.paper_id));

test("seen marks (POST /api/seen): signed out refused with 401; a reader's marks are their own", async () => {
  const mark = (seen: boolean, cookie?: string) =>
    fetch(`${web.url}/api/seen`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ paperIds: [paper.id], seen }),
    });
  expect((await mark(true)).status).toBe(401);
  const alice = await signUp();
  const bob = await signUp();
  expect(await (await mark(true, alice.cookie)).json()).toEqual({ seen: true, changed: 1 });
  // Bob's "unseen" reaches only his own marks (he has none); his "seen" makes a mark of his own.
  expect(await (await mark(false, bob.cookie)).json()).toEqual({ seen: false, changed: 0 });
  expect(await seenOf(alice.email)).toEqual([paper.id]);
  expect((await mark(true, bob.cookie)).status).toBe(200);
  expect((await mark(false, alice.cookie)).status).toBe(200);
  expect(await seenOf(alice.email)).toEqual([]);
  expect(await seenOf(bob.email)).toEqual([paper.id]);
});

test("the cards' topic menus (GET /api/topics): signed out refused with 401; a reader gets their own topics only", async () => {
  const topicsOf = async (cookie?: string) => {
    const response = await fetch(`${web.url}/api/topics`, { headers: cookie ? { cookie } : {} });
    return { status: response.status, cache: response.headers.get("cache-control"), body: (await response.json()) as { topics?: { id: string; name: string }[]; error?: string } };
  };
  const signedOut = await topicsOf();
  expect(signedOut.status).toBe(401);
  expect(signedOut.body.error).toMatch(/Sign in/);
  const alice = await signUp();
  const bob = await signUp();
  await withSql(async (sql) => {
    for (const [email, name] of [[alice.email, "Zebra <b>finches</b>"], [alice.email, "ants"], [bob.email, `Bob's own ${tag}`]]) {
      await sql.query(`INSERT INTO topics (id, user_id, name, keywords, updated_at) SELECT gen_random_uuid(), id, $2, '{}', now() FROM users WHERE email = $1`, [email, name]);
    }
  });
  const mine = await topicsOf(alice.cookie);
  expect(mine.status).toBe(200);
  expect(mine.cache).toContain("no-store");
  // By name, case aside (the topics page's order); the name as typed (the page sets it as text).
  expect(mine.body.topics!.map((t) => t.name)).toEqual(["ants", "Zebra <b>finches</b>"]);
  expect((await topicsOf(bob.cookie)).body.topics!.map((t) => t.name)).toEqual([`Bob's own ${tag}`]);
});
