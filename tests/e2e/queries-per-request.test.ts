// A listing page makes the same number of SQL statements whether it shows 5 papers or 200 (no N+1),
// counted on the wire between the production web server and PostgreSQL.
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { startPgProxy, type PgProxy } from "../helpers/pg-proxy";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";

let proxy: PgProxy;
let web: WebServer;
const days = { small: randomDay(), medium: randomDay(), large: randomDay() };

beforeAll(async () => {
  const sizes = { small: 5, medium: 60, large: 200 } as const;
  for (const [key, n] of Object.entries(sizes) as [keyof typeof sizes, number][]) {
    const entries = Array.from({ length: n }, (_, i) =>
      entry({ id: randomPaperId(), primaryCategory: "nucl-th", categories: ["nucl-th", "hep-ph"], announceType: i % 3 ? "new" : "cross", authors: Array.from({ length: 1 + (i % 50) }, (_, a) => `Author ${a}`) }),
    );
    await seedListing(entries, ["nucl-th"], days[key]);
  }
  proxy = await startPgProxy(inject("databaseUrl"));
  // Without the listing cache: every request reads the database, and each statement is counted.
  web = await startWeb({ DATABASE_URL: proxy.url, LISTING_CACHE_SECONDS: "0" });
}, 120_000);

afterAll(async () => {
  await web?.stop();
  await proxy?.close();
});

async function statementsFor(path: string): Promise<number> {
  await (await fetch(`${web.url}${path}`)).text(); // warm: connections, caches
  proxy.reset();
  const response = await fetch(`${web.url}${path}`);
  if (response.status !== 200) console.log(web.output().slice(-3000));
  expect(response.status).toBe(200);
  await response.text();
  return proxy.statements();
}

test("statements per listing page do not grow with the number of papers", async () => {
  const small = await statementsFor(`/list/nucl-th?date=${days.small}`);
  const medium = await statementsFor(`/list/nucl-th?date=${days.medium}`);
  const large = await statementsFor(`/list/nucl-th?date=${days.large}`);
  console.log(`[queries] listing of 5 papers: ${small} statements; 60: ${medium}; 200: ${large}`);
  expect(small).toBeGreaterThan(0);
  // Past the first 40 papers the rest stream in with one more query; never one per paper.
  expect(medium).toBeLessThanOrEqual(small + 1);
  expect(large).toBe(medium);
  expect(large).toBeLessThanOrEqual(8);
  // In order of popularity the counts come with the rows: no more statements, however many papers.
  const popular = await statementsFor(`/list/nucl-th?date=${days.large}&sort=popular`);
  console.log(`[queries] listing of 200 papers by popularity: ${popular} statements`);
  expect(popular).toBeLessThanOrEqual(large);
});

test("a search page makes a fixed number of statements too", async () => {
  const few = await statementsFor("/search?q=paper&cat=nucl-th");
  const none = await statementsFor("/search?q=zzzznothing");
  console.log(`[queries] search with results: ${few}; without: ${none}`);
  expect(few).toBeLessThanOrEqual(none + 1);
});
