// `npm run import:kaggle -- <file.jsonl> [--batch N] [--connections N] [--restart]`: the command line around
// lib/import/kaggle.ts. Owns argument parsing, the database to write to (DATABASE_URL, else the
// running app's embedded database, else the embedded one under DATA_DIR opened here; see
// lib/runtime.ts), the progress line, Ctrl+C and the summary. The batches go to the database with
// COPY through postgres.js (lib/import/sql.ts), beside Prisma's connection to the same database.
import { parseArgs } from "node:util";
import { checkDatabase, StartupError } from "../lib/connectivity";
import { disconnectDb } from "../lib/db";
import { EmbeddedDatabaseError } from "../lib/embedded-postgres";
import { ConfigError, loadDotEnv, parseEnv } from "../lib/env";
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONNECTIONS,
  importKaggle,
  KaggleImportError,
  MAX_BATCH_SIZE,
  MAX_CONNECTIONS,
  type KaggleImportProgress,
  type KaggleImportResult,
} from "../lib/import/kaggle";
import { closeImportSql } from "../lib/import/sql";
import { applyMigrations, MigrationError } from "../lib/migrate";
import { redactUrl } from "../lib/queue";
import { openScriptDatabase, type ScriptDatabase } from "../lib/runtime";

const USAGE = `Usage: npm run import:kaggle -- <arxiv-metadata-oai-snapshot.json> [--batch ${DEFAULT_BATCH_SIZE}] [--connections ${DEFAULT_CONNECTIONS}] [--restart]

Imports the Kaggle arXiv metadata snapshot (JSON lines) into the papers database.
Stopped with Ctrl+C, the same command continues where it stopped.

  --batch N        lines per database transaction, and per step of the saved position
                   (default ${DEFAULT_BATCH_SIZE})
  --connections N  batches written at once, each on a connection of its own (default
                   ${DEFAULT_CONNECTIONS}; more helps up to the database server's number of cores;
                   the embedded database writes one at a time)
  --restart        ignore the position saved by an earlier, unfinished run and start at line 1
`;

/** A mistake in how the command was called: printed with the usage, exit code 2. */
class UsageError extends Error {}

const say = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

