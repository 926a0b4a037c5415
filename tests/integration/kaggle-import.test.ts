// The Kaggle snapshot importer (lib/import/kaggle.ts) and its CLI: the real 200-line sample, bad
// lines, idempotency, resuming from the checkpoint (after a stop, and after the database went away),
// batches written side by side, and the earlier "upsert" writer agreeing with the COPY writer row
// for row. Every test runs twice: on PostgreSQL and on the embedded database
// (PGlite behind lib/pglite-server.ts, where COPY FROM STDIN goes through the server's own handling);
// whichever of the two the test run is not using is started here. The PostgreSQL test database is
// shared with other test files, so only rows with this file's ids are counted; tests that need ids
// nobody else uses rewrite the sample's ids into a month of their own (41xx: far in the future, never
// a real paper).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { parseKaggleLine } from "@/lib/arxiv/parse-kaggle";
import { db, disconnectDb, useDatabaseUrl } from "@/lib/db";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "@/lib/embedded-postgres";
import {
  checkpointKey,
  importKaggle,
  KaggleImportError,
  readCheckpoint,
  type CommittedBatch,
  type ImportCounts,
  type ImportWriter,
} from "@/lib/import/kaggle";
import { applyMigrations } from "@/lib/migrate";
import { startPgProxy } from "../helpers/pg-proxy";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FIXTURE = path.join(ROOT, "tests/fixtures/arxiv/kaggle/wanng-ide_snapshot_first200.jsonl");
const TSX = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
let LINES: string[] = [];
let FIXTURE_IDS: string[] = [];
let dir = "";

