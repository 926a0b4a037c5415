// The README's quick start, run the way a new user runs it, and walked in a real Chromium: `npm start`
// in a fresh data directory with none of the variables a user would not set (no NODE_ENV, PUBLIC_URL,
// AUTH_SECRET, DATABASE_URL, REDIS_URL; only the stand-in arXiv and LLM addresses, a port and the data
// directory), then, on the address it prints: sign up (the first account is the administrator) →
// an RSS re-crawl from the admin page, watched to done → the day's listing → keyword filter → search
// → paper page → the FAQ streamed to 8 readers at once (one LLM call per question) → star → Starred
// export → a topic ranks the listing → a paper not stored yet, fetched through the queue →
// `npm run crawl` and `npm run import:kaggle` while the app runs → Ctrl+C (no process left) →
// `npm start` again: still signed in, everything kept.
//
// The same journey runs in the two other supported set-ups, each with only what the README tells a
// user to set there: DATABASE_URL (queues in PostgreSQL), and DATABASE_URL + REDIS_URL with
// `npm run db:deploy`, then `npm run web` and `npm run worker` as separate processes.
//
// Each set-up is one test; its steps are labelled, and a failure names the step. A step that later
// steps need (start, sign-up, the re-crawl that brings the listing, Ctrl+C, the second start) ends
// the journey when it fails; the others are recorded and the journey goes on, so one run shows every
// broken step. Stand-ins are real servers on 127.0.0.1: arXiv (tests/fixtures/arxiv, real feeds)
// and an OpenAI-compatible LLM (tests/helpers/fake-llm.ts). Nothing of the app is mocked.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, onTestFailed, test } from "vitest";
import { parseAtom } from "../../lib/arxiv/parse-atom";
import { parseRss } from "../../lib/arxiv/parse-rss";
import type { ParsedEntry } from "../../lib/arxiv/types";
import { buildIsStale } from "../../lib/build";
import { DEFAULT_QUESTIONS } from "../../lib/faq/questions";
import { redactUrl } from "../../lib/queue";
import {
  freePort,
  killGroup,
  ROOT,
  runNpm,
  startApp,
  stopLikeCtrlC,
  userEnv,
  type AppProcess,
} from "../helpers/app-process";
import { hasChromium, launchBrowser, pressUntil } from "../helpers/browser";
import { startFakeLlm, type FakeLlm } from "../helpers/fake-llm";
import { fixture, FIXTURES } from "../helpers/fixtures";
import { createFreshDatabase, type FreshDatabase } from "../helpers/fresh-database";
import { startHttpServer, type RecordedRequest, type ScriptedReply, type TestHttpServer } from "../helpers/http-server";
import { waitForRankedCards, type RankedCard } from "../helpers/topic-models";
import { waitFor } from "../helpers/wait";

const ARTIFACTS = path.join(ROOT, "test-artifacts");
const redisUrl = inject("redisUrl");
const adminDatabaseUrl = inject("adminDatabaseUrl");
/** Redis databases this file may take one of (the app's queues carry no key prefix, so each run of
 *  this file needs a database of its own); 11 and 12 are the FAQ tests'. */
const REDIS_DBS = [13, 14, 15];
const CLAIM_KEY = "paper-triage-tests:journey-claim";

// ── What the stand-in arXiv serves, and what the journey expects from it (read from the real feeds,
//    never written down by hand) ──
/** The followed categories when ARXIV_CATEGORIES is unset (README's configuration table). */
const DEFAULT_FOLLOWED = ["cs.AI", "cs.CL", "cs.LG", "cs.CV"];
const CS_FEED = "rss-legacy/cs_rdf_2018-08-30.rdf";
const STAT_FEED = "rss/stat_2024-03-26.xml";
const QUANT_FEED = "rss/quant-ph_2025-04-28.xml";
const API_BY_ID = "api/arxivpy2026_id_list_2104.12255v1.atom";
const KAGGLE_FILE = path.join(FIXTURES, "kaggle/wanng-ide_snapshot_first200.jsonl");

const cs = parseRss(fixture(CS_FEED));
const stat = parseRss(fixture(STAT_FEED));
const quant = parseRss(fixture(QUANT_FEED));
const notStored = parseAtom(fixture(API_BY_ID)).entries[0]!;
const kaggle = fixture("kaggle/wanng-ide_snapshot_first200.jsonl")
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { id: string; title: string; abstract: string; authors: string });
const kagglePaper = { id: kaggle[0]!.id, title: kaggle[0]!.title.replace(/\s+/g, " ").trim() };
/** The day the first start stores: the followed categories' papers in arXiv's cs feed of that day. */
const followedOnDay = cs.entries.filter((e) => e.categories.some((c) => DEFAULT_FOLLOWED.includes(c)));

/**
 * Papers of the stat day with a plain title (no TeX, so the page shows it as written) holding a word
 * that no other paper of any feed here contains, even cut to its first 5 letters (so neither the
 * keyword filter's substring match nor the search's and topics' stemming can match anything else).
 */
