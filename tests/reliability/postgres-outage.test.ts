// Fault matrix item 3: PostgreSQL unreachable for a while (a TCP proxy in front of the real server
// is cut, then restored). The web server answers page views with its own 503 page that names the
// database (server-made, readable without JavaScript), and
// /api/health says which part is down; a crawl job that fails meanwhile is retried by BullMQ and
// completes once the database is back; both recover without a restart and nothing is written twice.
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { createCrawlRun } from "../../lib/queries/crawl-runs";
import { enqueueCrawl, QueueConnection } from "../../lib/queue";
import type { AppProcess } from "../helpers/app-process";
import { startPgProxy, type PgProxy } from "../helpers/pg-proxy";
import type { TestHttpServer } from "../helpers/http-server";
import { hasChromium, launchBrowser } from "../helpers/browser";
import { startWeb, type WebServer } from "../helpers/web";
import { killHard, startArxivStandIn, startPrivateRedis, startWorker, storedRows, syntheticEntries, waitForRun, type PrivateRedis } from "./support";

let proxy: PgProxy;
let web: WebServer | undefined;
let redis: PrivateRedis | undefined;
let queue: QueueConnection | undefined;
let server: TestHttpServer | undefined;
let worker: AppProcess | undefined;

beforeAll(async () => {
  proxy = await startPgProxy(inject("databaseUrl"));
});

afterAll(async () => {
  if (worker) await killHard(worker);
  await queue?.close();
  await redis?.stop();
  await server?.close();
  await web?.stop();
  await proxy?.close();
});

test("web: a clear error page while the database is down, normal pages again once it is back", { timeout: 120_000 }, async () => {
  // The web server as `npm start` runs it: Next.js behind the web front (scripts/web.ts).
  const started = await startWeb({ DATABASE_URL: proxy.url }, { front: true });
  web = started;
  expect((await fetch(`${started.url}/search?q=attention`)).status).toBe(200);

  proxy.cut();
  // A page kept by the page cache before the cut is still served (its 10 s are not over) …
  expect((await fetch(`${started.url}/search?q=attention`)).status).toBe(200);
  // … any other: Next.js fails it, the front finds the database does not answer either and sends its page.
  const down = await fetch(`${started.url}/search?q=outage`);
  const html = await down.text();
  expect(down.status).toBe(503);
  expect(down.headers.get("retry-after")).toBe("10");
  expect(down.headers.get("content-type")).toContain("text/html");
  // The words are in the server's HTML: no script is needed to read them.
  expect(html).toContain("<h1>The database is unreachable</h1>");
  expect(html).toContain('href="/api/health"');
  expect(html).not.toContain("<script");
  // The web server's security headers stay on it.
  expect(down.headers.get("content-security-policy")).toContain("default-src 'self'");
  if (hasChromium) {
    const browser = await launchBrowser();
    try {
      // A reader whose browser runs no JavaScript, in dark mode.
      const context = await browser.newContext({ javaScriptEnabled: false });
      await context.addCookies([{ name: "theme", value: "dark", url: started.url }]);
      const page = await context.newPage();
      // Signed in or not: a session cookie (pages never kept) gets the same page.
      await context.addCookies([{ name: "paper-triage.session_token", value: "x", url: started.url }]);
      const response = await page.goto(`${started.url}/list/cs.LG`);
      expect(response?.status()).toBe(503);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("The database is unreachable");
      expect(await page.getByRole("alert").textContent()).toContain("Nothing you saved is lost");
      expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(18, 19, 22)");
    } finally {
      await browser.close();
    }
  } else {
    expect(process.env.CI).toBeFalsy();
  }
  const health = await fetch(`${started.url}/api/health`);
  expect(health.status).toBe(503);
  expect(JSON.stringify(await health.json())).toMatch(/database/i);

  proxy.restore();
  await expect.poll(async () => (await fetch(`${started.url}/search?q=attention`)).status, { timeout: 20_000 }).toBe(200);
  const home = await fetch(`${started.url}/`);
  expect(home.status).toBe(200);
  // No stack trace or connection string reached the reader.
  expect(html).not.toContain(inject("databaseUrl"));
  expect(html).not.toContain(proxy.url);
  expect(html).not.toMatch(/at \S+ \(\/.*\.js:\d+/);
});

test("worker: a crawl job failing while the database is down is retried and completes once it is back, stored once", { timeout: 120_000 }, async () => {
  redis = await startPrivateRedis();
  queue = new QueueConnection({ redisUrl: redis.url });
  const entries = syntheticEntries(10, "Postgres-outage");
  server = await startArxivStandIn(entries, 10);
  worker = await startWorker({
    DATABASE_URL: proxy.url,
    REDIS_URL: redis.url,
    ARXIV_API_URL: `${server.url}/api/query`,
    ARXIV_API_PAGE_SIZE: "10",
    ARXIV_API_MIN_INTERVAL_MS: "50",
  });
  const run = await createCrawlRun({ trigger: "cli", source: "api", categories: ["cs.LG"], dateFrom: "2024-04-02", dateTo: "2024-04-02" });

  proxy.cut();
  // Attempts at 0 s, +1.5 s and +4.5 s: the first two meet the outage, the third a working database.
  await enqueueCrawl(queue, run.id, { retryDelayMs: 1_500 });
  await worker.waitFor(/"job failed"/, 20_000);
  await new Promise((r) => setTimeout(r, 2_500));
  proxy.restore();

  const done = await waitForRun(run.id, 60_000);
  expect(done.status, String(done.error)).toBe("succeeded");
  const rows = await storedRows(entries.map((e) => e.id));
  expect(rows.papers).toHaveLength(10);
  expect(rows.versions).toHaveLength(10);
  expect(done.counts).toMatchObject({ fetched: 10, stored: 10 });
  expect(worker.output().match(/"job failed"/g)!.length).toBeGreaterThanOrEqual(1);
  expect(worker.child.exitCode).toBeNull();
});
