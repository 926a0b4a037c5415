// The admin area in a real Chromium, against a local arXiv stand-in and a crawl worker on this
// server's own queue: an administrator re-crawls two days and watches the progress reach 100 %
// without a reload, finds the runs in the history and the papers in the listing, re-crawls a day
// that is stored (nothing new, said so), sees a failing source fail with its error and retries it
// from the Queues page, and hits the rate limit; re-embeds every paper (embed worker with the committed
// test model) and watches that progress bar reach 100 % too. A plain reader sees none of it. An RSS
// re-crawl asks for no date (the form hides the dates) and crawls whatever day the feed announces.
// A database of this file's own, set up before the app's modules load: "Re-embed everything" rewrites
// every paper's vector and the overview counts every paper, neither of which may meet other files' rows.
import { databaseUrl, ownDatabase } from "../helpers/own-database";
import { randomBytes, randomInt } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, onTestFailed, test } from "vitest";
import { ROOT } from "../../lib/build";
import { disconnectDb } from "../../lib/db";
import { locateModel } from "../../lib/embed/model-files";
import { loadOnnxEmbedder } from "../../lib/embed/onnx-embedder";
import { QueueConnection } from "../../lib/queue";
import { createCrawlProcessor } from "../../workers/crawl";
import { createEmbedProcessor } from "../../workers/embed";
import { hasChromium, launchBrowser } from "../helpers/browser";
import { fixture } from "../helpers/fixtures";
import { startHttpServer, type RecordedRequest, type ScriptedReply, type TestHttpServer } from "../helpers/http-server";
import { standInArxivClient } from "../helpers/arxiv-client";
import { randomPaperId } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";

const ARTIFACTS = path.join(ROOT, "test-artifacts");
const tag = randomBytes(4).toString("hex");
const adminEmail = `admin-${tag}@example.org`;
const readerEmail = `reader-${tag}@example.org`;
/** A second administrator, whose re-crawls the first one's rate limit does not hold back. */
const rssAdminEmail = `rss-admin-${tag}@example.org`;
const password = "a long enough password";
const queueSchema = `admin_e2e_${tag}`;

// Three past days no other test uses (listings are keyed by category and day).
const base = Date.UTC(2001 + randomInt(18), randomInt(12), 1 + randomInt(20));
const [day1, day2, day3] = [0, 1, 2].map((i) => new Date(base + i * 86_400_000).toISOString().slice(0, 10)) as [string, string, string];
const PER_DAY = 5;
const papersByDay = new Map([day1, day2, day3].map((d) => [d, Array.from({ length: PER_DAY }, () => randomPaperId())]));
const titleOf = (id: string) => `Admin re-crawl study ${id} (${tag})`;

/** The arXiv API's Atom answer for one page of a submittedDate query, like export.arxiv.org's. */
function atomPage(day: string, start: number, max: number): string {
  const ids = papersByDay.get(day) ?? [];
  const entries = ids.slice(start, start + max).map(
    (id) => `<entry>
    <id>http://arxiv.org/abs/${id}v1</id>
    <title>${titleOf(id)}</title>
    <updated>${day}T12:00:00Z</updated>
    <summary>We re-crawl a day and count what changed.</summary>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="stat.ML" scheme="http://arxiv.org/schemas/atom"/>
    <published>${day}T12:00:00Z</published>
    <arxiv:primary_category term="cs.CL"/>
    <author><name>Ada Lovelace</name></author>
  </entry>`,
  );
  return `<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/test</id>
  <title>arXiv Query</title>
  <updated>${day}T23:00:00Z</updated>
  <opensearch:itemsPerPage>${max}</opensearch:itemsPerPage>
  <opensearch:totalResults>${ids.length}</opensearch:totalResults>
  <opensearch:startIndex>${start}</opensearch:startIndex>
  ${entries.join("\n  ")}
</feed>`;
}

/** Days whose queries fail (the "failing source"). */
const failingDays = new Set<string>();