function parseCommandLine(argv: string[]): { file: string; batchSize: number; connections: number; restart: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        batch: { type: "string" },
        connections: { type: "string" },
        restart: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const [file, ...extra] = parsed.positionals;
  if (!file) throw new UsageError("Name the snapshot file to import.");
  if (extra.length > 0) throw new UsageError(`One file at a time (got also: ${extra.join(" ")}).`);
  const batchSize = parsed.values.batch === undefined ? DEFAULT_BATCH_SIZE : Number(parsed.values.batch);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new UsageError(
      `--batch takes a whole number of lines from 1 to ${MAX_BATCH_SIZE.toLocaleString("en-US")} (got "${parsed.values.batch}").`,
    );
  }
  const connections = parsed.values.connections === undefined ? DEFAULT_CONNECTIONS : Number(parsed.values.connections);
  if (!Number.isSafeInteger(connections) || connections < 1 || connections > MAX_CONNECTIONS) {
    throw new UsageError(`--connections takes a whole number from 1 to ${MAX_CONNECTIONS} (got "${parsed.values.connections}").`);
  }
  return { file, batchSize, connections, restart: parsed.values.restart };
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${String(m).padStart(2, "0")} min` : `${m} min ${String(s % 60).padStart(2, "0")} s`;
}

/**
 * Progress on stderr. On a terminal: one line redrawn at most 5 times a second (bar, %, lines,
 * lines/s, ETA). Otherwise (a log file, CI): a plain line every 5 s. Rates count this run only.
 */
function progressReporter(): { update(p: KaggleImportProgress): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  const interval = tty ? 200 : 5_000;
  let last = 0;
  let drawn = false;
  // After done() (the end, or Ctrl+C), nothing is drawn: the messages that follow stay readable.
  let finished = false;
  let latest: KaggleImportProgress | undefined;
  const render = (p: KaggleImportProgress): string => {
    const fraction = p.totalBytes > 0 ? p.bytesDone / p.totalBytes : 1;
    const seconds = p.elapsedMs / 1000;
    const rate = seconds > 0 ? (p.linesDone - p.startLine) / seconds : 0;
    const byteRate = seconds > 0 ? (p.bytesDone - p.startOffset) / seconds : 0;
    const eta = byteRate > 0 ? duration(((p.totalBytes - p.bytesDone) / byteRate) * 1000) : "?";
    const text = `${(fraction * 100).toFixed(1).padStart(5)}%  ${fmt(p.linesDone)} lines  ${fmt(rate)} lines/s  ETA ${eta}`;
    if (!tty) return `[import] ${text}`;
    const width = 24;
    const full = Math.min(width, Math.floor(fraction * width));
    return `[${"#".repeat(full)}${"-".repeat(width - full)}] ${text}`;
  };
  const draw = (p: KaggleImportProgress) => {
    const line = render(p);
    if (tty) {
      // Cut to the terminal so the line never wraps (a wrapped line cannot be redrawn in place).
      process.stderr.write(`\r${line.slice(0, (process.stderr.columns || 80) - 1)}\x1b[K`);
      drawn = true;
    } else {
      say(line);
    }
  };
  return {
    update(p) {
      if (finished) return;
      latest = p;
      const now = performance.now();
      if (now - last < interval) return;
      last = now;
      draw(p);
    },
    done() {
      if (finished) return;
      finished = true;
      if (tty && latest) draw(latest);
      if (drawn) process.stderr.write("\n");
      drawn = false;
    },
  };
}

function summary(result: KaggleImportResult): string[] {
  const c = result.counts;
  const seconds = result.elapsedMs / 1000;
  const rate = seconds > 0 ? result.linesThisRun / seconds : 0;
  const lines = [
    `done: ${fmt(result.lines)} lines; imported ${fmt(c.newPapers)} new papers, ${fmt(c.newVersions)} new versions, ` +
      `${fmt(c.updated)} updated, ${fmt(c.unchanged)} unchanged; ${fmt(result.badLines)} bad lines; ` +
      `${duration(result.elapsedMs)} (${fmt(rate)} lines/s)`,
  ];
  if (result.resumedFrom) {
    lines.push(`  (this run started at line ${fmt(result.resumedFrom.line)}; the counts include the earlier run)`);
  }
  return lines;
}

function badLineReport(result: KaggleImportResult): string[] {
  if (result.badLines === 0) return [];
  const more = result.badLines - result.badLineSamples.length;
  return [
    `${fmt(result.badLines)} line(s) could not be imported${more > 0 ? `; the first ${result.badLineSamples.length}` : ""}:`,
    ...result.badLineSamples.map((b) => `  line ${fmt(b.line)}: ${b.reason}`),
    ...(more > 0 ? [`  … and ${fmt(more)} more`] : []),
  ];
}

async function main(): Promise<number> {
  const args = parseCommandLine(process.argv.slice(2));
  let database: ScriptDatabase | undefined;
  const controller = new AbortController();
  let interrupts = 0;
  // Lines committed so far, earlier runs included, once the import has said so.
  let committedLines: number | undefined;
  const progress = progressReporter();
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) {
      progress.done();
      say("stopping after the batches being written … (Ctrl+C again to stop at once)");
      controller.abort();
      return;
    }
    progress.done();
    const where = committedLines === undefined ? "" : ` at line ${fmt(committedLines + 1)}`;
    say(`stopped${where}; run the same command again to resume`);
    process.exit(130);
  };

  // From the start: a Ctrl+C while the embedded database opens lets it open, then stops cleanly.
  process.on("SIGINT", onSigint);
  try {
    loadDotEnv();
    const config = parseEnv(process.env);
    if (config.DATABASE_URL) await checkDatabase(config.DATABASE_URL);
    // While `npm start` runs on the embedded database, through the app: PGlite's files must have one writer.
    database = await openScriptDatabase();
    say(`database: ${config.DATABASE_URL ? `PostgreSQL at ${redactUrl(config.DATABASE_URL)}` : database.description}`);
    await applyMigrations(database.url, { log: say });

    const result = await importKaggle({
      file: args.file,
      batchSize: args.batchSize,
      connections: args.connections,
      restart: args.restart,
      signal: controller.signal,
      onNotice: say,
      onProgress: (p) => {
        committedLines = p.linesCommitted;
        progress.update(p);
      },
      onCommit: (c) => (committedLines = c.lines),
    });
    progress.done();
    for (const line of badLineReport(result)) say(line);
    if (result.stopped) {
      say(`stopped at line ${fmt(result.lines + 1)}; run the same command again to resume`);
      return 130;
    }
    process.stdout.write(`${summary(result).join("\n")}\n`);
    return 0;
  } catch (error) {
    progress.done();
    const expected =
      error instanceof KaggleImportError ||
      error instanceof ConfigError ||
      error instanceof StartupError ||
      error instanceof EmbeddedDatabaseError ||
      error instanceof MigrationError;
    say(expected ? (error as Error).message : ((error as Error).stack ?? String(error)));
    if (error instanceof KaggleImportError && error.committedLines) {
      say(`the position after line ${fmt(error.committedLines)} is saved; run the same command again to resume`);
    }
    return 1;
  } finally {
    process.off("SIGINT", onSigint);
    // The import closes its COPY connection itself; this covers a failure before or around it.
    await closeImportSql().catch(() => {});
    await disconnectDb().catch(() => {});
    await database?.close().catch(() => {});
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  say(`${error.message}\n\n${USAGE}`);
  process.exitCode = 2;
}
