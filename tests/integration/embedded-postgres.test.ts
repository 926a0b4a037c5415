// The embedded database's wire-protocol server: many connections at once get their own results
// (batches never interleave), transactions stay whole, a client that dies mid-transaction
// does not lock everyone else out, and COPY FROM STDIN (the snapshot import's bulk path, sent by
// postgres.js) works as on PostgreSQL.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import postgres from "postgres";
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

test("COPY FROM STDIN: the rows arrive, in a transaction too, and other connections go on meanwhile", async () => {
  const sql = postgres(embedded.url, { max: 1, prepare: false, onnotice: false });
  const other = new pg.Client({ connectionString: embedded.url });
  await other.connect();
  try {
    await sql`CREATE TABLE copied (n int PRIMARY KEY, t text, tags text[])`;
    // Tabs, newlines and backslashes escaped as COPY's text format wants them; \N is NULL.
    const copy = await sql`COPY copied (n, t, tags) FROM STDIN`.writable();
    copy.write("1\tone\\\\two\\nthree\t{a,\"b c\"}\n");
    // While this connection's COPY is open (no transaction), another connection is answered.
    const meanwhile = await other.query<{ n: number }>("SELECT count(*)::int AS n FROM copied");
    expect(meanwhile.rows[0]!.n).toBe(0);
    await pipeline(Readable.from(["2\t\\N\t{}\n", Array.from({ length: 998 }, (_, i) => `${i + 3}\tx\t{}\n`).join("")]), copy);
    expect((copy as unknown as { count: number }).count).toBe(1000);
    const rows = await sql`SELECT n, t, tags FROM copied WHERE n <= 2 ORDER BY n`;
    expect(rows.map((r) => [r.n, r.t, r.tags])).toEqual([
      [1, "one\\two\nthree", ["a", "b c"]],
      [2, null, []],
    ]);

    const inside = await sql.begin(async (tx) => {
      await tx`CREATE TEMP TABLE staged (n int) ON COMMIT DROP`;
      const staged = await tx`COPY staged FROM STDIN`.writable();
      await pipeline(Readable.from(["7\n8\n"]), staged);
      const [row] = await tx`SELECT sum(n)::int AS s FROM staged`;
      return row!.s as number;
    });
    expect(inside).toBe(15);
  } finally {
    await other.end();
    await sql.end();
  }
});

test("COPY FROM STDIN: a refused row fails the COPY with its line, a CopyFail aborts it, and the connection goes on", async () => {
  const sql = postgres(embedded.url, { max: 1, prepare: false, onnotice: false });
  try {
    await sql`CREATE TABLE refused (n int)`;
    const bad = await sql`COPY refused FROM STDIN`.writable();
    const failure = await pipeline(Readable.from(["1\n2\nthree\n4\n"]), bad).then(
      () => undefined,
      (error: unknown) => error as { code?: string; where?: string },
    );
    expect(failure?.code).toBe("22P02");
    expect(failure?.where).toMatch(/^COPY refused, line 3/);

    // The client gives up half way (CopyFail): nothing of it is kept.
    const given = await sql`COPY refused FROM STDIN`.writable();
    given.write("5\n");
    const aborted = new Promise((resolve) => given.once("error", resolve));
    given.destroy(new Error("changed my mind"));
    await aborted;

    // A table that does not exist: the error comes with the data (the server answered the COPY
    // before PGlite saw it), and the connection is none the worse.
    const missing = await sql`COPY no_such_table FROM STDIN`.writable();
    await expect(pipeline(Readable.from(["1\n"]), missing)).rejects.toMatchObject({ code: "42P01" });

    const [row] = await sql`SELECT count(*)::int AS n FROM refused`;
    expect(row!.n).toBe(0);
  } finally {
    await sql.end();
  }
});
