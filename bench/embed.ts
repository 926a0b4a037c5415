// `npm run bench:embed [-- --texts 200] [--threads 2] [--batches 1,8,32] [--rounds 3]`: embedding
// throughput on the CPU, abstracts/s, for the int8 and the fp32 model, per batch size: the bare
// onnxruntime session on pre-tokenised, pre-built tensors beside the app's full pipeline
// (tokenise, sort by length, pad, run, mean-pool, normalise), and the pipeline as a share of bare.
// The model is the full-size MiniLM-shaped random-weight one (same graph size and shapes as
// all-MiniLM-L6-v2: 6 layers, 384 hidden, 1536 FFN, 30522 vocab); the texts are the title +
// abstract of the 200 real arXiv records in tests/fixtures/arxiv/kaggle. Prints figures, asserts none.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as ort from "onnxruntime-node";
import { paperText } from "../lib/embed/embedder";
import { loadOnnxEmbedder, OUTPUT_NAME, type OnnxEmbedder } from "../lib/embed/onnx-embedder";

const ROOT = path.resolve(import.meta.dirname, "..");
const MODEL_DIR = path.join(ROOT, "data/bench-models/minilm-random");
const TOKENIZER_DIR = path.join(ROOT, "tests/fixtures/models/all-MiniLM-L6-v2");
const KAGGLE = path.join(ROOT, "tests/fixtures/arxiv/kaggle/wanng-ide_snapshot_first200.jsonl");

const { values: args } = parseArgs({
  options: {
    texts: { type: "string", default: "200" },
    threads: { type: "string", default: "2" },
    batches: { type: "string", default: "1,8,32" },
    rounds: { type: "string", default: "3" },
    "max-tokens": { type: "string", default: "256" },
  },
});
const threads = Number(args.threads);
const batches = args.batches.split(",").map(Number);
const rounds = Number(args.rounds);
const maxTokens = Number(args["max-tokens"]);

function ensureModels(): void {
  const files = ["onnx/model_quantized.onnx", "onnx/model.onnx"].map((f) => path.join(MODEL_DIR, f));
  if (files.every(existsSync)) return;
  console.log(`generating the MiniLM-shaped random models in ${path.relative(ROOT, MODEL_DIR)} (python3 scripts/make-test-model.py full) …`);
  const result = spawnSync("python3", ["scripts/make-test-model.py", "full", MODEL_DIR], { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(
      "Could not generate them: the script needs Python 3 with the onnx package (Debian: apt-get install python3-onnx; " +
        "or pip install onnx numpy). Run `python3 scripts/make-test-model.py full data/bench-models/minilm-random` yourself, then again.",
    );
    process.exit(1);
  }
}

function loadTexts(n: number): string[] {
  const records = readFileSync(KAGGLE, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { title: string; abstract: string });
  const texts = records.map((r) => paperText(r.title.replace(/\s+/g, " "), r.abstract.replace(/\s+/g, " ")));
  return Array.from({ length: n }, (_, i) => texts[i % texts.length]!);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The bare session: the same batches (sorted, padded) as tensors built before the clock starts. */
async function bare(embedder: OnnxEmbedder, texts: string[], batchSize: number): Promise<number> {
  const encoded = texts.map((t) => embedder.tokenizer.encode(t)).sort((a, b) => a.ids.length - b.ids.length);
  const wantsTypes = embedder.session.inputNames.includes("token_type_ids");
  const feeds: Record<string, ort.Tensor>[] = [];
  for (let i = 0; i < encoded.length; i += batchSize) {
    const batch = encoded.slice(i, i + batchSize);
    const seq = Math.max(...batch.map((t) => t.ids.length));
    const ids = new BigInt64Array(batch.length * seq);
    const mask = new BigInt64Array(batch.length * seq);
    batch.forEach((t, b) => t.ids.forEach((id, s) => ((ids[b * seq + s] = BigInt(id)), (mask[b * seq + s] = 1n))));
    const dims = [batch.length, seq];
    feeds.push({
      input_ids: new ort.Tensor("int64", ids, dims),
      attention_mask: new ort.Tensor("int64", mask, dims),
      ...(wantsTypes ? { token_type_ids: new ort.Tensor("int64", new BigInt64Array(batch.length * seq), dims) } : {}),
    });
  }
  const started = performance.now();
  for (const feed of feeds) {
    const out = await embedder.session.run(feed, [OUTPUT_NAME]);
    out[OUTPUT_NAME]!.dispose();
  }
  return texts.length / ((performance.now() - started) / 1000);
}

async function pipeline(embedder: OnnxEmbedder, texts: string[]): Promise<number> {
  const started = performance.now();
  const vectors = await embedder.embed(texts);
  const rate = texts.length / ((performance.now() - started) / 1000);
  if (vectors.length !== texts.length) throw new Error("pipeline returned the wrong number of vectors");
  return rate;
}

async function main(): Promise<void> {
  ensureModels();
  for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"]) {
    copyFileSync(path.join(TOKENIZER_DIR, f), path.join(MODEL_DIR, f));
  }
  const texts = loadTexts(Number(args.texts));
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} × ${cpus[0]?.model ?? "?"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
      `onnxruntime-node ${ort.env.versions.common}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  );
  console.log(`model: random weights, MiniLM-L6 shape; ${texts.length} abstracts (title + abstract, ≤ ${maxTokens} tokens); ${threads} thread(s); device cpu; best of ${rounds} rounds`);
  console.log("");
  console.log("model  batch   bare abstracts/s   pipeline abstracts/s   pipeline/bare");
  for (const [label, file] of [["int8", "onnx/model_quantized.onnx"], ["fp32", "onnx/model.onnx"]] as const) {
    for (const batchSize of batches) {
      const embedder = await loadOnnxEmbedder({ dir: MODEL_DIR, onnxFile: path.join(MODEL_DIR, file), threads, batchSize, maxTokens });
      try {
        await pipeline(embedder, texts.slice(0, Math.min(16, texts.length))); // warm-up
        const bareRates: number[] = [];
        const pipeRates: number[] = [];
        // Alternate the two so a busy moment on the machine hits both alike.
        for (let r = 0; r < rounds; r++) {
          bareRates.push(await bare(embedder, texts, batchSize));
          pipeRates.push(await pipeline(embedder, texts));
        }
        // Best round of each: on a machine shared with other work, the fastest round is the one least
        // disturbed (as bench:ingest compares minimum times); the median is printed beside it.
        const [b, p] = [Math.max(...bareRates), Math.max(...pipeRates)];
        console.log(
          `${label.padEnd(5)}  ${String(batchSize).padStart(5)}   ${b.toFixed(1).padStart(16)}   ${p.toFixed(1).padStart(20)}   ${((p / b) * 100).toFixed(0).padStart(12)} %` +
            `   (medians ${median(bareRates).toFixed(1)} / ${median(pipeRates).toFixed(1)})`,
        );
      } finally {
        await embedder.release();
      }
    }
  }
  const tokens = texts.map((t) => loadTokenCount(t));
  console.log("");
  console.log(`tokens per abstract: median ${median(tokens)}, max ${Math.max(...tokens)} (after truncation)`);
  console.log("Targets: int8 ≥ 100 abstracts/s on 2 cores; pipeline ≥ 90 % of bare. CUDA is not measured here.");
}

let counter: OnnxEmbedder["tokenizer"] | undefined;
function loadTokenCount(text: string): number {
  return counter!.encode(text).ids.length;
}

const { loadTokenizer } = await import("../lib/embed/tokenize");
counter = loadTokenizer(TOKENIZER_DIR, maxTokens);
await main();
