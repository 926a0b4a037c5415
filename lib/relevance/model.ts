// A topic's learned model, as pure functions: from labelled examples (feature vectors of
// lib/relevance/features.ts, plus embeddings when a model is installed) to a linear model over the
// hashed term dimensions and the embedding, and the same arithmetic the listing's SQL does to score
// (lib/relevance/score-sql.ts). The worker job (lib/relevance/train.ts) gathers the examples from the
// database and stores what this returns.
//
// Training set: positives (seed/added papers, the topic's own text, starred papers when the reader
// asked for that), explicit negatives ("not interested"), and background papers (a sample of recent
// papers, most of which are not about the topic). Classes are balanced: the positives' weights sum to
// the negatives'; an explicit negative weighs NEGATIVE_WEIGHT background papers. Term features are
// tf-idf (the stored sublinear, normalised tf times the corpus' idf at training time), so the weights
// stored per dimension are w·idf and scoring needs no idf. The embedding (when present) is a block of
// dense features with its own penalty: the classifier learns how much it counts, and it is not
// assumed to be meaningful (a random-weight model gets small weights).
import { trainLogistic, type SparseRow } from "./logistic";

export type ExampleKind = "positive" | "negative" | "background";

export interface Example {
  kind: ExampleKind;
  indices: Int32Array;
  values: Float32Array;
  /** The term of each dimension (for the model's explanations); may be shorter (unknown names). */
  terms?: string[];
  /** The paper's (or topic text's) embedding, or null/undefined when it has none. */
  dense?: Float32Array | null;
}