function distinctPapers(): { entry: ParsedEntry; word: string }[] {
  const texts = [...cs.entries, ...stat.entries, ...quant.entries, notStored]
    .map((e) => `${e.title} ${e.abstract} ${e.authors.join(" ")}`.toLowerCase())
    .concat(kaggle.map((k) => `${k.title} ${k.abstract} ${k.authors}`.toLowerCase()));
  const found: { entry: ParsedEntry; word: string }[] = [];
  for (const entry of stat.entries) {
    if (!/^[A-Za-z0-9 ,:;()'-]+$/.test(entry.title)) continue;
    const word = entry.title.split(/[^A-Za-z]+/).find((w) => w.length >= 8 && texts.filter((t) => t.includes(w.toLowerCase().slice(0, 5))).length === 1);
    if (word) found.push({ entry, word });
  }
  return found;
}
const distinct = distinctPapers();
/** The paper the reader searches for, reads the FAQ of and stars. */
const reading = distinct[0]!;
/** The paper a topic is about: the last such paper in arXiv's order, so ranking has to move it up. */
const onTopic = distinct.at(-1)!;

/** arXiv's API, for single papers: the one paper this stand-in knows; anything else, arXiv's 400 answer. */
function answerApi(request: RecordedRequest): ScriptedReply {
  const ids = (request.query.get("id_list") ?? "").split(",").map((id) => id.replace(/v\d+$/, ""));
  if (ids.includes(notStored.id)) return { status: 200, headers: { "content-type": "application/atom+xml" }, body: fixture(API_BY_ID) };
  return { status: 400, headers: { "content-type": "application/atom+xml" }, body: fixture("api/arxivpy2026_ERROR_http400_id_list_abc.atom") };
}

async function startArxiv(): Promise<TestHttpServer> {
  return startHttpServer({
    // The followed categories' feed on first start. arXiv's cs feed of 2018-08-30 holds them (and
    // other cs categories, which the app files under no followed category).
    [`/rss/${DEFAULT_FOLLOWED.join("+")}`]: [{ status: 200, body: fixture(CS_FEED) }],
    "/rss/stat": [{ status: 200, body: fixture(STAT_FEED) }],
    "/rss/quant-ph": [{ status: 200, body: fixture(QUANT_FEED) }],
    "/api/query": [answerApi],
  });
}

/** Long enough to watch it grow: ~26 chunks of 4 characters, 60 ms apart, per answer (~10 s for six). */
const ANSWER = "The stand-in model **answers** this question from the title and abstract, a few words at a time. Done.";
/** How the page shows it: Markdown rendered. */
const ANSWER_SHOWN = ANSWER.replaceAll("**", "");

/** The FAQ panel's answers as shown, once it is complete (its button gone: answered). */
async function completeAnswers(panel: Locator): Promise<string[]> {
  if ((await panel.getByRole("button", { name: /FAQ|Writing/ }).count()) > 0) return [];
  return (await panel.locator(".faq-answer").allTextContents()).map((t) => t.trim());
}

// ── The journey: labelled steps, a summary naming the failed ones ──

interface StepResult {
  name: string;
  outcome: "passed" | "failed" | "not run";
  seconds: number;
  detail?: string;
}

class Journey {
  readonly results: StepResult[] = [];
  /** The step running now (problems seen by the pages are filed under it). */
  current = "";
  /** From Ctrl+C until the app is up again: what the open pages meet then (a prefetch answered 502
   *  by the front as its Next.js processes stop, say) is not a fault of the running app. */
  appDown = false;
  constructor(readonly setup: string) {}

  passed(name: string): boolean {
    return this.results.some((r) => r.name === name && r.outcome === "passed");
  }

  /**
   * Runs one step. `hard`: later steps need it, so its failure ends the journey. `needs`: steps whose
   * result this one checks; when one of them failed, this one is listed as not run.
   */
  async step(name: string, run: () => Promise<void>, options: { hard?: boolean; needs?: string[] } = {}): Promise<void> {
    const missing = (options.needs ?? []).filter((n) => !this.passed(n));
    if (missing.length) {
      this.results.push({ name, outcome: "not run", seconds: 0, detail: `needs "${missing.join('", "')}"` });
      return;
    }
    const started = performance.now();
    this.current = name;
    try {
      await run();
      const seconds = (performance.now() - started) / 1000;
      this.results.push({ name, outcome: "passed", seconds });
      console.log(`[journey: ${this.setup}] ✓ ${name} (${seconds.toFixed(1)} s)`);
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      let detail = error instanceof Error ? error.message : String(error);
      // An assertion's message shortens its values ("[ …(6) ]"): show them.
      const values = error as { actual?: unknown; expected?: unknown };
      if (values.actual !== undefined && values.expected !== undefined) {
        const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v) ?? String(v)).slice(0, 1500);
        detail += `\n      actual:   ${show(values.actual)}\n      expected: ${show(values.expected)}`;
      }
      this.results.push({ name, outcome: "failed", seconds, detail });
      console.log(`[journey: ${this.setup}] ✗ ${name} (${seconds.toFixed(1)} s): ${detail.slice(0, 2000)}`);
      if (options.hard) throw new Error(this.summary(`stopped at "${name}": the steps after it need it`));
    }
  }

  summary(ending: string): string {
    const failed = this.results.filter((r) => r.outcome === "failed");
    const lines = [`journey "${this.setup}" failed (${ending}):`];
    for (const r of failed) lines.push(`  ✗ ${r.name}: ${(r.detail ?? "").slice(0, 3000)}`);
    lines.push("steps:");
    for (const r of this.results) {
      const mark = r.outcome === "passed" ? "✓" : r.outcome === "failed" ? "✗" : "–";
      lines.push(`  ${mark} ${r.name}${r.outcome === "not run" ? ` (not run: ${r.detail})` : ` (${r.seconds.toFixed(1)} s)`}`);
    }
    return lines.join("\n");
  }

  /** Fails the test when any step failed. */
  finish(): void {
    if (this.results.some((r) => r.outcome !== "passed")) throw new Error(this.summary("see the failed steps"));
  }
}

/** The app as one set-up runs it: its processes, and the address a reader opens. */
interface RunningApp {
  address: string;
  processes: { name: string; app: AppProcess }[];
  output(): string;
}