function answerApi(request: RecordedRequest): ScriptedReply {
  const query = request.query.get("search_query") ?? "";
  const m = /submittedDate:\[(\d{4})(\d{2})(\d{2})0000 TO/.exec(query);
  if (!m) return { status: 400, body: "unexpected query" };
  const day = `${m[1]}-${m[2]}-${m[3]}`;
  if (failingDays.has(day)) return { status: 503, body: "arXiv stand-in: service unavailable for this test" };
  const start = Number(request.query.get("start") ?? 0);
  const max = Number(request.query.get("max_results") ?? 10);
  // Slow enough that the page shows the steps in between.
  return { status: 200, headers: { "content-type": "application/atom+xml" }, body: atomPage(day, start, max), delayMs: 700 };
}

let arxiv: TestHttpServer;
let web: WebServer;
let worker: QueueConnection;
let browser: Browser;
let sql: pg.Client;
let adminCookies: { name: string; value: string }[] = [];

async function signUp(email: string): Promise<{ name: string; value: string }[]> {
  const response = await fetch(`${web.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: web.url },
    body: JSON.stringify({ email, password, name: email.split("@")[0] }),
  });
  expect(response.status).toBe(200);
  return response.headers.getSetCookie().map((c) => {
    const [pair] = c.split(";");
    const i = pair!.indexOf("=");
    return { name: pair!.slice(0, i), value: pair!.slice(i + 1) };
  });
}

async function contextFor(cookies: { name: string; value: string }[]): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  await context.addCookies(cookies.map((c) => ({ ...c, url: web.url })));
  return context;
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 403/.test(m.text())) errors.push(m.text());
  });
  return errors;
}

beforeAll(async () => {
  if (!hasChromium) return;
  await mkdir(ARTIFACTS, { recursive: true });
  arxiv = await startHttpServer({ "/api/query": [answerApi] });
  // This server's queues live in a schema of their own, worked by the worker below only.
  web = await startWeb({ DATABASE_URL: databaseUrl, REDIS_URL: "", QUEUE_PG_SCHEMA: queueSchema, ADMIN_EMAILS: `${adminEmail},${rssAdminEmail}`, CRAWL_RETRY_DELAY_MS: "100" });
  worker = new QueueConnection({ databaseUrl, pgSchema: queueSchema });
  const client = standInArxivClient(arxiv, {
    timeoutMs: 5_000,
    retry: { minTimeout: 10, maxTimeout: 20, retries: 1 },
  });
  worker.worker("crawl", createCrawlProcessor({ client, connection: worker, pageSize: 2, retryDelayMs: 100 }), { concurrency: 1 });
  // The embed worker runs the committed random-weight test model (small batches: the bar moves).
  const modelDir = path.join(ROOT, "tests/fixtures/models/all-MiniLM-L6-v2");
  const location = locateModel(modelDir);
  if (!location.ok) throw new Error(location.message);
  const embedder = await loadOnnxEmbedder({ dir: modelDir, onnxFile: location.onnxFile, threads: 1, batchSize: 4, maxTokens: 64 });
  worker.worker("embed", createEmbedProcessor({ embedder: async () => embedder }), { concurrency: 1 });
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await web?.stop();
  await arxiv?.close();
  if (sql) {
    await sql.query(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`).catch(() => undefined);
    await sql.query(`DELETE FROM users WHERE email = ANY($1)`, [[adminEmail, readerEmail, rssAdminEmail]]);
    await sql.query(`DELETE FROM papers WHERE id = ANY($1)`, [[...papersByDay.values()].flat()]);
    await sql.end();
  }
  await disconnectDb();
  await ownDatabase?.drop();
});

/** Fills and submits the re-crawl form for the API source (the one that takes dates). */
async function submitRecrawl(page: Page, options: { other: string; from: string; to?: string }) {
  await page.getByLabel("Other categories").fill(options.other);
  await page.getByLabel("API (any past days)").check();
  // The two dates line up ("To" has a hint beside its name, not above its field).
  const [fromBox, toBox] = await Promise.all(["From", "To"].map((name) => page.getByLabel(name, { exact: true }).boundingBox()));
  expect(Math.abs(fromBox!.y - toBox!.y)).toBeLessThan(2);
  await page.getByLabel("From", { exact: true }).fill(options.from);
  await page.getByLabel("To", { exact: true }).fill(options.to ?? "");
  await page.getByRole("button", { name: "Re-crawl" }).click();
}

