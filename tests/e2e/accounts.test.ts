// Accounts and stars in a real Chromium: sign up, the header shows who is signed in, a star turns on
// at once (before the server answers) and survives a reload, the Starred page lists it and exports
// it, unstar, sign out, and the signed-out star leads to sign-in and back. Screenshots go to
// test-artifacts/ for a person to look at.
import { randomBytes, randomInt } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, onTestFailed, test } from "vitest";
import { ROOT } from "../../lib/build";
import { hasChromium, launchBrowser } from "../helpers/browser";
import { createFreshDatabase, type FreshDatabase } from "../helpers/fresh-database";
import { startWeb, type WebServer } from "../helpers/web";

const ARTIFACTS = path.join(ROOT, "test-artifacts");
const tag = randomBytes(4).toString("hex");
const email = `reader-${tag}@example.org`;
const password = "a long enough password";

interface Seeded {
  id: string;
  title: string;
}
const papers: Seeded[] = [0, 1, 2].map((i) => ({
  id: `${16 + randomInt(10)}${String(1 + randomInt(12)).padStart(2, "0")}.${String(randomInt(100_000)).padStart(5, "0")}`,
  title: [`Sparse attention for long documents (${tag})`, `A survey of retrieval-augmented generation (${tag})`, `Tokenizers and their discontents (${tag})`][i]!,
}));

