// Where the embedding model lives and what a complete model directory holds: the Hugging Face
// layout (config.json, tokenizer.json, onnx/model_quantized.onnx or onnx/model.onnx).
import { existsSync } from "node:fs";
import path from "node:path";
import { env } from "../env";

export const DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2";

/** ONNX files tried in this order: int8 first (about twice as fast on CPU), then fp32. */
export const ONNX_CANDIDATES = ["onnx/model_quantized.onnx", "onnx/model.onnx"] as const;
export const REQUIRED_FILES = ["config.json", "tokenizer.json"] as const;

/** The configured model directory, absolute (EMBEDDING_MODEL_DIR, else DATA_DIR/models/all-MiniLM-L6-v2). */
export function embeddingModelDir(): string {
  const config = env();
  // A run-time path, not part of the build. Turbopack's file tracer reads every path.join/resolve
  // it can partly evaluate: without these comments it includes whatever in the project matches
  // "*/models/all-MiniLM-L6-v2" (the test fixture model) in the server build.
  return path.resolve(
    /*turbopackIgnore: true*/ config.EMBEDDING_MODEL_DIR ?? path.join(/*turbopackIgnore: true*/ config.DATA_DIR, "models", DEFAULT_MODEL_NAME),
  );
}

export type ModelLocation =
  | { ok: true; dir: string; onnxFile: string }
  | { ok: false; dir: string; missing: string[]; message: string };

/** Checks that `dir` holds a usable model; the message names the directory and the missing files. */
export function locateModel(dir: string): ModelLocation {
  // The directory is chosen at run time, so the build has nothing to trace here. Turbopack honours
  // the ignore comment on a plain variable handed to the fs call; on a path.join(...) written inside
  // the call it does not, and `next build` warned that the whole project was traced.
  const present = (f: string) => {
    const file = path.join(/*turbopackIgnore: true*/ dir, f);
    return existsSync(/*turbopackIgnore: true*/ file);
  };
  const missing: string[] = REQUIRED_FILES.filter((f) => !present(f));
  const onnx = ONNX_CANDIDATES.find(present);
  if (!onnx) missing.push(ONNX_CANDIDATES.join(" or "));
  if (missing.length === 0) return { ok: true, dir, onnxFile: path.join(dir, onnx!) };
  return {
    ok: false,
    dir,
    missing,
    message:
      `No embedding model in ${dir} (missing: ${missing.join(", ")}). ` +
      "Run `npm run model:download` (or set EMBEDDING_MODEL_DIR to a directory laid out like a Hugging Face " +
      "download); until then topics learn from the papers' words only and search is full-text only.",
  };
}

/** A file `npm run model:download` fetches: from which Hugging Face repository, and how to verify it. */
export interface ModelFile {
  repo: string;
  file: string;
  /** Size and sha256 of the published file, when recorded; otherwise the download is verified by loading it. */
  bytes?: number;
  sha256?: string;
}

/**
 * all-MiniLM-L6-v2 (Apache-2.0). Tokenizer and config from sentence-transformers' repository, with
 * their recorded sizes and hashes; the int8 ONNX export from the Transformers.js conversion of the
 * same model, whose hash is not recorded here: it is verified by opening it and checking its
 * inputs and outputs.
 */
export const DEFAULT_MODEL_FILES: ModelFile[] = [
  { repo: "sentence-transformers/all-MiniLM-L6-v2", file: "config.json", bytes: 650, sha256: "7135149f7cffa1a573466c6e4d8423ed73b62fd2332c575bf738a0d033f70df7" },
  { repo: "sentence-transformers/all-MiniLM-L6-v2", file: "tokenizer.json", bytes: 711661, sha256: "da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0" },
  { repo: "sentence-transformers/all-MiniLM-L6-v2", file: "tokenizer_config.json", bytes: 366, sha256: "9261e7d79b44c8195c1cada2b453e55b00aeb81e907a6664974b4d7776172ab3" },
  { repo: "sentence-transformers/all-MiniLM-L6-v2", file: "special_tokens_map.json", bytes: 125, sha256: "b6d346be366a7d1d48332dbc9fdf3bf8960b5d879522b7799ddba59e76237ee3" },
  { repo: "sentence-transformers/all-MiniLM-L6-v2", file: "vocab.txt", bytes: 231508, sha256: "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3" },
  { repo: "Xenova/all-MiniLM-L6-v2", file: "onnx/model_quantized.onnx" },
];