const runItem = (page: Page, day: string, status: string) =>
  page.locator(`li.run-progress[data-status="${status}"]`).filter({ hasText: `cs.CL, stat.ML · ${day} · API` });

test.skipIf(!hasChromium)("an administrator re-crawls, watches progress, reads history, retries a failure", { timeout: 240_000 }, async () => {
  onTestFailed(() => console.log(`[admin e2e] server output:\n${web.output()}`));
  adminCookies = await signUp(adminEmail);
  const context = await contextFor(adminCookies);
  const page = await context.newPage();
  const errors = watchErrors(page);

  // ── the Admin link in the user menu leads to the overview ──
  await page.goto(`${web.url}/`);
  await page.locator(".user-menu").getByRole("link", { name: "Admin" }).click();
  await page.waitForURL(`${web.url}/admin`);
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Administration");
  await expect(page.getByRole("button", { name: "Embed missing" }).isEnabled()).resolves.toBe(true);

  // ── settings: bad input is refused in words, good input is saved, audited and applied ──
  await page.getByLabel("Followed categories").fill("cs.CL, cs.NOPE");
  await page.getByLabel("Followed categories").locator("xpath=ancestor::form").getByRole("button", { name: "Save" }).click();
  await page.getByRole("alert").filter({ hasText: 'Not an arXiv category: "cs.NOPE".' }).waitFor();
  const scheduleField = page.getByLabel("Daily check schedule (cron, UTC)");
  await scheduleField.fill("5 25 * * *");
  await scheduleField.locator("xpath=ancestor::form").getByRole("button", { name: "Save" }).click();
  await page.getByRole("alert").filter({ hasText: 'Not a valid schedule: the hour field "25" must stay within 0–23.' }).waitFor();
  await scheduleField.fill("10 5 * * 1-5");
  await scheduleField.locator("xpath=ancestor::form").getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: 'The daily check now runs at "10 5 * * 1-5" (UTC).' }).waitFor();
  expect((await worker.queue("crawl").getJobScheduler("daily-check"))?.pattern).toBe("10 5 * * 1-5");
  expect((await sql.query(`SELECT value FROM settings WHERE key = 'crawl_schedule'`)).rows[0]?.value).toBe("10 5 * * 1-5");
  await page.screenshot({ path: path.join(ARTIFACTS, "admin-overview.png"), fullPage: true });

  // ── re-crawl two days: two jobs, live progress to 100 % without a reload ──
  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Re-crawl" }).click();
  await page.waitForURL(`${web.url}/admin/crawl`);
  await page.getByLabel("cs.CL").check();
  await page.evaluate(() => ((window as unknown as { marker: string }).marker = "same page"));
  const seen = new Set<string>();
  const watch = setInterval(() => {
    void page
      .locator("li.run-progress .run-percent")
      .allTextContents()
      .then((texts) => texts.forEach((t) => seen.add(t)))
      .catch(() => undefined);
  }, 150);
  await submitRecrawl(page, { other: "stat.ML", from: day1, to: day2 });
  await page.getByRole("status").filter({ hasText: "Queued 2 crawl jobs for cs.CL, stat.ML" }).waitFor();
  await runItem(page, day1, "succeeded").waitFor({ timeout: 60_000 });
  await runItem(page, day2, "succeeded").waitFor({ timeout: 60_000 });
  clearInterval(watch);
  await expect(page.evaluate(() => (window as unknown as { marker?: string }).marker)).resolves.toBe("same page");
  for (const day of [day1, day2]) {
    const item = runItem(page, day, "succeeded");
    await expect(item.locator(".run-percent").textContent()).resolves.toBe("100 %");
    await expect(item.textContent()).resolves.toContain(`stored ${PER_DAY}`);
    await expect(item.textContent()).resolves.toContain(`${PER_DAY} new papers, 0 new versions`);
  }
  // Pages of 2 out of 5: the bar moved through the steps in between.
  expect([...seen].some((t) => t !== "0 %" && t !== "100 %"), `percentages seen: ${[...seen].join(", ")}`).toBe(true);
  await page.screenshot({ path: path.join(ARTIFACTS, "admin-recrawl.png"), fullPage: true });

  // ── the history lists both runs with who started them; the listing shows the papers ──
  await page.goto(`${web.url}/admin/history?category=stat.ML&outcome=succeeded`);
  const rows = page.locator("table.crawl-history tbody tr");
  await expect(rows.count()).resolves.toBe(2);
  await expect(rows.first().textContent()).resolves.toContain(`admin ${adminEmail}`);
  await expect(rows.first().textContent()).resolves.toContain(`${PER_DAY} · 0 · 0 · 0`);
  await page.goto(`${web.url}/admin/history?date=${day3}`);
  await expect(page.getByText("No crawl run matches these filters.").count()).resolves.toBe(1);
  await page.goto(`${web.url}/list/cs.CL?date=${day1}`);
  for (const id of papersByDay.get(day1)!) await expect(page.locator(`article[data-paper-id="${id}"]`).count()).resolves.toBe(1);
  await expect(page.getByText(titleOf(papersByDay.get(day1)![0]!)).count()).resolves.toBe(1);

  // ── re-crawling a stored day is safe and says nothing was new ──
  await page.goto(`${web.url}/admin/crawl`);
  await submitRecrawl(page, { other: "cs.CL, stat.ML", from: day1 });
  await page.getByRole("status").filter({ hasText: `Queued 1 crawl job for cs.CL, stat.ML (${day1}, API)` }).waitFor();
  await page.locator("li.run-progress[data-status='succeeded']").filter({ hasText: "0 new papers, 0 new versions" }).first().waitFor({ timeout: 60_000 });
  const stored = await sql.query(`SELECT count(*)::int AS n FROM listings WHERE category = 'cs.CL' AND date = $1`, [day1]);
  expect(stored.rows[0].n).toBe(PER_DAY);

  // ── a failing source: the run fails with its error; retried from the Queues page, it succeeds ──
  failingDays.add(day3);
  await submitRecrawl(page, { other: "cs.CL, stat.ML", from: day3 });
  await page.getByRole("status").filter({ hasText: `Queued 1 crawl job for cs.CL, stat.ML (${day3}, API)` }).waitFor();
  const failed = runItem(page, day3, "failed");
  await failed.waitFor({ timeout: 60_000 });
  await expect(failed.getByRole("alert").textContent()).resolves.toMatch(/Failed: .*503/);

  // The fourth re-crawl within the minute is refused, in words, and starts nothing.
  const before = (await sql.query(`SELECT count(*)::int AS n FROM crawl_runs WHERE trigger = 'admin'`)).rows[0].n;
  await submitRecrawl(page, { other: "cs.CL", from: day2 });
  await page.getByRole("alert").filter({ hasText: "Too many re-crawls: at most 3 per minute" }).waitFor();
  expect((await sql.query(`SELECT count(*)::int AS n FROM crawl_runs WHERE trigger = 'admin'`)).rows[0].n).toBe(before);

  await page.goto(`${web.url}/admin/queues`);
  const crawlQueue = page.locator('section[data-queue="crawl"]');
  const failedRow = crawlQueue.locator("table.failed-jobs tbody tr");
  await expect(failedRow.count()).resolves.toBe(1);
  await expect(failedRow.textContent()).resolves.toMatch(/503/);
  await expect(failedRow.textContent()).resolves.toContain("3 of 3");
  await expect(crawlQueue.locator('td[data-state="failed"]').textContent()).resolves.toBe("1");
  await page.screenshot({ path: path.join(ARTIFACTS, "admin-queues-failed.png"), fullPage: true });
  failingDays.delete(day3);
  await failedRow.getByRole("button", { name: "Retry" }).click();
  await page.locator(".admin-notice").getByRole("status").filter({ hasText: "is queued again" }).waitFor();
  await page.goto(`${web.url}/admin/crawl`);
  await runItem(page, day3, "succeeded").waitFor({ timeout: 60_000 });
  await expect(runItem(page, day3, "succeeded").textContent()).resolves.toContain(`${PER_DAY} new papers`);
  await page.goto(`${web.url}/admin/queues`);
  await expect(page.locator('section[data-queue="crawl"] td[data-state="failed"]').textContent()).resolves.toBe("0");

  // ── re-embed every paper from the overview: the bar reaches 100 % without a reload ──
  await page.goto(`${web.url}/admin`);
  await page.evaluate(() => ((window as unknown as { marker: string }).marker = "same page"));
  const papers = (await sql.query(`SELECT count(*)::int AS n FROM papers`)).rows[0].n as number;
  expect(papers).toBeGreaterThanOrEqual(3 * PER_DAY);
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Re-embed everything" }).click();
  await page.getByRole("status").filter({ hasText: "Re-embedding every paper: queued." }).waitFor();
  const embedRun = page.locator('.embed-run[data-state="done"]');
  await embedRun.waitFor({ timeout: 60_000 });
  await expect(embedRun.locator(".run-percent").textContent()).resolves.toBe("100 %");
  await expect(embedRun.locator(".embed-count").textContent()).resolves.toBe(`${papers.toLocaleString("en")} of ${papers.toLocaleString("en")} papers embedded`);
  await expect(embedRun.locator("progress").getAttribute("value")).resolves.toBe("100");
  await expect(page.evaluate(() => (window as unknown as { marker?: string }).marker)).resolves.toBe("same page");
  // Enabled again once the panel's own refresh after starting the run is over (it may end after the
  // run, on a busy machine: seen failing when read at once).
  await expect.poll(() => page.getByRole("button", { name: "Re-embed everything" }).isEnabled(), { timeout: 10_000 }).toBe(true);
  const embedded = await sql.query(`SELECT count(*)::int AS n FROM paper_embeddings WHERE paper_id = ANY($1)`, [[...papersByDay.values()].flat()]);
  expect(embedded.rows[0].n).toBe(3 * PER_DAY);
  await page.screenshot({ path: path.join(ARTIFACTS, "admin-embed.png"), fullPage: true });

  // ── every action above is in the audit log ──
  await page.goto(`${web.url}/admin/audit`);
  const audit = await page.locator("table.audit-table tbody").textContent();
  expect(audit).toContain("crawl.recrawl");
  expect(audit).toContain("queue.retry");
  expect(audit).toContain("settings.schedule");
  expect(audit).toContain("embed.all");
  expect(audit).toContain(adminEmail);
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto(`${web.url}/admin/history`);
  await page.screenshot({ path: path.join(ARTIFACTS, "admin-history-dark.png"), fullPage: true });
  expect(errors).toEqual([]);
  await context.close();
});