interface SetUp {
  name: string;
  /** How the user starts it, and where the address comes from, for the steps' names. */
  starts: string;
  address: string;
  /** The variables a user sets in this set-up (beyond the stand-ins' addresses, port and data directory). */
  settings(): Record<string, string>;
  /** What a user runs once before the first start (README). */
  prepare(env: NodeJS.ProcessEnv): Promise<void>;
  start(env: NodeJS.ProcessEnv, port: number): Promise<RunningApp>;
  /** The lines the start prints about the database and queue (npm start only). */
  printed?: (output: string) => void;
}

const PRINTED_ADDRESS = /^\[start\]\s+web\s+(https?:\/\/\S+)\s*$/m;

/** `npm start`, waiting for its ready line; the address is the one it prints. */
async function npmStart(env: NodeJS.ProcessEnv): Promise<RunningApp> {
  const app = startApp(env, ["start"]);
  try {
    // The first start may build the web app (a minute or two on 2 cores).
    await app.waitFor(/ready in [\d.]+ s/, 300_000);
    await app.waitFor(/Press Ctrl\+C to stop\./, 10_000);
  } catch (error) {
    killGroup(app);
    throw error;
  }
  const address = PRINTED_ADDRESS.exec(app.output())?.[1];
  if (!address) {
    killGroup(app);
    throw new Error(`npm start printed no "web  http://…" line:\n${app.output().slice(-4000)}`);
  }
  return { address, processes: [{ name: "npm start", app }], output: () => app.output() };
}

/** Waits until `url` answers HTTP 200, while `apps` keep running. */
async function waitForHealth(url: string, apps: AppProcess[], timeoutMs: number): Promise<void> {
  await waitFor(
    `${url}/api/health to answer`,
    async () => {
      for (const app of apps) if (app.child.exitCode !== null) throw new Error(`a process exited (${app.child.exitCode}):\n${app.output().slice(-4000)}`);
      try {
        return (await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5_000) })).status;
      } catch (error) {
        return String((error as Error).cause ?? error);
      }
    },
    (status) => status === 200,
    { timeoutMs, intervalMs: 250 },
  );
}

const setUps: { setUp: SetUp; available: boolean; why: string }[] = [];

setUps.push({
  available: true,
  why: "",
  setUp: {
    name: "embedded defaults: npm start with nothing configured",
    starts: "npm start",
    address: "the address npm start prints",
    settings: () => ({}),
    prepare: async () => undefined,
    start: (env) => npmStart(env),
    printed: (output) => {
      expect(output).toContain("embedded PostgreSQL (PGlite)");
      expect(output).toContain("BullMQ on PostgreSQL (the embedded database)");
    },
  },
});

let postgresDatabase: FreshDatabase | undefined;
setUps.push({
  available: Boolean(adminDatabaseUrl),
  why: "needs a PostgreSQL server (DATABASE_URL or TEST_DATABASE_URL)",
  setUp: {
    name: "PostgreSQL: npm start with DATABASE_URL only (queues in PostgreSQL)",
    starts: "npm start",
    address: "the address npm start prints",
    settings: () => ({ DATABASE_URL: postgresDatabase!.url }),
    prepare: async () => undefined,
    start: (env) => npmStart(env),
    printed: (output) => {
      expect(output).toContain(`PostgreSQL at ${redactUrl(postgresDatabase!.url)}`);
      expect(output).toContain("BullMQ on PostgreSQL (the same database)");
    },
  },
});

let composeDatabase: FreshDatabase | undefined;
let composeRedisUrl: string | undefined;
setUps.push({
  available: Boolean(adminDatabaseUrl && redisUrl),
  why: "needs a PostgreSQL server and Redis (DATABASE_URL and REDIS_URL)",
  setUp: {
    name: "PostgreSQL + Redis: npm run web and npm run worker as separate processes",
    starts: "npm run db:deploy, then npm run web + npm run worker",
    address: "the address npm run web prints",
    settings: () => ({ DATABASE_URL: composeDatabase!.url, REDIS_URL: composeRedisUrl! }),
    async prepare(env) {
      // README, Development: `npm run db:deploy` applies the migrations (npm start does it itself);
      // `npm run web` needs `npm run build` first.
      const deploy = await runNpm(["run", "db:deploy"], env, 120_000);
      if (deploy.code !== 0) throw new Error(`npm run db:deploy exited ${deploy.code}:\n${deploy.output.slice(-4000)}`);
      expect(deploy.output).toMatch(/\d+ migration\(s\) applied/);
      // The test setup has built the web app already; build again only when sources changed since,
      // as a rebuild would pull the build from under other test files' servers.
      if (buildIsStale()) {
        const build = await runNpm(["run", "build"], env, 400_000);
        if (build.code !== 0) throw new Error(`npm run build exited ${build.code}:\n${build.output.slice(-4000)}`);
      }
    },
    async start(env, port) {
      const web = startApp(env, ["run", "web"]);
      const worker = startApp(env, ["run", "worker"]);
      const processes = [
        { name: "npm run web", app: web },
        { name: "npm run worker", app: worker },
      ];
      try {
        // `npm run web` prints its address once it answers: "[web] http://127.0.0.1:<PORT> (…)".
        await web.waitFor(/^\[web\] http:\/\/\S+/m, 120_000);
        const address = /^\[web\] (http:\/\/\S+)/m.exec(web.output())![1]!;
        expect(address).toBe(`http://127.0.0.1:${port}`);
        await waitForHealth(address, [web, worker], 120_000);
        await worker.waitFor(/workers started/, 60_000);
        return { address, processes, output: () => `── npm run web ──\n${web.output()}\n── npm run worker ──\n${worker.output()}` };
      } catch (error) {
        killGroup(web);
        killGroup(worker);
        throw error;
      }
    },
  },
});

// ── Shared by the set-ups ──

