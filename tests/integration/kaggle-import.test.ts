// The Kaggle snapshot importer (lib/import/kaggle.ts) and its CLI against the test database: the
// real 200-line sample, bad lines, resuming from the checkpoint. The database is shared with other
// test files, so only rows with this file's ids are counted; tests that need ids nobody else uses
// rewrite the sample's ids into a month of their own (41xx: far in the future, never a real paper).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { db, disconnectDb } from "@/lib/db";
import { checkpointKey, importKaggle, readCheckpoint, type CommittedBatch } from "@/lib/import/kaggle";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FIXTURE = path.join(ROOT, "tests/fixtures/arxiv/kaggle/wanng-ide_snapshot_first200.jsonl");
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
function withOwnIds(yymm: string): { lines: string[]; ids: string[] } {
  const ids = LINES.map((_, i) => `${yymm}.${String(i).padStart(5, "0")}`);
  const lines = LINES.map((l, i) => l.replace(/^\{"id":"[^"]*"/, `{"id":"${ids[i]}"`));
  return { lines, ids };
}

async function storedIds(ids: string[]): Promise<Set<string>> {
  const rows = await db().paper.findMany({ where: { id: { in: ids } }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

test("imports the 200-line sample: every paper, versions and authors as in the file", async () => {
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

  // Finished: no checkpoint is left behind.
  expect(await readCheckpoint(FIXTURE, result.totalBytes)).toBeUndefined();
});

test("importing the same file again finds nothing new", async () => {
  await importKaggle({ file: FIXTURE });
  const again = await importKaggle({ file: FIXTURE, batchSize: 500 });
  expect(again.counts).toEqual({ newPapers: 0, newVersions: 0, updated: 0, unchanged: 200 });
  expect(again.badLines).toBe(0);
});

test("bad lines are counted and reported with their line numbers; the rest is imported", async () => {
  const { lines, ids } = withOwnIds("4101");
  const file = path.join(dir, "corrupt.jsonl");
  const content = [
    ...lines.slice(0, 10), //                                       lines 1–10
    '{"id":"4101.00010","title":"Truncated line', //                line 11: cut off
    '{"id":"4101.00011","authors":"A. Author"}', //                 line 12: no title, no categories
    "", //                                                          line 13: blank, skipped silently
    'garbage { "not": json',
    '{"id":"not an id","title":"T","categories":"cs.AI"}', //       line 15
    // Line 16 parses, but PostgreSQL refuses a NUL character in text: only that line is lost.
    '{"id":"4101.00012","title":"Nul \\u0000 inside","categories":"cs.AI","abstract":"x"}',
    ...lines.slice(10, 20), //                                      lines 17–26
  ].join("\n");
  await writeFile(file, content); // no newline after the last line: it is imported all the same

  const result = await importKaggle({ file, batchSize: 8 });
  expect(result.stopped).toBe(false);
  expect(result.lines).toBe(26);
  expect(result.badLines).toBe(5);
  expect(result.badLineSamples.map((b) => b.line)).toEqual([11, 12, 14, 15, 16]);
  const [truncated, missing, garbage, badId, nul] = result.badLineSamples.map((b) => b.reason);
  expect(truncated).toMatch(/not JSON/);
  expect(missing).toMatch(/4101\.00011.*no title/);
  expect(garbage).toMatch(/not JSON/);
  expect(badId).toMatch(/Not an arXiv id/);
  expect(nul).toMatch(/database rejected it \(4101\.00012\)/);
  expect(result.counts.newPapers).toBe(20);

  const stored = await storedIds([...ids.slice(0, 20), "4101.00010", "4101.00011", "4101.00012"]);
  expect([...stored].sort()).toEqual(ids.slice(0, 20));
});

test("stopped by its signal, it keeps a checkpoint; the next run resumes there and finishes", async () => {
  const { lines, ids } = withOwnIds("4102");
  const file = path.join(dir, "resume.jsonl");
  await writeFile(file, `${lines.join("\n")}\n`);
  const size = Buffer.byteLength(`${lines.join("\n")}\n`);

  const controller = new AbortController();
  const commits: CommittedBatch[] = [];
  const first = await importKaggle({
    file,
    batchSize: 20,
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

test("--restart ignores a checkpoint and starts at line 1", async () => {
  const { lines } = withOwnIds("4103");
  const file = path.join(dir, "restart.jsonl");
  await writeFile(file, `${lines.join("\n")}\n`);
  const controller = new AbortController();
  const first = await importKaggle({
    file,
    batchSize: 50,
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

test("the CLI imports the sample and prints the summary", async () => {
  const tsx = path.join(ROOT, "node_modules/tsx/dist/cli.mjs");
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [tsx, path.join(ROOT, "scripts/import-kaggle.ts"), ...args],
        { cwd: ROOT, env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? ((error.code as number | null) ?? null) : 0, stdout, stderr }),
      );
    });

  const ok = await run([FIXTURE, "--batch", "50"]);
  expect(ok.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(
    /^done: 200 lines; imported \d+ new papers, \d+ new versions, \d+ updated, \d+ unchanged; 0 bad lines; [\d.]+ s \([\d,]+ lines\/s\)$/m,
  );

  const missing = await run([path.join(dir, "no-such-file.jsonl")]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/No such file: .*no-such-file\.jsonl/);
  expect(missing.stderr).not.toMatch(/\n\s+at /);
}, 90_000);