export interface ModelOptions {
  /** L2 penalty on term weights (per unit of total sample weight). */
  lambda: number;
  /** The embedding block's penalty, as a multiple of lambda. */
  denseLambdaFactor: number;
  /** An explicit "not interested" counts as this many background papers. */
  negativeWeight: number;
  /** Term weights kept (the largest in magnitude): bounds the cost of scoring. */
  maxTerms: number;
  /** Scale of the dense block (an embedding is unit length; terms carry ~1 as well). */
  denseScale: number;
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = {
  lambda: 0.01,
  denseLambdaFactor: 10,
  negativeWeight: 5,
  maxTerms: 4_000,
  denseScale: 1,
};

export interface LinearModel {
  /** Term dimensions, ascending, with their weights (w·idf) and names. */
  dims: Int32Array;
  weights: Float32Array;
  terms: string[];
  /** Weights of the embedding block (already multiplied by denseScale), or null without embeddings. */
  dense: Float32Array | null;
  bias: number;
  /**
   * Margins of recent papers the model was not trained on, ascending (at most QUANTILES of them,
   * evenly spaced; set by withQuantiles): a paper's learned score is where its margin falls among
   * them, "higher than x% of recent papers".
   */
  quantiles: Float64Array;
  iterations: number;
}

/** Background margins kept for the score's percentile scale. */
export const QUANTILES = 201;

/**
 * Fits a topic's model. `idfOf(dim)` gives the corpus idf of a term dimension. Needs at least one
 * positive and one negative or background example.
 */
export function fitModel(examples: Example[], idfOf: (dim: number) => number, options: ModelOptions = DEFAULT_MODEL_OPTIONS): LinearModel {
  const column = new Map<number, number>();
  const names = new Map<number, string>();
  const dims: number[] = [];
  const rows: SparseRow[] = examples.map((ex) => {
    const cols = new Int32Array(ex.indices.length);
    const vals = new Float64Array(ex.indices.length);
    for (let k = 0; k < ex.indices.length; k++) {
      const dim = ex.indices[k]!;
      let c = column.get(dim);
      if (c === undefined) {
        c = dims.length;
        column.set(dim, c);
        dims.push(dim);
      }
      const name = ex.terms?.[k];
      if (name !== undefined && !names.has(dim)) names.set(dim, name);
      cols[k] = c;
      vals[k] = ex.values[k]! * idfOf(dim);
    }
    return { cols, vals };
  });
  const denseDim = examples.find((e) => e.dense)?.dense?.length ?? 0;
  const dense = denseDim
    ? examples.map((e) => (e.dense ? (options.denseScale === 1 ? e.dense : e.dense.map((x) => x * options.denseScale)) : null))
    : undefined;
  const total = examples.length;
  const kinds = examples.map((e) => e.kind);
  const unit = (k: ExampleKind) => (k === "negative" ? options.negativeWeight : 1);
  const positiveMass = kinds.filter((k) => k === "positive").length;
  const negativeMass = kinds.reduce((s, k) => s + (k === "positive" ? 0 : unit(k)), 0);
  if (!positiveMass || !negativeMass) throw new Error("a topic model needs positive and negative (or background) examples");
  const fit = trainLogistic({
    rows,
    columns: dims.length,
    dense,
    denseDim,
    positive: kinds.map((k) => k === "positive"),
    // Balanced: each class carries half the total weight.
    weight: new Float64Array(kinds.map((k) => (unit(k) * total) / (2 * (k === "positive" ? positiveMass : negativeMass)))),
    lambda: options.lambda * total,
    denseLambdaFactor: options.denseLambdaFactor,
  });
  // Keep the largest weights (scaled by idf, as scoring sees them), by dimension.
  const scaled = dims.map((dim, c) => ({ dim, w: fit.w[c]! * idfOf(dim) }));
  const kept = scaled
    .filter((x) => x.w !== 0)
    .sort((a, b) => Math.abs(b.w) - Math.abs(a.w))
    .slice(0, options.maxTerms)
    .sort((a, b) => a.dim - b.dim);
  return {
    quantiles: new Float64Array(0),
    dims: Int32Array.from(kept, (x) => x.dim),
    weights: Float32Array.from(kept, (x) => x.w),
    terms: kept.map((x) => names.get(x.dim) ?? ""),
    dense: denseDim ? Float32Array.from(fit.u, (x) => x * options.denseScale) : null,
    bias: fit.bias,
    iterations: fit.iterations,
  };
}

/**
 * The model with its percentile scale: the margins, under the weights as stored (pruned, float32:
 * what the SQL multiplies), of `calibration` papers — recent papers it was not trained on, since the
 * margins of its own training papers are biased towards the class they were given.
 */
export function withQuantiles(model: LinearModel, calibration: { indices: Int32Array; values: Float32Array; dense?: Float32Array | null }[]): LinearModel {
  const margins = calibration.map((p) => margin(model, p, p.dense)).sort((a, b) => a - b);
  const quantiles =
    margins.length <= QUANTILES
      ? Float64Array.from(margins)
      : Float64Array.from({ length: QUANTILES }, (_, i) => margins[Math.round((i * (margins.length - 1)) / (QUANTILES - 1))]!);
  return { ...model, quantiles };
}

/** The model's margin for a paper (the SQL computes the same). */
export function margin(model: Pick<LinearModel, "dims" | "weights" | "dense" | "bias">, features: { indices: Int32Array; values: Float32Array }, dense?: Float32Array | null): number {
  let z = model.bias;
  let i = 0;
  let j = 0;
  while (i < features.indices.length && j < model.dims.length) {
    const a = features.indices[i]!;
    const b = model.dims[j]!;
    if (a === b) z += features.values[i++]! * model.weights[j++]!;
    else if (a < b) i++;
    else j++;
  }
  if (dense && model.dense) for (let k = 0; k < dense.length; k++) z += dense[k]! * model.dense[k]!;
  return z;
}

/**
 * The learned score (0..1) of a margin: its place among the background papers' margins, linear
 * between neighbours; 0 at or below the lowest, 1 at or above the highest (the SQL computes the same).
 */
export function percentile(quantiles: ArrayLike<number>, z: number): number {
  const n = quantiles.length;
  if (n === 0) return 0;
  if (n === 1) return z >= quantiles[0]! ? 1 : 0;
  // b = how many quantiles are ≤ z (as PostgreSQL's width_bucket with a thresholds array).
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (quantiles[mid]! <= z) lo = mid + 1;
    else hi = mid;
  }
  const b = lo;
  if (b === 0) return 0;
  if (b >= n) return 1;
  const lower = quantiles[b - 1]!;
  const upper = quantiles[b]!;
  const frac = upper > lower ? (z - lower) / (upper - lower) : 0;
  return (b - 1 + frac) / (n - 1);
}

/** The terms that add most to a paper's margin (positive contributions only), largest first. */
export function topContributions(
  model: Pick<LinearModel, "dims" | "weights" | "terms">,
  features: { indices: Int32Array; values: Float32Array; terms?: string[] },
  count: number,
): { term: string; contribution: number }[] {
  const out: { term: string; contribution: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < features.indices.length && j < model.dims.length) {
    const a = features.indices[i]!;
    const b = model.dims[j]!;
    if (a === b) {
      const c = features.values[i]! * model.weights[j]!;
      // The paper's own spelling of the term, else the model's (they differ only on a hash collision).
      const term = features.terms?.[i] || model.terms[j];
      if (c > 0 && term) out.push({ term, contribution: c });
      i++;
      j++;
    } else if (a < b) i++;
    else j++;
  }
  return out.sort((x, y) => y.contribution - x.contribution).slice(0, count);
}
