// `npm run crawl`: crawl arXiv from the command line, or parse a feed file to see what the app reads.
//
//   npm run crawl -- --category cs.CL [--category cs.AI] [--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD]
//                    [--source rss|api] [--inline]
//   npm run crawl -- --id 2104.12255 [--id hep-th/9711200 ...] [--inline]
//   npm run crawl -- --file feed.xml --dry-run [--json]
//
// A crawl is recorded and queued like any other; this command follows its progress until it ends.
// Without a running worker (or with --inline) it processes the job itself.
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { ArxivClient } from "../lib/arxiv/client";
import { parseAtom } from "../lib/arxiv/parse-atom";
import { parseOai } from "../lib/arxiv/parse-oai";
import { parseRss } from "../lib/arxiv/parse-rss";
import { formatArxivId, normalizeArxivId } from "../lib/arxiv/ids";
import { FeedError, type ParsedFeed } from "../lib/arxiv/types";
import { disconnectDb } from "../lib/db";
import { ConfigError, env, loadDotEnv } from "../lib/env";
import { progressLine } from "../lib/progress";
import { createCrawlRun, getCrawlRun, type CrawlCounts } from "../lib/queries/crawl-runs";
import { getFollowedCategories } from "../lib/queries/settings";
import { enqueueCrawl, QueueConnection } from "../lib/queue";
import { dayProblem } from "../lib/query-params";
import { openScriptDatabase } from "../lib/runtime";
import { createCrawlProcessor } from "../workers/crawl";

const USAGE = `Usage:
  npm run crawl -- --category cs.CL [--category cs.AI ...] [--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD]
                   [--source rss|api] [--inline]
  npm run crawl -- --id 2104.12255 [--id hep-th/9711200 ...] [--inline]
  npm run crawl -- --file feed.xml --dry-run [--json]

Without --category, the followed categories are crawled. RSS (the default without dates) holds
only arXiv's latest announcement; a date or range is crawled through the API.`;

class UsageError extends Error {}


/** Reads a feed file of any format the app understands. */
export function parseFeedFile(text: string): ParsedFeed {
  const head = text.slice(0, 2_000);
  if (/<OAI-PMH[\s>]/.test(head)) return parseOai(text);
  if (/<feed[\s>]/.test(head) && !/<rss[\s>]|<rdf:RDF[\s>]/.test(head)) return parseAtom(text);
  return parseRss(text);
}

function printFeed(feed: ParsedFeed, json: boolean): void {
  if (json) {
    for (const e of feed.entries) {
      process.stdout.write(
        `${JSON.stringify({ id: e.id, version: e.version, announce_type: e.announceType ?? null, title: e.title, authors: e.authors, categories: e.categories })}\n`,
      );
    }
    for (const s of feed.skipped) process.stderr.write(`skipped item ${s.index}${s.id ? ` (${s.id})` : ""}: ${s.reason}\n`);
    return;
  }
  for (const e of feed.entries) {
    process.stdout.write(`${`${e.id}v${e.version}`.padEnd(22)} ${(e.announceType ?? "").padEnd(13)} ${e.title.slice(0, 100)}\n`);
  }
  const byType = new Map<string, number>();
  for (const e of feed.entries) byType.set(e.announceType ?? "(none)", (byType.get(e.announceType ?? "(none)") ?? 0) + 1);
  process.stdout.write(
    `\n${feed.format} feed${feed.announcedOn ? ` announced ${feed.announcedOn}` : ""}: ${feed.entries.length} entries` +
      ` (${[...byType].map(([t, n]) => `${n} ${t}`).join(", ")}), ${feed.skipped.length} skipped\n`,
  );
  for (const s of feed.skipped) process.stdout.write(`  skipped item ${s.index}${s.id ? ` (${s.id})` : ""}: ${s.reason}\n`);
}