let browser: Browser | undefined;
let redis: Redis | undefined;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  if (hasChromium) browser = await launchBrowser();
  if (adminDatabaseUrl) {
    // Empty, not migrated: the app's first start (or `npm run db:deploy`) migrates it, as for a user.
    postgresDatabase = await createFreshDatabase("papers_journey_pg", { migrate: false });
    if (redisUrl) composeDatabase = await createFreshDatabase("papers_journey_compose", { migrate: false });
  }
  if (redisUrl) {
    // A database no other run of this file holds: claimed with a key that expires, emptied of what
    // an interrupted run may have left, in one transaction.
    for (const db of REDIS_DBS) {
      const url = new URL(redisUrl);
      url.pathname = `/${db}`;
      const client = new Redis(url.toString(), { maxRetriesPerRequest: 3 });
      if ((await client.set(CLAIM_KEY, String(process.pid), "EX", 1800, "NX")) === "OK") {
        await client.multi().flushdb().set(CLAIM_KEY, String(process.pid), "EX", 1800).exec();
        redis = client;
        composeRedisUrl = url.toString();
        break;
      }
      client.disconnect();
    }
    if (!composeRedisUrl) throw new Error(`Redis databases ${REDIS_DBS.join(", ")} are all held by other runs of this file (key ${CLAIM_KEY})`);
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await postgresDatabase?.drop();
  await composeDatabase?.drop();
  if (redis) {
    await redis.flushdb();
    redis.disconnect();
  }
});

/** Page errors and 5xx answers seen by the journey's pages, with the step that was running. */
function watchContext(context: BrowserContext, journey: Journey, problems: string[]): void {
  const watch = (page: Page) => {
    page.on("pageerror", (e) => {
      if (!journey.appDown) problems.push(`[${journey.current}] pageerror on ${page.url()}: ${e.message}`);
    });
    page.on("response", (r) => {
      if (r.status() < 500 || journey.appDown) return;
      const step = journey.current;
      const seen = `[${step}] HTTP ${r.status()} for ${r.request().method()} ${r.url()}`;
      problems.push(seen);
      // The answer's first words say why (the web front's 502 names the upstream error).
      void r
        .text()
        .then((body) => problems.splice(problems.indexOf(seen), 1, `${seen}: ${body.replace(/\s+/g, " ").slice(0, 300)}`))
        .catch(() => undefined);
    });
  };
  context.on("page", watch);
}

const cardIds = (page: Page) => page.locator("article.paper-card").evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.paperId));

/**
 * The cards of a listing ranked by a topic once its learned model scores them: waits while the page
 * says the model is being updated (it reloads itself when the worker is done) until `paperId`'s
 * explanation shows what the model learned.
 */
function rankedByModel(page: Page, paperId: string): Promise<RankedCard[]> {
  return waitForRankedCards(
    page,
    "the listing ranked by the topic's trained model",
    (cards) => Boolean(cards.find((c) => c.id === paperId)?.why.startsWith("Learned:")),
    { timeoutMs: 120_000, intervalMs: 500 },
  );
}

