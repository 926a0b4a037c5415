// `npm start` on embedded defaults: serves the home page (also in a real browser), keeps its data
// between runs, stops cleanly on Ctrl+C with no process left, and refuses bad input with one clear line.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite/vector";
import { afterAll, beforeAll, expect, test } from "vitest";
import { hasChromium, launchBrowser } from "../helpers/browser";
import { appEnv, freePort, ROOT, runNpm, startApp, stopLikeCtrlC } from "../helpers/app-process";
import { fixture } from "../helpers/fixtures";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server";
import { waitFor } from "../helpers/wait";

let dataDir: string;
let arxiv: TestHttpServer;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "papers-start-"));
  // arXiv's stand-in: the followed category's feed, and one that always answers 404.
  arxiv = await startHttpServer({
    "/rss/quant-ph": [{ status: 200, body: fixture("rss/quant-ph_2025-04-28.xml") }],
    "/broken/quant-ph": [{ status: 404, body: "Not Found" }],
  });
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await arxiv.close();
});

/** Settings every app started here shares: arXiv is the local stand-in. */
const arxivEnv = (rss = "rss") => ({
  ARXIV_RSS_URL: `${arxiv.url}/${rss}`,
  ARXIV_API_URL: `${arxiv.url}/api/query`,
  ARXIV_CATEGORIES: "quant-ph",
  CRAWL_RETRY_DELAY_MS: "100",
});

function waitForPage(url: string, text: string, timeoutMs: number): Promise<string> {
  return waitFor(`${url} to show "${text}"`, async () => (await fetch(url)).text(), (html) => html.includes(text), { timeoutMs, intervalMs: 250 });
}

test("npm start serves the app on the embedded database, crawls at once, and stops cleanly", { timeout: 240_000 }, async () => {
  const port = await freePort();
  const app = startApp(appEnv({ DATA_DIR: dataDir, PORT: String(port), ...arxivEnv() }));
  try {
    // The first start may build the web app.
    // The last line of the start-up summary (the lines after "ready in" may arrive a moment later).
    await app.waitFor(/Press Ctrl\+C to stop\./, 200_000);
  } catch (error) {
    if (app.child.exitCode === null) process.kill(-app.child.pid!, "SIGKILL");
    throw error;
  }
  const out = app.output();
  expect(out).toContain(`web       http://127.0.0.1:${port}`);
  expect(out).toContain("embedded PostgreSQL (PGlite)");
  expect(out).toContain(path.join(dataDir, "pglite"));
  expect(out).toContain("BullMQ on PostgreSQL");

  try {
  const home = await fetch(`http://127.0.0.1:${port}/`);
  expect(home.status).toBe(200);
  // The first start crawls the followed categories at once: papers within a minute.
  const readyAt = Date.now();
  const html = (await waitForPage(`http://127.0.0.1:${port}/`, "quant-ph — Quantum Physics", 60_000)).replaceAll("<!-- -->", "");
  console.log(`[start test] first papers on the home page ${((Date.now() - readyAt) / 1000).toFixed(1)} s after ready`);
  expect(html).toContain("All 81");
  expect(html.match(/<article class="paper-card"/g)?.length).toBeGreaterThan(0);
  expect(arxiv.requestsTo("/rss/quant-ph")[0]!.headers["user-agent"]).toMatch(/paper-triage/);

  const health = await (await fetch(`http://127.0.0.1:${port}/api/health`)).json();
  expect(health.components.database.status).toBe("ok");
  expect(health.components.queue.status).toBe("ok");
  expect(health.components.arxiv.status).toBe("ok");
  expect(health.components.llm.status).toBe("not_configured");
  expect(health.components.embedding.status).toBe("not_configured");

  // Accounts on the printed address, and on the other loopback name, with nothing configured: the
  // Next.js processes behind the front must trust the front's origin, not their private ports'.
  for (const host of ["127.0.0.1", "localhost"]) {
    const signUp = await fetch(`http://127.0.0.1:${port}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: `http://${host}:${port}` },
      body: JSON.stringify({ email: `reader-${host}@example.org`, password: "correct horse battery", name: "Reader" }),
    });
    expect(signUp.status, `sign-up from http://${host}:${port}: ${await signUp.clone().text()}`).toBe(200);
  }

  // The README's command-line scripts, run while the app is up, go through its embedded database
  // (DATA_DIR/runtime.json): no "DATABASE_URL is not set", no second writer on the data directory.
  const modelDir = path.join(ROOT, "tests/fixtures/models/all-MiniLM-L6-v2");
  for (const args of [["db:deploy"], ["crawl", "--", "--category", "quant-ph"], ["embed", "--", "--all"]]) {
    const script = await runNpm(["run", "--silent", ...args], appEnv({ DATA_DIR: dataDir, ...arxivEnv(), EMBEDDING_MODEL_DIR: modelDir }), 120_000);
    expect(script.output, `npm run ${args.join(" ")}`).toContain("running app's embedded database");
    expect(script.output, `npm run ${args.join(" ")}`).not.toMatch(/DATABASE_URL is not set|^\s+at /m);
    expect(script.code, `npm run ${args.join(" ")}:\n${script.output}`).toBe(0);
  }
  } finally {
  const { exit, leftover } = await stopLikeCtrlC(app);
  // npm itself receives the SIGINT and dies of it, as in a terminal; the launcher exits 0.
  expect(exit.code === 0 || exit.signal === "SIGINT").toBe(true);
  expect(app.output()).toContain("[start] stopped");
  expect(leftover).toEqual([]);
  }
  expect(existsSync(path.join(dataDir, "pglite", "PG_VERSION"))).toBe(true);
});