test.skipIf(!hasChromium)("a plain reader sees no Admin link and gets 403 from every admin page, until promoted", { timeout: 60_000 }, async () => {
  const context = await contextFor(await signUp(readerEmail));
  await sql.query(`UPDATE users SET role = 'user' WHERE email = $1`, [readerEmail]);
  const page = await context.newPage();
  await page.goto(`${web.url}/`);
  await expect(page.locator(".user-menu").textContent()).resolves.toContain(readerEmail);
  await expect(page.locator(".user-menu").getByRole("link", { name: "Admin" }).count()).resolves.toBe(0);
  for (const url of ["/admin", "/admin/crawl", "/admin/queues"]) {
    const response = await page.goto(`${web.url}${url}`);
    expect(response?.status()).toBe(403);
    // The app's own 403 page, in its frame (header, theme), not the framework's bare one.
    await expect(page.locator("main h1").textContent()).resolves.toBe("Not allowed");
    await expect(page.title()).resolves.toBe("Not allowed · Paper Triage");
    await expect(page.locator("form[aria-label='Re-crawl']").count()).resolves.toBe(0);
  }
  const api = await page.request.get(`${web.url}/admin/api/crawl-runs?ids=${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}`);
  expect(api.status()).toBe(403);

  // Promoted from the Users page, the same reader gets the Admin link.
  const adminContext = await contextFor(adminCookies.length ? adminCookies : await signUp(adminEmail));
  const adminPage = await adminContext.newPage();
  await adminPage.goto(`${web.url}/admin/users`);
  const row = adminPage.locator(`tr[data-user-email="${readerEmail}"]`);
  await row.getByRole("button", { name: "Make admin" }).click();
  await adminPage.locator(".admin-notice").getByRole("status").filter({ hasText: `${readerEmail} is now an administrator.` }).waitFor();
  await adminPage.screenshot({ path: path.join(ARTIFACTS, "admin-users.png"), fullPage: true });
  await page.goto(`${web.url}/`);
  await expect(page.locator(".user-menu").getByRole("link", { name: "Admin" }).count()).resolves.toBe(1);
  expect((await page.goto(`${web.url}/admin/crawl`))?.status()).toBe(200);
  await adminContext.close();
  await context.close();
});