/** Reloads `url` until the current tab reads `text` (listing rows are cached up to LISTING_CACHE_SECONDS, 30 s). */
async function waitForTab(page: Page, url: string, text: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${url} to show the tab "${text}"`,
    async () => {
      await page.goto(url);
      const tab = page.locator(".tab[aria-current=page]");
      if ((await tab.count()) === 0) return `no listing tab; the page says: ${((await page.locator("main").textContent()) ?? "").slice(0, 500)}`;
      return (await tab.textContent()) ?? "";
    },
    (seen) => seen === text,
    { timeoutMs, intervalMs: 2_000 },
  );
}

/** The text of an element, or a note that it is not there (for failure messages). */
async function textOf(page: Page, selector: string): Promise<string> {
  const locator = page.locator(selector);
  return (await locator.count()) ? ((await locator.first().textContent()) ?? "").trim().slice(0, 1000) : `(no ${selector} on ${page.url()})`;
}

for (const { setUp, available, why } of setUps) {
  describe(setUp.name, () => {
    test.skipIf(!hasChromium || !available)(
      `the quick start journey${available ? "" : ` (${why})`}`,
      { timeout: 1_200_000 },
      async () => {
        const journey = new Journey(setUp.name);
        const tag = randomBytes(3).toString("hex");
        const email = `reader-${tag}@example.org`;
        const password = "a long enough password";
        const topicName = `Tutorials ${tag}`;
        const dataDir = await mkdtemp(path.join(tmpdir(), "papers-journey-"));
        const arxiv = await startArxiv();
        const llm: FakeLlm = await startFakeLlm({ default: { text: ANSWER, chunkSize: 4, chunkDelayMs: 60 } });
        const port = await freePort();
        // What the user sets: a fresh data directory, a port, where arXiv and the LLM are (README's
        // configuration table), and the set-up's own variables. Nothing else.
        const env = userEnv({
          DATA_DIR: dataDir,
          PORT: String(port),
          ARXIV_RSS_URL: `${arxiv.url}/rss`,
          ARXIV_API_URL: `${arxiv.url}/api/query`,
          ARXIV_PDF_URL: `${arxiv.url}/pdf`,
          OPENAI_BASE_URL: llm.url,
          OPENAI_API_KEY: "sk-stand-in",
          ...setUp.settings(),
        });
        let running: RunningApp | undefined;
        /** The output of the runs before the current one. */
        const earlierOutput: string[] = [];
        const problems: string[] = [];
        const context = await browser!.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
        watchContext(context, journey, problems);
        const page = await context.newPage();
        onTestFailed(() => {
          const all = [...earlierOutput, running?.output() ?? ""].join("\n── started again ──\n");
          console.log(`[journey: ${setUp.name}] app output (last 12000 characters):\n${all.slice(-12_000)}`);
        });
        let address = "";
        let topicId = "";
        const faqCallsBeforeRestart = { count: 0 };

        try {
          // ── 1. start ──
          await journey.step(
            `${setUp.starts} in a fresh data directory`,
            async () => {
              await setUp.prepare(env);
              running = await setUp.start(env, port);
              address = running.address;
              setUp.printed?.(running.output());
              expect(address).toBe(`http://127.0.0.1:${port}`);
            },
            { hard: true },
          );

          // ── 2. sign up on the printed address: the first account becomes the administrator ──
          await journey.step(
            `sign up on ${setUp.address} (first account = admin)`,
            async () => {
              await page.goto(`${address}/sign-up`);
              try {
                await page.getByText("The first account becomes the administrator").waitFor({ timeout: 10_000 });
              } catch {
                throw new Error(`the sign-up page on ${address} offers no first account; it says: "${await textOf(page, "main")}"`);
              }
              await page.getByLabel("E-mail address").fill(email);
              await page.getByLabel("Password").fill(password);
              await page.getByRole("button", { name: "Create account" }).click();
              try {
                await page.waitForURL(`${address}/`, { timeout: 20_000 });
              } catch {
                throw new Error(`sign-up did not complete on ${address}: the form says "${await textOf(page, "form [role=alert]")}"`);
              }
              const menu = page.locator(".user-menu");
              await expect(menu.textContent()).resolves.toContain(email);
              await expect(menu.getByRole("link", { name: "Admin" }).count()).resolves.toBe(1);
            },
            { hard: true },
          );

          // ── 3. the administrator re-crawls a category from RSS, dates left empty, and watches it ──
          await journey.step(
            "admin re-crawl (RSS, stat, no dates) watched to done",
            async () => {
              await page.locator(".user-menu").getByRole("link", { name: "Admin" }).click();
              await page.waitForURL(`${address}/admin`);
              await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Re-crawl" }).click();
              await page.waitForURL(`${address}/admin/crawl`);
              await page.getByLabel("Other categories").fill("stat");
              await page.getByLabel("RSS (the latest announcement)").check();
              // RSS holds the latest announcement only: a user leaves the dates empty.
              for (const name of ["From", "To"]) {
                const field = page.getByLabel(name, { exact: true });
                if ((await field.count()) && (await field.isVisible()) && (await field.isEditable())) await field.fill("");
              }
              await page.getByRole("button", { name: "Re-crawl" }).click();
              const form = page.getByRole("form", { name: "Re-crawl" });
              try {
                await form.getByRole("status").filter({ hasText: /Queued 1 crawl job for stat/ }).waitFor({ timeout: 15_000 });
              } catch {
                const from = page.getByLabel("From", { exact: true });
                const invalid = (await from.count()) ? await from.evaluate((el) => (el as HTMLInputElement).validationMessage) : "";
                throw new Error(
                  `the re-crawl was not queued: the form says "${await textOf(page, "form[aria-label='Re-crawl'] [role=alert]")}"` +
                    (invalid ? `; the browser refuses the empty From field: "${invalid}"` : ""),
                );
              }
              const run = page.locator("li.run-progress").filter({ hasText: /^stat · .* · RSS/ }).first();
              const ended = page.locator("li.run-progress:is([data-status='succeeded'], [data-status='failed'], [data-status='no_announcement'])");
              try {
                await ended.filter({ hasText: /^stat · .* · RSS/ }).first().waitFor({ timeout: 60_000 });
              } catch {
                throw new Error(`the re-crawl did not end within 60 s; its line reads: "${((await run.textContent()) ?? "(none)").trim()}"`);
              }
              if ((await run.getAttribute("data-status")) !== "succeeded") {
                throw new Error(`the re-crawl did not succeed; its line reads: "${((await run.textContent()) ?? "").trim()}"`);
              }
              await expect(run.locator(".run-percent").textContent()).resolves.toBe("100 %");
              await expect(run.textContent()).resolves.toContain(`stored ${stat.entries.length}`);
              expect(arxiv.requestsTo("/rss/stat").length).toBeGreaterThan(0);
              await page.screenshot({ path: path.join(ARTIFACTS, `journey-${tag}-recrawl.png`), fullPage: true });
            },
            { hard: true },
          );

          // ── 4. the day's listing: the followed categories' day (first start) and the re-crawled one ──
          const statDay = `${address}/list/stat?date=${stat.announcedOn}`;
          await journey.step(
            "the day's listing",
            async () => {
              // Today: the followed categories' day, crawled at once on the first start.
              await waitForTab(page, `${address}/`, `All ${followedOnDay.length}`);
              expect(followedOnDay.map((e) => e.id)).toEqual(expect.arrayContaining(await cardIds(page)));
              await waitForTab(page, statDay, `All ${stat.entries.length}`);
              await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toMatch(/^stat/);
              const shown = await cardIds(page);
              expect(shown.length).toBeGreaterThan(0);
              expect(shown).toEqual(stat.entries.slice(0, shown.length).map((e) => e.id));
            },
            { hard: true },
          );

          await journey.step("a malformed date is a 400, not a 500", async () => {
            const response = await fetch(`${address}/list/stat?date=2026-02-30`);
            expect(response.status, `GET /list/stat?date=2026-02-30 answered ${response.status}`).toBe(400);
            expect((await response.text()).replaceAll("<!-- -->", "")).toContain("2026-02-30");
          });

          // ── 5. keyword filter ──
          await journey.step("keyword filter", async () => {
            await page.goto(statDay);
            await page.locator("body").click();
            await pressUntil(page, "/", () => page.getByLabel("Keywords").isVisible());
            await page.getByLabel("Keywords").fill(reading.word);
            const expected = `1 of ${stat.entries.length} papers match`;
            try {
              await page.locator(".filter-result", { hasText: expected }).waitFor({ timeout: 15_000 });
            } catch {
              throw new Error(`the filter's count reads "${await textOf(page, ".filter-result")}", not "${expected}"`);
            }
            await expect(page.locator("article.paper-card:visible").evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.paperId))).resolves.toEqual([reading.entry.id]);
            await expect(page.locator("mark.kw").first().textContent()).resolves.toBe(reading.word);
            expect(page.url()).toContain(`kw=${reading.word}`);
          });

          // ── 6. search, then the paper page ──
          await journey.step("search, then the paper page", async () => {
            await page.goto(`${address}/search`);
            await page.getByLabel("Search", { exact: true }).fill(reading.word);
            await page.getByRole("button", { name: "Search" }).click();
            await page.waitForURL(/\/search\?q=/);
            const first = page.locator("article.paper-card").first();
            await expect(first.getAttribute("data-paper-id")).resolves.toBe(reading.entry.id);
            await first.locator(".paper-title a").click();
            await page.waitForURL(`${address}/papers/${reading.entry.id}`);
            await expect(page.locator(".paper-title").first().textContent()).resolves.toBe(reading.entry.title);
          });

          // ── 7. the FAQ, streamed to 8 readers at once: one LLM call per question ──
          await journey.step("FAQ streamed to 8 readers at once, one LLM call per question", async () => {
            // Eight readers, each in a browser context of its own (one browser holds at most 6
            // connections to a server, so 8 tabs of one would queue the last streams), all signed
            // in as this reader (only a signed-in reader may start an FAQ).
            const session = await context.storageState();
            const readerContexts = await Promise.all(Array.from({ length: 8 }, () => browser!.newContext({ storageState: session })));
            for (const c of readerContexts) watchContext(c, journey, problems);
            const readers = await Promise.all(readerContexts.map((c) => c.newPage()));
            try {
              const asked: number[] = [];
              for (const reader of readers) {
                reader.on("response", (r) => {
                  if (r.url().endsWith("/api/faq") && r.request().method() === "POST") asked.push(r.status());
                });
              }
              await Promise.all(readers.map((r) => r.goto(`${address}/papers/${reading.entry.id}`)));
              const panels = readers.map((r) => r.getByRole("region", { name: "FAQ" }));
              await Promise.all(panels.map((p) => p.getByRole("button", { name: "FAQ" }).waitFor()));
              // Each page notes the length of the answers' text every time it changes, so that
              // "streamed" is seen in the page itself, however slowly this side looks.
              await Promise.all(
                readers.map((r) =>
                  r.evaluate(() => {
                    const seen: number[] = [];
                    (window as unknown as { answerLengths: number[] }).answerLengths = seen;
                    const panel = document.querySelector("section.faq")!;
                    new MutationObserver(() => {
                      const length = [...panel.querySelectorAll(".faq-answer")].map((a) => a.textContent ?? "").join("").replaceAll("…", "").length;
                      if (length !== seen.at(-1)) seen.push(length);
                    }).observe(panel, { subtree: true, childList: true, characterData: true });
                  }),
                ),
              );
              await Promise.all(panels.map((p) => p.getByRole("button", { name: "FAQ" }).click()));
              for (const panel of panels) {
                await expect.poll(() => completeAnswers(panel), { timeout: 90_000 }).toEqual(DEFAULT_QUESTIONS.map(() => ANSWER_SHOWN));
                await expect(panel.locator(".faq-answer strong").count()).resolves.toBe(DEFAULT_QUESTIONS.length);
                await expect(panel.locator("dt").allTextContents()).resolves.toEqual([...DEFAULT_QUESTIONS]);
              }
              // Streamed: readers saw the answers grow, not arrive whole at the end.
              const lengths = await Promise.all(readers.map((r) => r.evaluate(() => (window as unknown as { answerLengths: number[] }).answerLengths)));
              const steps = lengths.map((seen) => seen.filter((n) => n > 0 && n < Math.max(...seen)).length);
              console.log(`[journey: ${setUp.name}] FAQ readers saw the answers grow in ${steps.join(", ")} steps`);
              expect(Math.min(...steps), `steps in which each reader saw the answers grow: ${steps.join(", ")}`).toBeGreaterThanOrEqual(2);
              expect(asked).toEqual(Array.from({ length: 8 }, () => 200));
              const calls = llm.completionCalls();
              expect(calls, "LLM calls for 8 readers of one FAQ").toHaveLength(DEFAULT_QUESTIONS.length);
              for (const question of DEFAULT_QUESTIONS) {
                expect(calls.filter((c) => c.messages.some((m) => m.content.includes(question))), `calls asking "${question}"`).toHaveLength(1);
              }
              expect(calls.every((c) => c.messages.some((m) => m.content.includes(reading.entry.title)))).toBe(true);
              faqCallsBeforeRestart.count = calls.length;
              await readers[0]!.screenshot({ path: path.join(ARTIFACTS, `journey-${tag}-faq.png`), fullPage: true });
            } finally {
              await Promise.all(readerContexts.map((c) => c.close()));
            }
          });

          // ── 8. star ──
          await journey.step("star the paper", async () => {
            await page.goto(`${address}/papers/${reading.entry.id}`);
            await page.getByRole("button", { name: `Star ${reading.entry.title}`, exact: true }).click();
            const starred = page.getByRole("button", { name: `Unstar ${reading.entry.title}`, exact: true });
            await expect(starred.getAttribute("aria-pressed")).resolves.toBe("true");
            await page.waitForFunction(() => !document.querySelector(".star-button[data-pending]"));
            await page.reload();
            await expect(page.getByRole("button", { name: `Unstar ${reading.entry.title}`, exact: true }).getAttribute("aria-pressed")).resolves.toBe("true");
          });

          // ── 9. the Starred page exports BibTeX and CSV ──
          await journey.step(
            "Starred page exports BibTeX and CSV",
            async () => {
              await page.locator(".user-menu").getByRole("link", { name: "Starred" }).click();
              await page.waitForURL(`${address}/starred`);
              await expect(page.locator("article[data-paper-id]").evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.paperId))).resolves.toEqual([reading.entry.id]);
              for (const [link, file, inside] of [
                ["BibTeX", "starred-papers.bib", `eprint = {${reading.entry.id}}`],
                ["CSV", "starred-papers.csv", `${reading.entry.id},`],
              ] as const) {
                const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: link, exact: true }).click()]);
                expect(download.suggestedFilename()).toBe(file);
                const text = await readFile((await download.path())!, "utf8");
                expect(text, `${file}`).toContain(inside);
                expect(text, `${file}`).toContain(reading.entry.title);
              }
            },
            { needs: ["star the paper"] },
          );

          // ── 10. a topic ranks the listing ──
          await journey.step("a topic ranks the listing", async () => {
            await page.getByRole("link", { name: "Topics", exact: true }).first().click();
            await page.waitForURL(`${address}/topics`);
            await page.getByLabel("Name").fill(topicName);
            await page.getByLabel(/^Description/).fill("Introductions to a method, written to teach it.");
            await page.getByLabel(/^Keywords/).fill(onTopic.word.toLowerCase());
            await page.getByRole("button", { name: "Create topic" }).click();
            await page.waitForURL(/\/topics\?created=/);
            const item = page.locator(".topic-item").filter({ hasText: topicName });
            topicId = (await item.getAttribute("data-topic-id")) ?? "";
            expect(topicId).not.toBe("");

            await page.goto(statDay);
            const arxivOrder = await cardIds(page);
            expect(arxivOrder[0]).not.toBe(onTopic.entry.id);
            await page.getByLabel("Rank by").selectOption(topicId);
            await page.waitForURL(new RegExp(`topic=${topicId}`));
            await page.locator(".relevance").first().waitFor();
            // The worker trains the topic's model; until then the listing says so ("Updating …'s
            // model…") and ranks by the keyword alone, then re-ranks itself (a reload of its own).
            const ranked = await rankedByModel(page, onTopic.entry.id);
            expect(ranked[0]?.id, "the first paper once ranked by the topic").toBe(onTopic.entry.id);
            const scores = ranked.map((c) => c.score);
            expect(scores).toEqual([...scores].sort((a, b) => b - a));
            // Papers above every paper of the score's scale all score 1 (a small library: several may);
            // among them the model's margin orders, which put the on-topic paper first above.
            expect(scores[0]).toBeGreaterThan(scores.at(-1)!);
            // Explained by what the model learned from the topic's text (the word, in its keywords too).
            const word = onTopic.word.toLowerCase();
            expect(ranked[0]!.why).toMatch(new RegExp(`^Learned: (?:[^·]*, )?${word}(?:, [^·]*)? · (?:.* · )?Keywords: ${word}$`, "i"));
            await page.screenshot({ path: path.join(ARTIFACTS, `journey-${tag}-topic.png`), fullPage: true });
          });

          // ── 11. a paper not stored yet is fetched through the queue, and the page fills in ──
          await journey.step("a paper not stored yet is fetched through the crawl queue", async () => {
            await page.goto(`${address}/papers/${notStored.id}`);
            await expect(page.getByRole("status").filter({ hasText: "Fetching this paper from arXiv" }).count()).resolves.toBe(1);
            try {
              await page.locator(".paper-title").first().waitFor({ timeout: 60_000 });
            } catch {
              throw new Error(`the page did not fill in within 60 s; it says: "${await textOf(page, "main")}"`);
            }
            await expect(page.locator(".paper-title").first().textContent()).resolves.toBe(notStored.title);
            const asked = arxiv.requestsTo("/api/query").filter((r) => (r.query.get("id_list") ?? "").includes(notStored.id));
            expect(asked.length).toBeGreaterThan(0);
            expect(asked[0]!.headers["user-agent"]).toMatch(/paper-triage/);
          });

          // ── 12. the command-line tools while the app runs ──
          await journey.step("npm run crawl -- --category quant-ph while the app runs", async () => {
            const crawl = await runNpm(["run", "crawl", "--", "--category", "quant-ph"], env, 180_000);
            const count = (type: string) => quant.entries.filter((e) => e.announceType === type).length;
            expect(crawl.output, `npm run crawl exited ${crawl.code}`).toMatch(
              new RegExp(`done in [\\d.]+ s: ${count("new")} new, ${count("cross")} cross-lists, ${count("replace")} replacements, ${count("replace-cross")} replaced cross-lists`),
            );
            expect(crawl.code, crawl.output.slice(-3000)).toBe(0);
            await waitForTab(page, `${address}/list/quant-ph`, `All ${quant.entries.length}`);
          });

          await journey.step("npm run import:kaggle while the app runs", async () => {
            const imported = await runNpm(["run", "import:kaggle", "--", KAGGLE_FILE], env, 180_000);
            expect(imported.code, imported.output.slice(-3000)).toBe(0);
            expect(imported.output).toContain(`done: ${kaggle.length} lines; imported ${kaggle.length} new papers`);
            await page.goto(`${address}/papers/${kagglePaper.id}`);
            await expect(page.locator(".paper-title").first().textContent()).resolves.toBe(kagglePaper.title);
          });

          // ── 13. Ctrl+C: everything stops, nothing is left ──
          await journey.step(
            "Ctrl+C stops everything, no process left",
            async () => {
              const stopping = running!;
              journey.appDown = true;
              for (const { name, app } of stopping.processes) {
                const { exit, leftover } = await stopLikeCtrlC(app).catch((error: Error) => {
                  throw new Error(`${name}: ${error.message}`);
                });
                // npm itself dies of the SIGINT, as in a terminal; what it ran exits 0.
                expect(exit.code === 0 || exit.signal === "SIGINT", `${name} exit ${JSON.stringify(exit)}`).toBe(true);
                expect(leftover, `${name}: processes left in its group`).toEqual([]);
              }
              if (stopping.processes[0]!.name === "npm start") expect(stopping.output()).toContain("[start] stopped");
              earlierOutput.push(stopping.output());
              running = undefined;
            },
            { hard: true },
          );

          // ── 14. start again: still signed in, everything kept ──
          await journey.step(
            `${setUp.starts.replace(/^npm run db:deploy, then /, "")} again with the same settings`,
            async () => {
              running = await setUp.start(env, port);
              journey.appDown = false;
              expect(running.address).toBe(address);
            },
            { hard: true },
          );

          await journey.step("still signed in after the restart", async () => {
            await page.goto(`${address}/`);
            await expect(page.locator(".user-menu").textContent()).resolves.toContain(email);
            await expect(page.locator(".user-menu").getByRole("link", { name: "Admin" }).count()).resolves.toBe(1);
          });

          await journey.step(
            "the star is kept",
            async () => {
              await page.goto(`${address}/starred`);
              await expect(page.locator("article[data-paper-id]").evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.paperId))).resolves.toEqual([reading.entry.id]);
            },
            { needs: ["star the paper", "still signed in after the restart"] },
          );

          await journey.step(
            "the topic is kept",
            async () => {
              await page.goto(`${address}/topics`);
              await expect(page.locator(`.topic-item[data-topic-id="${topicId}"]`).count()).resolves.toBe(1);
              // Its trained model too (the worker may retrain it on the papers stored since: the
              // listing then ranks by the kept one meanwhile).
              await expect(page.locator(`.topic-item[data-topic-id="${topicId}"]`).textContent()).resolves.toMatch(/model: trained /);
              await page.goto(`${statDay}&topic=${topicId}`);
              await page.locator(".relevance").first().waitFor();
              const ranked = await rankedByModel(page, onTopic.entry.id);
              expect(ranked[0]?.id).toBe(onTopic.entry.id);
              expect(ranked[0]!.why).toMatch(/^Learned: /);
            },
            { needs: ["a topic ranks the listing", "still signed in after the restart"] },
          );

          await journey.step(
            "the FAQ is kept, with no new LLM call",
            async () => {
              await page.goto(`${address}/papers/${reading.entry.id}`);
              const panel = page.getByRole("region", { name: "FAQ" });
              await expect.poll(() => completeAnswers(panel), { timeout: 10_000 }).toEqual(DEFAULT_QUESTIONS.map(() => ANSWER_SHOWN));
              expect(llm.completionCalls()).toHaveLength(faqCallsBeforeRestart.count);
            },
            { needs: ["FAQ streamed to 8 readers at once, one LLM call per question"] },
          );

          await journey.step(
            "the home page is the inbox of a reader with a topic",
            async () => {
              await page.goto(`${address}/`);
              await page.waitForURL(`${address}/inbox`);
              await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Inbox");
              // The followed categories' latest day has papers scoring 90 or more for the topic (its
              // keyword is in their titles): each card is tagged with it.
              const cards = page.locator("article[data-paper-id]");
              expect(await cards.count()).toBeGreaterThan(0);
              const tags = await page.locator(".inbox-item .inbox-row").evaluateAll((rows) =>
                rows.map((r) => [...r.querySelectorAll(".inbox-topic")].map((t) => t.textContent ?? "").join(" | ")),
              );
              expect(tags).toHaveLength(await cards.count());
              for (const text of tags) expect(text).toContain(topicName);
            },
            { needs: ["the topic is kept"] },
          );

          await journey.step("the papers are kept", async () => {
            // "/?all=1": the day's listing, which "/" is for a reader without topics.
            await waitForTab(page, `${address}/?all=1`, `All ${followedOnDay.length}`, 10_000);
            await waitForTab(page, statDay, `All ${stat.entries.length}`, 10_000);
            if (journey.passed("npm run crawl -- --category quant-ph while the app runs")) {
              await waitForTab(page, `${address}/list/quant-ph`, `All ${quant.entries.length}`, 10_000);
            }
            for (const [step, paper] of [
              ["a paper not stored yet is fetched through the crawl queue", notStored],
              ["npm run import:kaggle while the app runs", kagglePaper],
            ] as const) {
              if (!journey.passed(step)) continue;
              await page.goto(`${address}/papers/${paper.id}`);
              await expect(page.locator(".paper-title").first().textContent(), `/papers/${paper.id}`).resolves.toBe(paper.title);
            }
          });

          await journey.step("no page error and no 5xx answer along the way", async () => {
            expect(problems, problems.join("\n")).toEqual([]);
          });

          await journey.step("Ctrl+C again, no process left", async () => {
            const stopping = running!;
            journey.appDown = true;
            for (const { name, app } of stopping.processes) {
              const { leftover } = await stopLikeCtrlC(app);
              expect(leftover, `${name}: processes left in its group`).toEqual([]);
            }
          });

          journey.finish();
        } finally {
          for (const { app } of running?.processes ?? []) killGroup(app);
          await context.close();
          await arxiv.close();
          await llm.close();
          await rm(dataDir, { recursive: true, force: true });
          const timings = journey.results.map((r) => `${r.outcome === "passed" ? "✓" : r.outcome === "failed" ? "✗" : "–"} ${r.name} ${r.seconds.toFixed(1)} s`);
          console.log(`[journey: ${setUp.name}] ${journey.results.reduce((s, r) => s + r.seconds, 0).toFixed(0)} s in steps:\n  ${timings.join("\n  ")}`);
        }
      },
    );
  });
}