test("data is kept between runs and the home page lists it, as text", { timeout: 120_000 }, async () => {
  // Write a paper straight into the embedded database the first run left behind.
  const database = await PGlite.create({ dataDir: path.join(dataDir, "pglite"), extensions: { vector } });
  await database.query(
    `INSERT INTO papers (id, latest_version, title, abstract, authors, primary_category, categories, updated_at)
     VALUES ($1, 2, $2, 'An abstract.', $3, 'cs.CL', $4, now())`,
    ["2401.00001", "Attention <script>alert(1)</script> is all you need", ["Ada Lovelace", "Alan Turing"], ["cs.CL", "cs.LG"]],
  );
  await database.close();

  const port = await freePort();
  const app = startApp(appEnv({ DATA_DIR: dataDir, PORT: String(port), ...arxivEnv() }));
  try {
    await app.waitFor(/ready in [\d.]+ s/, 100_000);
    // The crawled day is still there, and so is the paper written straight into the database.
    expect((await (await fetch(`http://127.0.0.1:${port}/`)).text()).replaceAll("<!-- -->", "")).toContain("All 81");
    const html = await (await fetch(`http://127.0.0.1:${port}/papers/2401.00001`)).text();
    expect(html).toContain("Attention &lt;script&gt;alert(1)&lt;/script&gt; is all you need");
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("arXiv:2401.00001v2");

    if (hasChromium) {
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage();
        const dialogs: string[] = [];
        page.on("dialog", (d) => {
          dialogs.push(d.message());
          void d.dismiss();
        });
        await page.goto(`http://127.0.0.1:${port}/papers/2401.00001`);
        await expect(page.locator(".paper-title").first().textContent()).resolves.toBe(
          "Attention <script>alert(1)</script> is all you need",
        );
        expect(dialogs).toEqual([]);
      } finally {
        await browser.close();
      }
    }
  } finally {
    const { exit, leftover } = await stopLikeCtrlC(app);
    expect(exit.code === 0 || exit.signal === "SIGINT").toBe(true);
    expect(app.output()).toContain("[start] stopped");
    expect(leftover).toEqual([]);
  }
});