beforeAll(async () => {
  LINES = (await readFile(FIXTURE, "utf8")).split("\n").filter((l) => l !== "");
  FIXTURE_IDS = LINES.map((l) => (JSON.parse(l) as { id: string }).id);
  dir = await mkdtemp(path.join(tmpdir(), "kaggle-import-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await disconnectDb();
});

/** The sample's lines with ids `${yymm}.00000`, `${yymm}.00001`, … (five digits: yymm ≥ 1501). */
function withOwnIds(yymm: string, lines = LINES): { lines: string[]; ids: string[] } {
  const ids = lines.map((_, i) => `${yymm}.${String(i).padStart(5, "0")}`);
  return { lines: lines.map((l, i) => l.replace(/^\{"id":"[^"]*"/, `{"id":"${ids[i]}"`)), ids };
}

async function storedIds(ids: string[]): Promise<Set<string>> {
  const rows = await db().paper.findMany({ where: { id: { in: ids } }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

/** Every stored column of these papers and of all their versions (the row's own timestamps aside). */
async function storedRows(ids: string[]): Promise<{ papers: unknown[]; versions: unknown[] }> {
  const papers = await db().$queryRawUnsafe<unknown[]>(
    `SELECT id, latest_version, title, abstract, authors, comments, journal_ref, doi, primary_category, categories,
            published_at, version_at
     FROM papers WHERE id = ANY($1::text[]) ORDER BY id`,
    ids,
  );
  const versions = await db().$queryRawUnsafe<unknown[]>(
    `SELECT paper_id, version, title, abstract, submitted_at FROM paper_versions WHERE paper_id = ANY($1::text[])
     ORDER BY paper_id, version`,
    ids,
  );
  return { papers, versions };
}

/** The physical version of each row (xmin changes when a row is written again, even unchanged). */
async function rowVersions(ids: string[]): Promise<string[]> {
  const rows = await db().$queryRawUnsafe<{ k: string }[]>(
    `SELECT 'p ' || id || ' ' || xmin::text || ' ' || updated_at::text AS k FROM papers WHERE id = ANY($1::text[])
     UNION ALL
     SELECT 'v ' || paper_id || ' ' || version || ' ' || xmin::text FROM paper_versions WHERE paper_id = ANY($1::text[])
     ORDER BY 1`,
    ids,
  );
  return rows.map((r) => r.k);
}

async function deletePapers(ids: string[]): Promise<void> {
  await db().$executeRawUnsafe(`DELETE FROM papers WHERE id = ANY($1::text[])`, ids);
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSX, path.join(ROOT, "scripts/import-kaggle.ts"), ...args], { cwd: ROOT, env, timeout: 110_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error.code as number | null) ?? null) : 0, stdout, stderr }),
    );
  });
}

/** A JSON line of the snapshot, from an object. */
const line = (record: Record<string, unknown>) => JSON.stringify(record);

interface Target {
  name: string;
  /** The database's address, once `open` has run. */
  url(): string;
  embedded: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
}

const testUrl = inject("databaseUrl");
const testKind = inject("databaseKind");
let ownEmbedded: EmbeddedPostgres | undefined;

const targets: Target[] = [
  ...(testKind === "postgres"
    ? [{ name: "PostgreSQL", url: () => testUrl, embedded: false, open: async () => {}, close: async () => {} }]
    : []),
  testKind === "embedded"
    ? { name: "the embedded database", url: () => testUrl, embedded: true, open: async () => {}, close: async () => {} }
    : {
        name: "the embedded database",
        url: () => ownEmbedded!.url,
        embedded: true,
        async open() {
          ownEmbedded = await startEmbeddedPostgres({});
          await applyMigrations(ownEmbedded.url);
        },
        async close() {
          await ownEmbedded?.stop();
          ownEmbedded = undefined;
        },
      },
];

describe.each(targets)("on $name", (target) => {
  beforeAll(async () => {
    await target.open();
    // The app's Prisma client (and the import's postgres.js client, which follows it) now point here.
    await disconnectDb();
    useDatabaseUrl(target.url());
  });

  afterAll(async () => {
    await disconnectDb();
    await target.close();
  });

  test("imports the 200-line sample with COPY: every paper, versions and authors as in the file", async () => {
    const before = (await storedIds(FIXTURE_IDS)).size;
    const result = await importKaggle({ file: FIXTURE, batchSize: 64 });

    expect(result.stopped).toBe(false);
    expect(result.lines).toBe(200);
    expect(result.linesThisRun).toBe(200);
    expect(result.badLines).toBe(0);
    expect(result.resumedFrom).toBeUndefined();
    const c = result.counts;
    expect(c.newPapers + c.newVersions + c.updated + c.unchanged).toBe(200);
    expect(c.newPapers).toBe(200 - before);
    expect((await storedIds(FIXTURE_IDS)).size).toBe(200);

    // Checked by hand against the file.
    const papers = await db().paper.findMany({
      where: { id: { in: ["0704.0001", "0704.0027", "0704.0199"] } },
      orderBy: { id: "asc" },
      include: { versions: { select: { version: true, title: true } } },
    });
    expect(papers.map((p) => [p.id, p.latestVersion, p.title, p.authors, p.categories])).toEqual([
      [
        "0704.0001",
        2,
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies",
        ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"],
        ["hep-ph"],
      ],
      [
        "0704.0027",
        4,
        "Filling-Factor-Dependent Magnetophonon Resonance in Graphene",
        ["M. O. Goerbig", "J.-N. Fuchs", "K. Kechedzhi", "Vladimir I. Fal'ko"],
        ["cond-mat.mes-hall"],
      ],
      [
        "0704.0199",
        3,
        "Decomposition numbers for finite Coxeter groups and generalised non-crossing partitions",
        // authors_parsed carries affiliations as a fourth column; they are not part of the name.
        ["Christian Krattenthaler", "Thomas Müller"],
        ["math.CO", "math.GR"],
      ],
    ]);
    expect(papers[1]!.doi).toBe("10.1103/PhysRevLett.99.087402");
    expect(papers[1]!.publishedAt).toEqual(new Date("2007-04-02T19:17:14Z"));
    expect(papers[2]!.journalRef).toBe("Trans. Amer. Math. Soc. 362 (2010), 2723-2787");
    // The snapshot names only the latest version's text, so that is the version stored.
    expect(papers.map((p) => p.versions.map((v) => v.version))).toEqual([[2], [4], [3]]);
    // The search document is PostgreSQL's own (a generated column): the import's rows get it too.
    const [found] = await db().$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM papers WHERE id = '0704.0027' AND search_vector @@ to_tsquery('english', 'magnetophonon & graphene')`,
    );
    expect(found!.n).toBe(1);

    // Finished: no checkpoint is left behind.
    expect(await readCheckpoint(FIXTURE, result.totalBytes)).toBeUndefined();
  });

  test("importing the same file again finds nothing new and writes no row again", async () => {
    await importKaggle({ file: FIXTURE });
    const rows = await rowVersions(FIXTURE_IDS);
    const again = await importKaggle({ file: FIXTURE, batchSize: 500 });
    expect(again.counts).toEqual({ newPapers: 0, newVersions: 0, updated: 0, unchanged: 200 });
    expect(again.badLines).toBe(0);
    expect(await rowVersions(FIXTURE_IDS)).toEqual(rows);
  });

  test.each<[ImportWriter, string, number]>([
    ["copy", "4101", 1_000],
    ["upsert", "4105", 1_000],
    // Small batches, two written at once: the refusals land in batches written side by side.
    ["copy", "4107", 8],
  ])("%s writer: bad lines in the middle of a batch are reported with their line numbers; the rest of it is stored (ids %s, %i lines a batch)", async (writer, yymm, batchSize) => {
    const { lines, ids } = withOwnIds(yymm);
    const file = path.join(dir, `corrupt-${yymm}.jsonl`);
    const content = [
      ...lines.slice(0, 10), //                                                  lines 1–10
      `{"id":"${yymm}.00010","title":"Truncated line`, //                         line 11: cut off
      `{"id":"${yymm}.00011","authors":"A. Author"}`, //                          line 12: no title, no categories
      "", //                                                                     line 13: blank, skipped silently
      'garbage { "not": json', //                                                line 14
      '{"id":"not an id","title":"T","categories":"cs.AI"}', //                  line 15
      // Line 16 parses, but PostgreSQL's text cannot hold a NUL character.
      `{"id":"${yymm}.00012","title":"Nul \\u0000 inside","categories":"cs.AI","abstract":"x"}`,
      // Line 17 parses, but its version does not fit PostgreSQL's integer: the database refuses it.
      line({ id: `${yymm}.00013`, title: "Too many versions", categories: "cs.AI", abstract: "x", versions: [{ version: "v3000000000", created: "Mon, 2 Apr 2007 19:18:42 GMT" }] }),
      // Line 18: half of a UTF-16 surrogate pair is not text either.
      `{"id":"${yymm}.00014","title":"Half \\ud800 a pair","categories":"cs.AI","abstract":"x"}`,
      ...lines.slice(10, 20), //                                                 lines 19–28
    ].join("\n");
    await writeFile(file, content); // no newline after the last line: it is imported all the same

    // With 1,000 lines a batch, one batch for the whole file: the database's refusals come in the middle of it.
    const result = await importKaggle({ file, writer, batchSize, connections: 2 });
    expect(result.stopped).toBe(false);
    expect(result.lines).toBe(28);
    expect(result.badLines).toBe(7);
    expect(result.badLineSamples.map((b) => b.line)).toEqual([11, 12, 14, 15, 16, 17, 18]);
    const [truncated, missing, garbage, badId, nul, version, surrogate] = result.badLineSamples.map((b) => b.reason);
    expect(truncated).toMatch(/not JSON/);
    expect(missing).toMatch(new RegExp(`${yymm}\\.00011.*no title`));
    expect(garbage).toMatch(/not JSON/);
    expect(badId).toMatch(/Not an arXiv id/);
    expect(version).toMatch(new RegExp(`database rejected it \\(${yymm}\\.00013\\): .*out of range for type integer`));
    if (writer === "copy") {
      expect(nul).toMatch(new RegExp(`cannot store it \\(${yymm}\\.00012\\): a NUL character`));
      expect(surrogate).toMatch(new RegExp(`cannot store it \\(${yymm}\\.00014\\): an unpaired UTF-16 surrogate`));
    } else {
      expect(nul).toMatch(new RegExp(`database rejected it \\(${yymm}\\.00012\\)`));
      expect(surrogate).toMatch(new RegExp(`database rejected it \\(${yymm}\\.00014\\)`));
    }
    expect(result.counts).toEqual({ newPapers: 20, newVersions: 0, updated: 0, unchanged: 0 });

    const stored = await storedIds([...ids.slice(0, 20), `${yymm}.00010`, `${yymm}.00011`, `${yymm}.00012`, `${yymm}.00013`, `${yymm}.00014`]);
    expect([...stored].sort()).toEqual(ids.slice(0, 20));
  });

  test("stopped by its signal, it keeps a checkpoint written with the last batch; the next run resumes there and finishes", async () => {
    const { lines, ids } = withOwnIds("4102");
    const file = path.join(dir, "resume.jsonl");
    await writeFile(file, `${lines.join("\n")}\n`);
    const size = Buffer.byteLength(`${lines.join("\n")}\n`);

    const controller = new AbortController();
    const commits: CommittedBatch[] = [];
    const first = await importKaggle({
      file,
      batchSize: 20,
      // One batch at a time, so that the stop comes after exactly three (see the next test for two).
      connections: 1,
      signal: controller.signal,
      onCommit: (c) => {
        commits.push(c);
        if (c.batches === 3) controller.abort();
      },
    });
    expect(first.stopped).toBe(true);
    expect(first.lines).toBe(60);
    expect(commits.map((c) => c.lines)).toEqual([20, 40, 60]);
    expect(first.counts.newPapers).toBe(60);

    const offsetOfLine61 = Buffer.byteLength(lines.slice(0, 60).join("\n")) + 1;
    const checkpoint = await readCheckpoint(file, size);
    expect(checkpoint).toMatchObject({ offset: offsetOfLine61, lines: 60, badLines: 0, counts: { newPapers: 60 } });
    const row = await db().setting.findUnique({ where: { key: checkpointKey(file, size) } });
    expect(row?.key).toBe(`import:kaggle:${path.resolve(file)}:${size}`);
    expect((await storedIds(ids)).size).toBe(60);

    const notices: string[] = [];
    const second = await importKaggle({ file, batchSize: 20, onNotice: (n) => notices.push(n) });
    expect(second.stopped).toBe(false);
    expect(second.resumedFrom).toEqual({ line: 61, offset: offsetOfLine61 });
    expect(notices.join("\n")).toMatch(/resuming an earlier import at line 61/);
    expect(second.linesThisRun).toBe(140);
    expect(second.lines).toBe(200);
    // Counts run over both runs: every line imported once, none twice, none missing.
    expect(second.counts).toEqual({ newPapers: 200, newVersions: 0, updated: 0, unchanged: 0 });
    expect((await storedIds(ids)).size).toBe(200);
    expect(await readCheckpoint(file, size)).toBeUndefined();
  });

  test("batches written two at a time commit in file order, also with a paper in both; a stop keeps the last one committed", async () => {
    const { lines, ids } = withOwnIds("4106");
    // Line 25 is paper 5 again at a ninth version (the next batch), line 45 paper 30 (likewise).
    const again = (i: number) => line({ ...(JSON.parse(lines[i]!) as Record<string, unknown>), versions: [{ version: "v9", created: "Mon, 6 Jan 2020 10:00:00 GMT" }] });
    const content = lines.map((l, i) => (i === 24 ? again(4) : i === 44 ? again(29) : l));
    const file = path.join(dir, "two-at-a-time.jsonl");
    await writeFile(file, `${content.join("\n")}\n`);

    const controller = new AbortController();
    const commits: CommittedBatch[] = [];
    // The position as each batch's own transaction saved it, read while the import goes on.
    const saved: Promise<number | undefined>[] = [];
    const first = await importKaggle({
      file,
      batchSize: 20,
      connections: 2,
      signal: controller.signal,
      onCommit: (c) => {
        commits.push(c);
        saved.push(readCheckpoint(file, Buffer.byteLength(`${content.join("\n")}\n`)).then((checkpoint) => checkpoint?.lines));
        if (c.batches === 5) controller.abort();
      },
    });
    for (const [i, lines] of (await Promise.all(saved)).entries()) {
      expect(lines! % 20).toBe(0);
      expect(lines).toBeGreaterThanOrEqual(commits[i]!.lines);
    }
    // The batch being written when the stop came is finished too: five or six batches.
    expect(first.stopped).toBe(true);
    expect(commits.map((c) => c.lines)).toEqual(commits.map((_, i) => 20 * (i + 1)));
    expect([100, 120]).toContain(first.lines);
    expect(await readCheckpoint(file, first.totalBytes)).toMatchObject({ lines: first.lines, counts: first.counts });

    const second = await importKaggle({ file, batchSize: 20, connections: 2 });
    expect(second.lines).toBe(200);
    expect(second.counts).toEqual({ newPapers: 198, newVersions: 2, updated: 0, unchanged: 0 });
    const twice = await db().paper.findMany({ where: { id: { in: [ids[4]!, ids[29]!] } }, include: { versions: { select: { version: true } } }, orderBy: { id: "asc" } });
    expect(twice.map((p) => [p.latestVersion, p.versions.map((v) => v.version).sort()])).toEqual([
      [9, [1, 9]],
      [9, [1, 9]],
    ]);
  });

  // PostgreSQL only: the outage is a TCP proxy cut between the import and the server (the embedded
  // database is reached in process).
  if (!target.embedded) test("the database gone in the middle: the import stops at the last batch committed, and the next run finishes", async () => {
    const { lines, ids } = withOwnIds("4108");
    const file = path.join(dir, "outage.jsonl");
    await writeFile(file, `${lines.join("\n")}\n`);
    const proxy = await startPgProxy(target.url());
    await disconnectDb();
    useDatabaseUrl(proxy.url);
    try {
      const failure = await importKaggle({
        file,
        batchSize: 20,
        connections: 2,
        onCommit: (c) => {
          if (c.batches === 3) proxy.cut();
        },
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(KaggleImportError);
      const { message, committedLines } = failure as KaggleImportError;
      expect(message).toMatch(/^Writing to the database failed: /);
      // Three batches, or four when the one written beside the third committed before the cut.
      expect([60, 80]).toContain(committedLines);

      proxy.restore();
      const checkpoint = await readCheckpoint(file, Buffer.byteLength(`${lines.join("\n")}\n`));
      expect(checkpoint?.lines).toBe(committedLines);
      expect((await storedIds(ids)).size).toBe(committedLines);
      const again = await importKaggle({ file, batchSize: 20, connections: 2 });
      expect(again.resumedFrom?.line).toBe(committedLines! + 1);
      expect(again.counts).toEqual({ newPapers: 200, newVersions: 0, updated: 0, unchanged: 0 });
    } finally {
      await disconnectDb();
      useDatabaseUrl(target.url());
      await proxy.close();
    }
    // The import's driver tries for 10 s to reconnect before it gives up (lib/import/sql.ts).
  }, 90_000);

  test("--restart ignores a checkpoint and starts at line 1", async () => {
    const { lines } = withOwnIds("4103");
    const file = path.join(dir, "restart.jsonl");
    await writeFile(file, `${lines.join("\n")}\n`);
    const controller = new AbortController();
    const first = await importKaggle({
      file,
      batchSize: 50,
      connections: 1,
      signal: controller.signal,
      onCommit: () => controller.abort(),
    });
    expect(first).toMatchObject({ stopped: true, lines: 50 });

    const again = await importKaggle({ file, restart: true });
    expect(again.resumedFrom).toBeUndefined();
    expect(again.linesThisRun).toBe(200);
    expect(again.counts).toEqual({ newPapers: 150, newVersions: 0, updated: 0, unchanged: 50 });
    expect(await readCheckpoint(file, again.totalBytes)).toBeUndefined();
  });

  test("the upsert writer (the earlier path) and the COPY writer store the same rows and report the same counts", async () => {
    const { lines: base, ids } = withOwnIds("4104");
    const records = base.map((l) => JSON.parse(l) as Record<string, unknown> & { versions: { version: string; created: string }[] });
    const laterVersion = (r: (typeof records)[number], n: number) => [...r.versions, { version: `v${n}`, created: "Mon, 6 Jan 2020 10:00:00 GMT" }];
    // Text with every character COPY's text format and array literals escape: backslashes (LaTeX),
    // tabs, newlines, carriage returns, quotes, commas, braces, and an author called NULL.
    const tricky = {
      ...records[199]!,
      title: 'Back\\slash \\alpha, a "quote"\tand a tab',
      abstract: "Line one\nline two: \\frac{a}{b}, {braces}; a tab\there and a\r\ncarriage return \\N \\\\",
      comments: "a\\b\tc",
      authors_parsed: [["O'Brien, Jr.", 'Ann "Annie"', ""], ["{Brace}", "Back\\slash", ""], ["NULL", "", ""], ["Comma, Inc.", "", ""]],
    };

    // The first file: the sample, papers 50–59 at a fifth version, and the tricky paper.
    const first = records.map((r, i) => (i >= 50 && i < 60 ? { ...r, versions: laterVersion(r, 5) } : i === 199 ? tricky : r));
    // The second: every kind of change the import tells apart.
    const second = [
      ...records.map((r, i) => {
        if (i < 30) return { ...r, versions: laterVersion(r, 7), title: `${r.title as string} (revised)`, update_date: "2020-01-06" }; // new version
        if (i < 50) return { ...r, doi: `10.9999/import.${i}`, comments: "Changed comment" }; //                                         updated
        if (i < 60) return { ...r, title: "An older version's title" }; //                     older than stored (v5): unchanged, version kept
        if (i < 70) return { ...r, comments: null, "journal-ref": null, doi: null }; //                missing metadata keeps the stored: unchanged
        if (i < 80) return { ...r, abstract: `${r.abstract as string} Corrected.` }; //                                                       updated
        if (i < 90) return { ...r, versions: laterVersion(r, 8) }; //                                  new version, and again lower in the file
        return i === 199 ? tricky : r; //                                                                                                  unchanged
      }),
      ...records.slice(80, 90).map((r) => ({ ...r, versions: laterVersion(r, 6), title: "Lower than v8 in the same batch" })),
      ...records.slice(0, 10).map((r, i) => ({ ...r, id: `4104.${String(200 + i).padStart(5, "0")}` })), //                                  new papers
    ];
    const firstFile = path.join(dir, "writers-1.jsonl");
    const secondFile = path.join(dir, "writers-2.jsonl");
    await writeFile(firstFile, `${first.map(line).join("\n")}\n`);
    await writeFile(secondFile, `${second.map(line).join("\n")}\n`);
    const allIds = [...ids, ...Array.from({ length: 10 }, (_, i) => `4104.${String(200 + i).padStart(5, "0")}`)];

    const outcome: Record<string, { counts: ImportCounts[]; rows: Awaited<ReturnType<typeof storedRows>> }> = {};
    for (const writer of ["upsert", "copy"] as const) {
      await deletePapers(allIds);
      const a = await importKaggle({ file: firstFile, writer, restart: true });
      const b = await importKaggle({ file: secondFile, writer, restart: true });
      expect([a.badLines, b.badLines]).toEqual([0, 0]);
      outcome[writer] = { counts: [a.counts, b.counts], rows: await storedRows(allIds) };
    }
    expect(outcome.copy!.counts).toEqual([
      { newPapers: 200, newVersions: 0, updated: 0, unchanged: 0 },
      { newPapers: 10, newVersions: 40, updated: 30, unchanged: 130 },
    ]);
    expect(outcome.copy!.counts).toEqual(outcome.upsert!.counts);
    expect(outcome.copy!.rows).toEqual(outcome.upsert!.rows);

    // And as the parser read them, not only as the other writer stored them.
    const expected = parseKaggleLine(line(tricky));
    const stored = await db().paper.findUniqueOrThrow({ where: { id: "4104.00199" } });
    expect([stored.title, stored.abstract, stored.authors, stored.comments, stored.categories]).toEqual([
      expected.title,
      expected.abstract,
      expected.authors,
      expected.comments,
      expected.categories,
    ]);
    expect(stored.authors).toContain("NULL");
    const older = await db().paper.findUniqueOrThrow({ where: { id: "4104.00050" }, include: { versions: { select: { version: true } } } });
    expect(older.latestVersion).toBe(5);
    expect(older.title).not.toBe("An older version's title");
    const twice = await db().paper.findUniqueOrThrow({ where: { id: "4104.00080" }, include: { versions: { select: { version: true } } } });
    expect(twice.latestVersion).toBe(8);
  });

  test("the CLI imports the sample and prints the summary", async () => {
    const ok = await runCli([FIXTURE, "--batch", "50", "--connections", "3"], { ...process.env, DATABASE_URL: target.url() });
    expect(ok.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /^done: 200 lines; imported \d+ new papers, \d+ new versions, \d+ updated, \d+ unchanged; 0 bad lines; [\d.]+ s \([\d,]+ lines\/s\)$/m,
    );

    const missing = await runCli([path.join(dir, "no-such-file.jsonl")], { ...process.env, DATABASE_URL: target.url() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No such file: .*no-such-file\.jsonl/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  // The embedded target only: the CLI opens its own database there.
  if (target.embedded) test("without DATABASE_URL the CLI opens the embedded database under DATA_DIR and imports into it", async () => {
    const dataDir = path.join(dir, "data");
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    const ok = await runCli([FIXTURE], env);
    expect(ok.stderr).not.toMatch(/\n\s+at /);
    expect(ok.stderr).toMatch(/database: the embedded database in .*pglite \(the app is not running\)/);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^done: 200 lines; imported 200 new papers, 0 new versions, 0 updated, 0 unchanged; 0 bad lines;/m);
  }, 120_000);
});
