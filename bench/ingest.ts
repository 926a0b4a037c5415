// `npm run bench:ingest [-- --runs 20]`: how fast a daily crawl stores a big listing: parse a
// ~1,500-item arXiv RSS feed, then upsert it with its listing context, into a scratch database.
// Prints timings, asserts none. See bench/README.md. (The snapshot importer has its own benchmark,
// bench/import.ts.)
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseRss } from "../lib/arxiv/parse-rss";
import type { ParsedEntry } from "../lib/arxiv/types";
import { disconnectDb } from "../lib/db";
import { applyMigrations } from "../lib/migrate";
import { upsertEntries, type ListingContext, type UpsertResult } from "../lib/queries/papers";
import { benchDatabase, machineLine } from "./support";

const ROOT = path.resolve(import.meta.dirname, "..");
const RSS_FIXTURES = ["quant-ph_2025-04-28.xml", "stat_2024-03-26.xml"].map((f) =>
  path.join(ROOT, "tests/fixtures/arxiv/rss", f),
);
const FEED_ITEMS = 1_500;

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
  },
});
const RUNS = Number(args.runs);

// ---------------------------------------------------------------------------------------------
// Inputs

/** A new-style id unique to (feed, n): month `yy01` per feed, so every feed's papers are new. */
function syntheticId(feed: number, n: number): string {
  return `${50 + feed}01.${String(n).padStart(5, "0")}`;
}

/**
 * A ~1,500-item feed built from the real fixtures: the quant-ph channel header (its link turned
 * into the combined quant-ph+stat feed arXiv serves for two categories) and the items of both
 * fixtures repeated, each with its id replaced everywhere it appears (link, guid, description).
 * The XML is otherwise the fixtures' own bytes, entities and all.
 */
function buildFeed(feed: number, items = FEED_ITEMS): string {
  const [quant, stat] = RSS_FIXTURES.map((f) => readFileSync(f, "utf8")) as [string, string];
  const head = quant
    .slice(0, quant.indexOf("<item>"))
    .replaceAll("rss/quant-ph", "rss/quant-ph+stat")
    .replace("<title>quant-ph updates", "<title>quant-ph, stat updates")
    .replace("<description>quant-ph updates", "<description>quant-ph, stat updates");
  const source = [quant, stat].flatMap((xml) => xml.match(/<item>[\s\S]*?<\/item>/g) ?? []);
  const out: string[] = [];
  for (let n = 0; n < items; n++) {
    const item = source[n % source.length]!;
    const id = /<link>https:\/\/arxiv\.org\/abs\/([^<]+)<\/link>/.exec(item)?.[1];
    if (!id) throw new Error(`fixture item without an abs link: ${item.slice(0, 200)}`);
    out.push(item.replaceAll(id, syntheticId(feed, n)));
  }
  return `${head}${out.join("\n    ")}\n  </channel>\n</rss>\n`;
}

// ---------------------------------------------------------------------------------------------
// Figures

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
const ms = (x: number) => `${x.toFixed(1)} ms`;
const perSecond = (items: number, millis: number, unit = "items") =>
  `${Math.round((items / millis) * 1000).toLocaleString("en-US")} ${unit}/s`;
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: quantile(s, 0.5), p90: quantile(s, 0.9) };
};
const say = (line = "") => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------

function listingOf(feedXml: string): { entries: ParsedEntry[]; listing: ListingContext } {
  const feed = parseRss(feedXml);
  if (!feed.feedCategories || !feed.announcedOn) throw new Error("the bench feed has no categories or date");
  return { entries: feed.entries, listing: { categories: feed.feedCategories, date: feed.announcedOn } };
}

async function timedIngest(feedXml: string): Promise<{ parse: number; upsert: number; result: UpsertResult }> {
  const t0 = performance.now();
  const { entries, listing } = listingOf(feedXml);
  const t1 = performance.now();
  const result = await upsertEntries(entries, listing);
  const t2 = performance.now();
  return { parse: t1 - t0, upsert: t2 - t1, result };
}

function describeResult(r: UpsertResult): string {
  return `${r.newPapers} new, ${r.newVersions} new versions, ${r.updated} updated, ${r.unchanged} unchanged, ${r.newListings} new listings`;
}

async function main(): Promise<void> {
  // Other processes skew timings: the load average is on this line, and minimums are printed too.
  say(machineLine());

  // Parse alone: warm runs on one feed.
  const xml = buildFeed(0);
  const items = parseRss(xml).entries.length;
  say(`feed: ${items} items, ${(xml.length / 1024 / 1024).toFixed(2)} MB of XML (quant-ph + stat fixtures repeated)`);
  // Warm-up: enough runs for V8 to have optimised the parser's hot functions.
  for (let i = 0; i < 10; i++) parseRss(xml);
  const parseTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    parseRss(xml);
    parseTimes.push(performance.now() - t);
  }
  const p = summary(parseTimes);
  say();
  say(`parse (${RUNS} warm runs)             median ${ms(p.median)}, p90 ${ms(p.p90)}, min ${ms(p.min)}; ${perSecond(items, p.median)}`);

  const scratch = await benchDatabase("papers_bench");
  say(`database: ${scratch.description}`);
  try {
    await applyMigrations(scratch.url);
    // lib/db.ts reads DATABASE_URL on first use, which is below.
    process.env.DATABASE_URL = scratch.url;

    say();
    const first = await timedIngest(xml);
    say(`parse+upsert, 1st run (all new)     ${ms(first.parse + first.upsert)} (parse ${ms(first.parse)}, ` +
      `upsert ${ms(first.upsert)}); ${perSecond(items, first.parse + first.upsert)}  [${describeResult(first.result)}]`);
    const second = await timedIngest(xml);
    say(`parse+upsert, 2nd run (unchanged)   ${ms(second.parse + second.upsert)} (parse ${ms(second.parse)}, ` +
      `upsert ${ms(second.upsert)}); ${perSecond(items, second.parse + second.upsert)}  [${describeResult(second.result)}]`);

    // More runs for medians: fresh ids each time for "new", the same feed again for "unchanged".
    const repeats = Math.max(3, Math.min(10, Math.floor(RUNS / 2)));
    const fresh: { parse: number; upsert: number }[] = [];
    for (let f = 1; f <= repeats; f++) fresh.push(await timedIngest(buildFeed(f)));
    const same: { parse: number; upsert: number }[] = [];
    for (let i = 0; i < repeats; i++) same.push(await timedIngest(xml));
    for (const [label, runs] of [["all new", fresh], ["unchanged", same]] as const) {
      const total = summary(runs.map((r) => r.parse + r.upsert));
      const upsert = summary(runs.map((r) => r.upsert));
      say(`parse+upsert, ${label.padEnd(9)} (${repeats} runs)  median ${ms(total.median)}, p90 ${ms(total.p90)}, min ${ms(total.min)}; ` +
        `${perSecond(items, total.median)}`);
      say(`upsert only,  ${label.padEnd(9)} (${repeats} runs)  median ${ms(upsert.median)}, p90 ${ms(upsert.p90)}, min ${ms(upsert.min)}; ` +
        `${perSecond(items, upsert.median)}`);
    }
  } finally {
    await disconnectDb();
    await scratch.drop();
  }
}

await main();
