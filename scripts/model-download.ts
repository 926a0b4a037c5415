// `npm run model:download`: fetches the embedding model (all-MiniLM-L6-v2, int8 ONNX, ~23 MB) into
// EMBEDDING_MODEL_DIR (default DATA_DIR/models/all-MiniLM-L6-v2), with a progress bar, and verifies it:
// files with a recorded size and sha256 must match them; the ONNX file (no recorded hash) must open
// in onnxruntime with the expected inputs and outputs and give a unit 384-d vector.
//
//   npm run model:download [-- --dir DIR] [--force]
//
// MODEL_DOWNLOAD_URL (default https://huggingface.co) points at a mirror. Files are written as
// FILE.part and renamed only once verified, so an interrupted or bad download leaves nothing half-done.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { EMBEDDING_DIMENSIONS } from "../lib/embed/embedder";
import { DEFAULT_MODEL_FILES, embeddingModelDir, locateModel, type ModelFile } from "../lib/embed/model-files";
import { loadOnnxEmbedder } from "../lib/embed/onnx-embedder";
import { ConfigError, env, loadDotEnv } from "../lib/env";
import { progressLine } from "../lib/progress";

class DownloadError extends Error {}

async function sha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function matchesRecord(file: string, spec: ModelFile): Promise<boolean> {
  if (!existsSync(file)) return false;
  if (!spec.sha256) return true; // verified by loading, below
  return statSync(file).size === spec.bytes && (await sha256(file)) === spec.sha256;
}

async function download(url: string, target: string, label: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(600_000) });
  } catch (error) {
    throw new DownloadError(
      `cannot reach ${url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}. ` +
        "Check the network, or set MODEL_DOWNLOAD_URL to a mirror.",
    );
  }
  if (!response.ok || !response.body) throw new DownloadError(`${url} answered HTTP ${response.status}`);
  const total = Number(response.headers.get("content-length")) || 0;
  const progress = progressLine();
  const part = `${target}.part`;
  mkdirSync(path.dirname(target), { recursive: true });
  const handle = await open(part, "w");
  let received = 0;
  try {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value: chunk } = await reader.read();
      if (done) break;
      await handle.write(chunk);
      received += chunk.length;
      progress.update(total ? received / total : 0, `${label}  ${(received / 1e6).toFixed(1)}${total ? ` of ${(total / 1e6).toFixed(1)}` : ""} MB`);
    }
  } catch (error) {
    await handle.close();
    rmSync(part, { force: true });
    throw new DownloadError(`download of ${url} broke off after ${received} bytes: ${(error as Error).message}`);
  }
  await handle.close();
  progress.done(`${label}  ${(received / 1e6).toFixed(1)} MB`);
}

async function main(): Promise<number> {
  loadDotEnv();
  const { values } = parseArgs({ options: { dir: { type: "string" }, force: { type: "boolean" } } });
  const config = env();
  const dir = path.resolve(values.dir ?? embeddingModelDir());
  const base = config.MODEL_DOWNLOAD_URL.replace(/\/$/, "");
  process.stderr.write(`model directory: ${dir}\n`);

  for (const spec of DEFAULT_MODEL_FILES) {
    const target = path.join(dir, spec.file);
    if (!values.force && (await matchesRecord(target, spec))) {
      process.stderr.write(`${spec.file}: present${spec.sha256 ? ", sha256 matches" : ""}\n`);
      continue;
    }
    const url = `${base}/${spec.repo}/resolve/main/${spec.file}`;
    await download(url, target, spec.file);
    const part = `${target}.part`;
    if (spec.sha256) {
      const [size, digest] = [statSync(part).size, await sha256(part)];
      if (size !== spec.bytes || digest !== spec.sha256) {
        rmSync(part, { force: true });
        throw new DownloadError(
          `${spec.file} from ${url} is not the published file: ${size} bytes, sha256 ${digest}; expected ${spec.bytes} bytes, sha256 ${spec.sha256}`,
        );
      }
    }
    renameSync(part, target);
  }

  // Every file is in place: the model must load and behave like a sentence-embedding model.
  const location = locateModel(dir);
  if (!location.ok) throw new DownloadError(location.message);
  let embedder;
  try {
    embedder = await loadOnnxEmbedder({ dir, onnxFile: location.onnxFile, device: "cpu", threads: 1 });
  } catch (error) {
    throw new DownloadError(`${location.onnxFile} does not load as an embedding model (${(error as Error).message}); run again with --force`);
  }
  const inputs = [...embedder.session.inputNames];
  try {
    const [vector] = await embedder.embed(["A quick check that the model runs."]);
    const norm = Math.hypot(...vector!);
    if (vector!.length !== EMBEDDING_DIMENSIONS || Math.abs(norm - 1) > 1e-3) {
      throw new DownloadError(`the model gives ${vector!.length}-d vectors of length ${norm.toFixed(3)}; expected ${EMBEDDING_DIMENSIONS}-d unit vectors`);
    }
  } finally {
    await embedder.release();
  }
  process.stdout.write(
    `verified: tokenizer and config match their recorded sha256; ${path.relative(dir, location.onnxFile)} opens with inputs ` +
      `${inputs.join(", ")} and gives ${EMBEDDING_DIMENSIONS}-d unit vectors (model ${embedder.modelId}).\n` +
      "Restart the app (or wait a minute) to use it, then `npm run embed -- --all` embeds the stored papers.\n",
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const expected = error instanceof DownloadError || error instanceof ConfigError;
    process.stderr.write(`${expected ? `model download failed: ${(error as Error).message}` : (error as Error).stack}\n`);
    process.exit(1);
  },
);