let fresh: FreshDatabase | undefined;
let databaseUrl: string;
let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  await mkdir(ARTIFACTS, { recursive: true });
  // A database of its own when the server allows, so the home page holds exactly these papers.
  fresh = await createFreshDatabase("papers_e2e_accounts");
  databaseUrl = fresh?.url ?? inject("databaseUrl");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const [i, paper] of papers.entries()) {
      await client.query(
        `INSERT INTO papers (id, latest_version, title, abstract, authors, primary_category, categories, published_at, created_at, updated_at)
         VALUES ($1, 2, $2, $3, $4, 'cs.CL', '{cs.CL,cs.LG}', $5, now() + make_interval(secs => $6), now())
         ON CONFLICT DO NOTHING`,
        [
          paper.id,
          paper.title,
          "We study how a reader triages papers. The method keeps $O(n \\log n)$ time and improves recall by 12%.",
          ["Ada Lovelace", "Alan Turing", "Grace Hopper"],
          new Date(Date.UTC(2025, 3, 1 + i)),
          i,
        ],
      );
    }
  } finally {
    await client.end();
  }
  web = await startWeb({ DATABASE_URL: databaseUrl, AUTH_SECRET: randomBytes(32).toString("hex") });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  if (fresh) await fresh.drop();
  else if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DELETE FROM users WHERE email = $1`, [email]);
    await client.query(`DELETE FROM papers WHERE id = ANY($1)`, [papers.map((p) => p.id)]);
    await client.end();
  }
});

/** Console errors other than the 4xx answers a failed sign-in is expected to log. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 40[13]/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

test.skipIf(!hasChromium)("sign up, star (optimistic, kept), list, export, unstar, sign out, star link while signed out", { timeout: 180_000 }, async () => {
  onTestFailed(() => console.log(`[accounts e2e] server output:\n${web.output()}`));
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const [paper] = papers as [Seeded];

  // ── sign up ──
  await page.goto(`${web.url}/sign-up`);
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Create an account");
  if (fresh) await expect(page.getByText("The first account becomes the administrator").count()).resolves.toBe(1);
  // Too short first: the form says so in words, and nothing is created.
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("alert").filter({ hasText: "at least 8 characters" }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "accounts-sign-up.png"), fullPage: true });
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${web.url}/`);
  const menu = page.locator(".user-menu");
  await expect(menu.textContent()).resolves.toContain(email);
  await expect(menu.getByRole("link", { name: "Starred" }).count()).resolves.toBe(1);

  // ── star on the home page: pressed at once, while the server is still answering ──
  const star = page.getByRole("button", { name: `Star ${paper.title}`, exact: true });
  await expect(star.getAttribute("aria-pressed")).resolves.toBe("false");
  // Hold the server action's request until the button has been seen pressed.
  let releaseAction: () => void = () => undefined;
  const actionHeld = new Promise<void>((resolve) => (releaseAction = resolve));
  let actionSent: Promise<void> = Promise.resolve();
  const hold = async (route: import("playwright-core").Route) => {
    if (route.request().method() !== "POST" || !route.request().headers()["next-action"]) return route.continue();
    actionSent = actionHeld.then(() => route.continue());
    await actionSent;
  };
  await page.route(`${web.url}/**`, hold);
  await star.click();
  const pressed = page.getByRole("button", { name: `Unstar ${paper.title}`, exact: true });
  await expect(pressed.getAttribute("aria-pressed", { timeout: 2_000 })).resolves.toBe("true");
  releaseAction();
  await actionSent;
  await page.unroute(`${web.url}/**`, hold);
  await page.waitForFunction(() => !document.querySelector(".star-button[data-pending]"));
  await expect(pressed.getAttribute("aria-pressed")).resolves.toBe("true");

  // ── kept after a reload ──
  await page.reload();
  await expect(page.getByRole("button", { name: `Unstar ${paper.title}`, exact: true }).getAttribute("aria-pressed")).resolves.toBe("true");
  await expect(page.getByRole("button", { name: `Star ${papers[1]!.title}`, exact: true }).getAttribute("aria-pressed")).resolves.toBe("false");
  await page.screenshot({ path: path.join(ARTIFACTS, "accounts-home-starred.png") });

  // ── the Starred page lists it ──
  await menu.getByRole("link", { name: "Starred" }).click();
  await page.waitForURL(`${web.url}/starred`);
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Starred papers");
  const listed = page.locator(`article[data-paper-id="${paper.id}"]`);
  await expect(listed.count()).resolves.toBe(1);
  await expect(page.locator("article[data-paper-id]").count()).resolves.toBe(1);
  await page.screenshot({ path: path.join(ARTIFACTS, "accounts-starred.png"), fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: path.join(ARTIFACTS, "accounts-starred-dark.png"), fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });

  // ── export BibTeX: a file with the paper's id ──
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "BibTeX" }).click()]);
  expect(download.suggestedFilename()).toBe("starred-papers.bib");
  const bib = await readFile((await download.path())!, "utf8");
  expect(bib).toContain(`eprint = {${paper.id}}`);
  expect(bib).toContain("@misc{");

  // ── unstar from the Starred page ──
  await listed.getByRole("button", { name: `Unstar ${paper.title}`, exact: true }).click();
  await page.getByText("You have not starred any papers yet.").waitFor({ timeout: 10_000 });
  await page.reload();
  await expect(page.getByText("You have not starred any papers yet.").count()).resolves.toBe(1);

  // ── sign out ──
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(`${web.url}/`);
  await page.locator(".user-menu").getByRole("link", { name: "Sign in" }).waitFor();
  await expect(page.locator(".user-menu").textContent()).resolves.not.toContain(email);

  // ── signed out, the star is a way to sign in, and sign-in comes back here ──
  await page.getByRole("link", { name: `Sign in to star ${paper.title}`, exact: true }).click();
  await page.waitForURL(`${web.url}/sign-in?next=%2F`);
  await page.getByLabel("E-mail address").fill(email);
  await page.getByLabel("Password").fill("the wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "Wrong e-mail address or password" }).waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "accounts-sign-in-error.png"), fullPage: true });
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${web.url}/`);
  await expect(page.locator(".user-menu").textContent()).resolves.toContain(email);

  // ── a star that cannot be saved (the paper left the library while the page was open): the reason
  //    beside the star, and the star rolls back ──
  const gone = papers[2]!;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DELETE FROM papers WHERE id = $1`, [gone.id]).finally(() => client.end());
  await page.getByRole("button", { name: `Star ${gone.title}`, exact: true }).click();
  const reason = page.locator(`article[data-paper-id="${gone.id}"] .star-error`);
  await expect.poll(() => reason.textContent()).toBe(`arXiv:${gone.id} is not in this library.`);
  await expect(reason.getAttribute("role")).resolves.toBe("status");
  await expect(page.getByRole("button", { name: `Star ${gone.title}`, exact: true }).getAttribute("aria-pressed")).resolves.toBe("false");

  // ── signed-out visit to /starred goes to sign-in and back ──
  await context.clearCookies();
  await page.goto(`${web.url}/starred`);
  await page.waitForURL(`${web.url}/sign-in?next=%2Fstarred`);

  expect(errors).toEqual([]);
  await context.close();
});
