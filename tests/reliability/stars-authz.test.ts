// Fault matrix item 8 (stars): one reader cannot read or change another's stars. Two accounts in
// two real browser sessions; the star actions take no user id, so the only way to reach someone
// else's stars would be a bug in how the session is read. Signed-out requests are refused.
import { randomBytes } from "node:crypto";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { hasChromium, launchBrowser } from "../helpers/browser";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";
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

/** A new account signed up through better-auth; its session cookie goes into a browser context. */
async function accountContext(newContext: () => Promise<BrowserContext>): Promise<{ context: BrowserContext; cookie: string; email: string }> {
  const email = `authz-${randomBytes(4).toString("hex")}@example.org`;
  const response = await fetch(`${web.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: web.url },
    body: JSON.stringify({ email, password: "a long enough password", name: email }),
  });
  expect(response.status).toBe(200);
  const cookie = response.headers.getSetCookie().map((c) => c.split(";")[0]!).join("; ");
  const context = await newContext();
  await context.addCookies(
    cookie.split("; ").map((pair) => {
      const [name, ...value] = pair.split("=");
      return { name: name!, value: value.join("="), url: web.url };
    }),
  );
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