test.skipIf(!hasChromium)("an RSS re-crawl takes no date: the form hides the dates, and the latest announcement is crawled to done", { timeout: 120_000 }, async () => {
  onTestFailed(() => console.log(`[admin e2e] server output:\n${web.output()}`));
  // The stand-in's feed holds the announcement of 2024-03-26, not today: an RSS re-crawl takes that day.
  arxiv.script("/rss/stat", [{ status: 200, headers: { "content-type": "application/rss+xml" }, body: fixture("rss/stat_2024-03-26.xml"), delayMs: 300 }]);
  const context = await contextFor(await signUp(rssAdminEmail));
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${web.url}/admin/crawl`);

  // The API source (the default) needs From; RSS has no date to give, so the dates are hidden and disabled.
  const from = page.getByLabel("From", { exact: true });
  const to = page.getByLabel("To", { exact: true });
  await expect(page.getByLabel("API (any past days)").isChecked()).resolves.toBe(true);
  await expect(from.isVisible()).resolves.toBe(true);
  await expect(from.getAttribute("required")).resolves.not.toBeNull();
  await page.getByLabel("RSS (the latest announcement)").check();
  await expect(from.isVisible()).resolves.toBe(false);
  await expect(to.isVisible()).resolves.toBe(false);
  await expect(from.isDisabled()).resolves.toBe(true);
  await expect(to.isDisabled()).resolves.toBe(true);
  await page.getByText("RSS re-crawls whatever day arXiv announced last").waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "admin-recrawl-rss.png"), fullPage: true });

  await page.getByLabel("Other categories").fill("stat");
  await page.getByRole("button", { name: "Re-crawl" }).click();
  await page.getByRole("status").filter({ hasText: "Queued 1 crawl job for stat (the latest announcement, RSS)." }).waitFor();
  // Live progress to done; the run then shows the day the feed announced.
  const done = page.locator(`li.run-progress[data-status="succeeded"]`).filter({ hasText: "stat · 2024-03-26 · RSS" });
  await done.waitFor({ timeout: 60_000 });
  await expect(done.locator(".run-percent").textContent()).resolves.toBe("100 %");
  const run = await sql.query(
    `SELECT status, error, to_char(date_from, 'YYYY-MM-DD') AS day, (counts->>'stored')::int AS stored FROM crawl_runs WHERE triggered_by = $1`,
    [rssAdminEmail],
  );
  expect(run.rows).toHaveLength(1);
  expect(run.rows[0]).toMatchObject({ status: "succeeded", error: null, day: "2024-03-26" });
  expect(run.rows[0].stored).toBeGreaterThan(0);
  const listed = await sql.query(`SELECT count(*)::int AS n FROM listings WHERE category = 'stat' AND date = '2024-03-26'`);
  expect(listed.rows[0].n).toBeGreaterThanOrEqual(run.rows[0].stored);
  // Back on the API source, the dates are there again.
  await page.getByLabel("API (any past days)").check();
  await expect(from.isEnabled()).resolves.toBe(true);
  expect(errors).toEqual([]);
  await context.close();
});
