// `npm run embed`: embeds papers in this process, with a progress bar.
//
//   npm run embed -- --all            every paper without a vector for its latest version and the current model
//   npm run embed -- --all --force    every paper again (e.g. after changing the model)
//   npm run embed -- --id 2104.12255 [--id ...]
//
// The embed queue does the same after each crawl; this is for a first fill, or a new model.
import { parseArgs } from "node:util";
import { normalizeArxivId } from "../lib/arxiv/ids";
import { disconnectDb } from "../lib/db";
import { getEmbedder, embedderStatus } from "../lib/embed/embedder";
import { embedPapers } from "../lib/embed/embed-papers";
import { ConfigError, env, loadDotEnv } from "../lib/env";
import { formatDuration, progressLine } from "../lib/progress";
import { openScriptDatabase } from "../lib/runtime";

const USAGE = `Usage:
  npm run embed -- --all [--force]
  npm run embed -- --id 2104.12255 [--id ...] [--force]

Embeds title + abstract of papers whose stored vector is missing or from an older version or
another model (--force: all of them again).`;

class UsageError extends Error {}

async function main(): Promise<number> {
  loadDotEnv();
  const { values } = parseArgs({
    options: { all: { type: "boolean" }, id: { type: "string", multiple: true }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.all && !values.id?.length) throw new UsageError("say which papers: --all or --id");
  if (values.all && values.id?.length) throw new UsageError("--all and --id do not go together");
  const paperIds = values.id?.map((raw) => {
    try {
      return normalizeArxivId(raw).id;
    } catch {
      throw new UsageError(`"${raw}" is not an arXiv id (e.g. 2104.12255, hep-th/9711200)`);
    }
  });

  env();
  const embedder = await getEmbedder();
  if (!embedder) {
    const status = embedderStatus();
    process.stderr.write(`${status.state === "keyword-fallback" ? status.reason : "No embedding model."}\n`);
    return 1;
  }
  const database = await openScriptDatabase();
  try {
    process.stderr.write(`embedding with ${embedder.modelId} (${database.description})\n`);
    const progress = progressLine();
    const started = performance.now();
    const result = await embedPapers(embedder, {
      paperIds,
      force: values.force,
      onProgress: ({ done, total }) => {
        const seconds = (performance.now() - started) / 1000;
        const rate = done / Math.max(seconds, 1e-3);
        progress.update(total ? done / total : 1, `${done}/${total} papers  ${rate.toFixed(1)}/s  ETA ${formatDuration((total - done) / Math.max(rate, 1e-9))}`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    progress.done(
      result.total === 0
        ? "nothing to do: every paper has a current vector"
        : `embedded ${result.done} papers in ${seconds.toFixed(1)} s (${(result.done / seconds).toFixed(1)}/s)`,
    );
    return 0;
  } finally {
    await disconnectDb();
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const expected = error instanceof UsageError || error instanceof ConfigError;
    process.stderr.write(`${expected ? (error as Error).message : (error as Error).stack}\n`);
    if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
    process.exit(expected ? 2 : 1);
  },
);