async function main(): Promise<number> {
  loadDotEnv();
  const { values } = parseArgs({
    options: {
      category: { type: "string", multiple: true },
      id: { type: "string", multiple: true },
      date: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      source: { type: "string" },
      inline: { type: "boolean" },
      file: { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  if (values.file) {
    if (!values["dry-run"]) throw new UsageError("--file needs --dry-run: it parses a file and prints what it holds, without storing it.");
    printFeed(parseFeedFile(readFileSync(values.file, "utf8")), Boolean(values.json));
    return 0;
  }

  for (const [name, value] of [["date", values.date], ["from", values.from], ["to", values.to]] as const) {
    if (value !== undefined && dayProblem(value)) throw new UsageError(`--${name} must be a date like 2025-04-28, not "${value}"`);
  }
  if (values.date && (values.from || values.to)) throw new UsageError("give either --date or --from/--to, not both");
  if ((values.from === undefined) !== (values.to === undefined)) throw new UsageError("--from and --to go together");
  const from = values.date ?? values.from;
  const to = values.date ?? values.to;
  if (from && to && from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const paperIds = (values.id ?? []).map((raw) => {
    try {
      return formatArxivId(normalizeArxivId(raw).id);
    } catch {
      throw new UsageError(`"${raw}" is not an arXiv id (e.g. 2104.12255, hep-th/9711200)`);
    }
  });
  if (paperIds.length && (from || values.category?.length)) throw new UsageError("--id fetches single papers: leave out --category and dates");
  const source = (values.source ?? (from || paperIds.length ? "api" : "rss")) as "rss" | "api";
  if (source !== "rss" && source !== "api") throw new UsageError(`--source must be rss or api, not "${values.source}"`);
  if (source === "api" && !from && !paperIds.length) throw new UsageError("an API crawl needs --date, --from/--to or --id");
  if (source === "rss" && from !== to) throw new UsageError("RSS holds one day: use --source api for a range");

  const config = env();
  const database = await openScriptDatabase();
  const connection = new QueueConnection({ redisUrl: config.REDIS_URL, databaseUrl: database.url, pgSchema: database.queueSchema });
  try {
    const categories = paperIds.length ? [] : values.category?.length ? values.category : await getFollowedCategories();
    for (const c of categories) {
      if (!/^[a-z-]+(\.[A-Za-z-]+)?$/.test(c)) throw new UsageError(`"${c}" is not an arXiv category (e.g. cs.CL, math.NA, stat)`);
    }
    process.stderr.write(`crawl ${paperIds.length ? paperIds.join(", ") : categories.join(", ")} via ${source.toUpperCase()}${from ? ` for ${from === to ? from : `${from} … ${to}`}` : ""} (${database.description})\n`);
    const run = await createCrawlRun({ trigger: "cli", triggeredBy: userInfo().username, source, categories, paperIds, dateFrom: from, dateTo: to });
    await enqueueCrawl(connection, run.id, { retryDelayMs: config.CRAWL_RETRY_DELAY_MS });

    // No app running on our own embedded database means no worker: process the job here.
    if (values.inline || database.ownsEmbedded) {
      const shutdown = new AbortController();
      process.once("SIGINT", () => shutdown.abort(new Error("interrupted")));
      connection.worker(
        "crawl",
        createCrawlProcessor({
          client: ArxivClient.fromEnv({ signal: shutdown.signal }),
          connection,
          pageSize: config.ARXIV_API_PAGE_SIZE,
          retryDelayMs: config.CRAWL_RETRY_DELAY_MS,
        }),
        { concurrency: 1, limiter: { max: 1, duration: config.ARXIV_API_MIN_INTERVAL_MS } },
      );
    }

    const progress = progressLine();
    const startedAt = Date.now();
    let hinted = false;
    for (;;) {
      const current = await getCrawlRun(run.id);
      if (!current) throw new Error(`crawl run ${run.id} disappeared`);
      const counts = current.counts as unknown as CrawlCounts;
      if (current.status === "queued" && !hinted && Date.now() - startedAt > 15_000) {
        hinted = true;
        process.stderr.write("No worker has picked the crawl up yet: is `npm start` or `npm run worker` running? (--inline crawls from here)\n");
      }
      const detail = `${current.status}  fetched ${counts.fetched}${counts.total ? `/${counts.total}` : ""}  stored ${counts.stored}  skipped ${counts.skipped}${current.error && current.status === "running" ? `  (${current.error})` : ""}`;
      if (current.status === "succeeded" || current.status === "failed" || current.status === "no_announcement") {
        progress.update(1, detail);
        const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
        if (current.status === "failed") {
          progress.done(`crawl failed after ${seconds} s: ${current.error}`);
          return 1;
        }
        progress.done(
          current.status === "no_announcement"
            ? `no announcement: ${counts.note ?? "nothing new"}`
            : `done in ${seconds} s: ${counts.new} new, ${counts.cross} cross-lists, ${counts.replace} replacements, ${counts.replace_cross} replaced cross-lists; ` +
                `${current.newPapers} papers and ${current.newVersions} versions not stored before; ${counts.skipped} items skipped` +
                `${counts.skipped ? " (reasons in the crawl run's item errors)" : ""}`,
        );
        return 0;
      }
      progress.update((counts.percent ?? 0) / 100, detail);
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await connection.close();
    await disconnectDb();
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const expected = error instanceof UsageError || error instanceof ConfigError || error instanceof FeedError;
    process.stderr.write(`${expected ? (error as Error).message : (error as Error).stack}\n`);
    if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
    process.exit(expected ? 2 : 1);
  },
);