test("when arXiv cannot be reached, the home page and health say so plainly", { timeout: 120_000 }, async () => {
  const fresh = await mkdtemp(path.join(tmpdir(), "papers-noarxiv-"));
  const port = await freePort();
  const app = startApp(appEnv({ DATA_DIR: fresh, PORT: String(port), ...arxivEnv("broken") }));
  try {
    await app.waitFor(/ready in [\d.]+ s/, 100_000);
    // React separates adjacent text with empty comments; the reader sees one sentence.
    const html = (await waitForPage(`http://127.0.0.1:${port}/`, "failed", 60_000)).replaceAll("<!-- -->", "");
    expect(html).toContain("No papers yet");
    expect(html).toMatch(/The last crawl of quant-ph \(startup, [^)]*\) failed: GET http:\/\/127\.0\.0\.1:\d+\/broken\/quant-ph answered HTTP 404 Not Found\./);
    const health = await (await fetch(`http://127.0.0.1:${port}/api/health`)).json();
    expect(health.components.arxiv.status).toBe("failing");
    expect(health.components.arxiv.detail).toContain("/broken/quant-ph");
    expect(health.status).toBe("degraded");
  } finally {
    const { leftover } = await stopLikeCtrlC(app);
    expect(leftover).toEqual([]);
    await rm(fresh, { recursive: true, force: true });
  }
});

async function failingStart(env: Record<string, string>) {
  const app = startApp(appEnv({ PORT: String(await freePort()), ...env }));
  const exit = await app.exited;
  const errorLines = app.output().split("\n").filter((l) => l.startsWith("[start]"));
  return { exit, output: app.output(), errorLines };
}

test("an invalid variable stops startup naming it", { timeout: 60_000 }, async () => {
  const { exit, output } = await failingStart({ PORT: "eighty", EMBEDDING_DEVICE: "tpu", DATA_DIR: dataDir });
  expect(exit.code).not.toBe(0);
  expect(output).toContain("PORT:");
  expect(output).toContain("EMBEDDING_DEVICE:");
  expect(output).not.toMatch(/^\s+at /m);
});

test("an unreachable database is one line of cause and remedy", { timeout: 60_000 }, async () => {
  const { exit, output } = await failingStart({ DATABASE_URL: "postgresql://nobody:secret@127.0.0.1:1/papers" });
  expect(exit.code).not.toBe(0);
  expect(output).toMatch(/Cannot reach PostgreSQL at postgresql:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/papers: connection refused\. .*DATABASE_URL/);
  expect(output).not.toContain("secret");
  expect(output).not.toMatch(/^\s+at /m);
});

test("an unreachable Redis is one line of cause and remedy", { timeout: 60_000 }, async () => {
  const { exit, output } = await failingStart({ REDIS_URL: "redis://127.0.0.1:1", DATA_DIR: dataDir });
  expect(exit.code).not.toBe(0);
  expect(output).toMatch(/Cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*connection refused\. .*REDIS_URL/);
  expect(output).not.toMatch(/^\s+at /m);
});

test("a data directory that is not a database is named and left untouched", { timeout: 60_000 }, async () => {
  const corrupt = await mkdtemp(path.join(tmpdir(), "papers-corrupt-"));
  await mkdir(path.join(corrupt, "pglite"));
  await writeFile(path.join(corrupt, "pglite", "notes.txt"), "my precious notes");
  const { exit, output } = await failingStart({ DATA_DIR: corrupt });
  expect(exit.code).not.toBe(0);
  expect(output).toContain(`${path.join(corrupt, "pglite")} is not empty and does not hold a PostgreSQL database`);
  expect(await readdir(path.join(corrupt, "pglite"))).toEqual(["notes.txt"]);

  // A database directory whose control file is garbage: reported, never deleted.
  await rm(path.join(corrupt, "pglite", "notes.txt"));
  await mkdir(path.join(corrupt, "pglite", "global"));
  await writeFile(path.join(corrupt, "pglite", "PG_VERSION"), "17\n");
  await writeFile(path.join(corrupt, "pglite", "global", "pg_control"), Buffer.alloc(8192, 7));
  const second = await failingStart({ DATA_DIR: corrupt });
  expect(second.exit.code).not.toBe(0);
  expect(second.output).toContain(`The embedded database in ${path.join(corrupt, "pglite")} could not be opened`);
  expect(second.output).toContain("Nothing was deleted");
  expect((await readdir(path.join(corrupt, "pglite"))).sort()).toEqual(["PG_VERSION", "global"]);
  await rm(corrupt, { recursive: true, force: true });
});
