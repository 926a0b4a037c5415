// The embedded database's wire-protocol server: many connections at once get their own results
// (batches never interleave), transactions stay whole, and a client that dies mid-transaction
// does not lock everyone else out.
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../lib/embedded-postgres";

let embedded: EmbeddedPostgres;
beforeAll(async () => {
  embedded = await startEmbeddedPostgres({});
});
afterAll(() => embedded.stop());

test("400 concurrent parameterised queries over 10 connections each get their own rows", async () => {
  const pools = [new pg.Pool({ connectionString: embedded.url, max: 5 }), new pg.Pool({ connectionString: embedded.url, max: 5 })];
  await pools[0]!.query("CREATE TABLE IF NOT EXISTS counters (id int PRIMARY KEY, n int NOT NULL)");
  await pools[0]!.query("INSERT INTO counters VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET n = 0");
  const results = await Promise.allSettled(
    Array.from({ length: 400 }, async (_, i) => {
      const pool = pools[i % 2]!;
      if (i % 10 === 0) {
        // A transaction of several statements: nobody else's statement may land inside it.
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          const before = await client.query<{ n: number }>("SELECT n FROM counters WHERE id = $1", [1]);
          await client.query("UPDATE counters SET n = $1 WHERE id = 1", [before.rows[0]!.n + 1]);
          await client.query("COMMIT");
        } finally {
          client.release();
        }
        return;
      }
      const { rows } = await pool.query<{ n: number; t: string }>("SELECT $1::int * 2 AS n, $2::text AS t", [i, `q${i}`]);
      expect(rows).toEqual([{ n: i * 2, t: `q${i}` }]);
    }),
  );
  expect(results.filter((r) => r.status === "rejected")).toEqual([]);
  const { rows } = await pools[0]!.query<{ n: number }>("SELECT n FROM counters WHERE id = 1");
  expect(rows[0]!.n).toBe(40); // 40 read-modify-write transactions, none lost
  await Promise.all(pools.map((p) => p.end()));
});

test("a client that dies inside a transaction is rolled back and does not block the others", async () => {
  const doomed = new pg.Client({ connectionString: embedded.url });
  await doomed.connect();
  doomed.on("error", () => {});
  await doomed.query("CREATE TABLE IF NOT EXISTS notes (text text)");
  await doomed.query("BEGIN");
  await doomed.query("INSERT INTO notes VALUES ('half-written')");
  // The process holding it goes away without COMMIT or ROLLBACK.
  (doomed as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  const other = new pg.Client({ connectionString: embedded.url });
  await other.connect();
  const { rows } = await other.query("SELECT count(*)::int AS n FROM notes WHERE text = 'half-written'");
  await other.end();
  expect(rows[0].n).toBe(0);
});
