// The learned topic models (lib/relevance) as the tests check them, from what is stored: the rows of
// topic_models, paper_features and paper_embeddings read back and parsed here (not with the app's
// parsers); the margin b + w·x + u·e computed here and as pgvector sums it; its percentile among the
// stored background margins and the blend with the keyword part (lib/topics/blend.ts), checked
// against a listing ranked by the topic; the explanation's terms and "most like" paper by hand.
// Also the short paper texts the model tests build their corpora from, and, for page tests, the
// cards of a listing ranked by a topic as the browser shows them.
import type { Client } from "pg";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import type { ScoredPaper } from "../../lib/queries/topics";
import { featurize } from "../../lib/relevance/features";
import { KEYWORD_BOOST } from "../../lib/topics/blend";
import { waitFor, type WaitOptions } from "./wait";

// ── Stored rows, read back ──────────────────────────────────────────────────────────────────────

/** A sparse vector: its dimensions (ascending, as pgvector writes them) and their values. */
export interface Sparse {
  dims: number[];
  values: number[];
}

/** pgvector's sparsevec text ({dim:value,...}/n), parsed here; `dim`, when given, is the n it must have. */
export function parseSparse(text: string, dim?: number): Sparse {
  const m = /^\{(.*)\}\/(\d+)$/.exec(text);
  expect(m, `sparsevec text ${text.slice(0, 40)}`).not.toBeNull();
  if (dim !== undefined) expect(Number(m![2])).toBe(dim);
  const dims: number[] = [];
  const values: number[] = [];
  for (const pair of m![1] ? m![1].split(",") : []) {
    const [d, v] = pair.split(":");
    dims.push(Number(d));
    values.push(Number(v));
  }
  return { dims, values };
}

/** A sparse vector's [dimension, value] pairs, in its order. */
export const sparseEntries = (x: Sparse): [number, number][] => x.dims.map((d, i) => [d, x.values[i]!]);

/** x·w for a sparse x and weights by dimension. */
export const sparseDot = (x: Sparse, w: Map<number, number>) => sparseEntries(x).reduce((s, [d, v]) => s + v * (w.get(d) ?? 0), 0);

export interface StoredModel {
  weights: Map<number, number>;
  weightsText: string;
  terms: string[];
  bias: number;
  dense: number[] | null;
  denseText: string | null;
  embeddingModel: string | null;
  positives: number;
  negatives: number;
  background: number;
  labelsAt: Date;
  trainedAt: Date;
  quantiles: number[];
}

/** What a stored model row is checked against as it is read. */
export interface StoredModelChecks {
  /** The dimension its weights' sparsevec must have (FEATURE_DIM). */
  dim?: number;
  /** The feature recipe it must record (FEATURE_VERSION); with it, one term name per weight. */
  featureVersion?: number;
}

const MODEL_ROW = `SELECT weights::text AS weights, terms, bias, dense::text AS dense, embedding_model, positives, negatives, background,
                          labels_at, trained_at, feature_version, quantiles
                   FROM topic_models WHERE topic_id = $1::uuid`;

function modelFromRow(r: Record<string, any>, checks: StoredModelChecks): StoredModel {
  if (checks.featureVersion !== undefined) expect(r.feature_version).toBe(checks.featureVersion);
  const w = parseSparse(r.weights, checks.dim);
  if (checks.featureVersion !== undefined) expect(r.terms).toHaveLength(w.dims.length);
  return {
    weights: new Map(sparseEntries(w)),
    weightsText: r.weights,
    terms: r.terms,
    bias: r.bias,
    dense: r.dense === null ? null : (JSON.parse(r.dense) as number[]),
    denseText: r.dense,
    embeddingModel: r.embedding_model,
    positives: r.positives,
    negatives: r.negatives,
    background: r.background,
    labelsAt: r.labels_at,
    trainedAt: r.trained_at,
    quantiles: r.quantiles,
  };
}

/** The topic's trained model as stored (topic_models), or null when it has none. */
export async function storedModel(sql: Client, topicId: string, checks: StoredModelChecks = {}): Promise<StoredModel | null> {
  const { rows } = await sql.query(MODEL_ROW, [topicId]);
  return rows[0] ? modelFromRow(rows[0], checks) : null;
}

/** The topic's trained model as stored, which must be there. */
export async function expectStoredModel(sql: Client, topicId: string, checks: StoredModelChecks = {}): Promise<StoredModel> {
  const { rows } = await sql.query(MODEL_ROW, [topicId]);
  expect(rows, "a stored model").toHaveLength(1);
  return modelFromRow(rows[0], checks);
}

/** The papers' stored term vectors (paper_features) and the paper version each is of; `dim` as parseSparse's. */
export async function storedFeatures(sql: Client, paperIds: string[], dim?: number): Promise<Map<string, Sparse & { version: number }>> {
  const { rows } = await sql.query(`SELECT paper_id, version, vector::text AS vector FROM paper_features WHERE paper_id = ANY($1)`, [paperIds]);
  return new Map(rows.map((r) => [r.paper_id as string, { ...parseSparse(r.vector, dim), version: r.version as number }]));
}

export interface StoredEmbedding {
  model: string;
  v: number[];
}

/** The papers' stored embeddings (paper_embeddings) and the model each came from. */
export async function storedEmbeddings(sql: Client, paperIds: string[]): Promise<Map<string, StoredEmbedding>> {
  const { rows } = await sql.query(`SELECT paper_id, model, embedding::text AS v FROM paper_embeddings WHERE paper_id = ANY($1)`, [paperIds]);
  return new Map(rows.map((r) => [r.paper_id as string, { model: r.model as string, v: JSON.parse(r.v) as number[] }]));
}

/** Stores (or replaces) a paper's embedding, `vector` in pgvector's text (toPgVector), as `model`'s. */
export async function storeEmbedding(sql: Client, paperId: string, model: string, vector: string): Promise<void> {
  await sql.query(
    `INSERT INTO paper_embeddings (paper_id, version, model, embedding) VALUES ($1, 1, $2, $3::vector)
     ON CONFLICT (paper_id) DO UPDATE SET model = EXCLUDED.model, embedding = EXCLUDED.embedding`,
    [paperId, model, vector],
  );
}

// ── The score, recomputed ───────────────────────────────────────────────────────────────────────

/**
 * pgvector's own sums for these papers (in float4, as the listing's): w·x, and u·e for a vector of the
 * model's embedding model. Asked with a statement of the test's own, not the app's.
 */
export async function pgvectorSums(sql: Client, topicId: string, paperIds: string[]): Promise<Map<string, number>> {
  const { rows } = await sql.query<{ paper_id: string; wx: number | null; ue: number | null }>(
    `SELECT p.id AS paper_id, -(pf.vector <#> m.weights) AS wx,
            (SELECT -(e.embedding <#> m.dense) FROM paper_embeddings e WHERE e.paper_id = p.id AND e.model = m.embedding_model) AS ue
     FROM topic_models m CROSS JOIN unnest($2::text[]) AS p(id) LEFT JOIN paper_features pf ON pf.paper_id = p.id
     WHERE m.topic_id = $1::uuid`,
    [topicId, paperIds],
  );
  return new Map(rows.map((r) => [r.paper_id, (r.wx ?? 0) + (r.ue ?? 0)]));
}

/**
 * The model part: where the margin falls among the stored background margins (ascending), linear
 * between neighbours, 0 at or below the lowest, 1 at or above the highest (blend.ts).
 */
export function pct(q: number[], z: number): number {
  const n = q.length;
  if (n === 0) return 0;
  const below = q.filter((x) => x <= z).length;
  if (below === 0) return 0;
  if (below >= n) return 1;
  const gap = q[below]! - q[below - 1]!;
  return (below - 1 + (gap > 0 ? (z - q[below - 1]!) / gap : 0)) / (n - 1);
}

/** blend.ts by hand: the model part m and keyword part k, either of them missing (null). */
export const blendByHand = (m: number | null, k: number | null) => (m !== null && k !== null ? 1 - (1 - m) * (1 - KEYWORD_BOOST * k) : (m ?? k ?? 0));

/** b + w·x (+ u·e when the paper has a vector of the model's embedding model), from stored rows. */
export function storedMargin(model: Pick<StoredModel, "bias" | "weights" | "dense" | "embeddingModel">, x: Sparse | undefined, e?: StoredEmbedding): number {
  let z = model.bias;
  if (x) x.dims.forEach((d, i) => (z += (model.weights.get(d) ?? 0) * x.values[i]!));
  if (e && model.dense && e.model === model.embeddingModel) e.v.forEach((v, k) => (z += v * model.dense![k]!));
  return z;
}

/**
 * Each paper's margin as the database sums it (b + pgvector's float4 w·x + u·e), by paper id, once
 * checked against storedMargin (double precision). The percentile is steep where background margins
 * (nearly) tie, so it is taken of this margin.
 */
export async function checkedMargins(
  sql: Client,
  topicId: string,
  model: StoredModel,
  papers: { id: string; name: string }[],
  features: Map<string, Sparse>,
  vectors: Map<string, StoredEmbedding>,
): Promise<Map<string, number>> {
  const sums = await pgvectorSums(sql, topicId, papers.map((p) => p.id));
  const margins = new Map<string, number>();
  for (const { id, name } of papers) {
    const x = features.get(id);
    expect(x, `stored vector of ${name}`).toBeDefined();
    const z = storedMargin(model, x, vectors.get(id));
    const zDb = model.bias + sums.get(id)!;
    expect(zDb, `margin of ${name}`).toBeCloseTo(z, 5);
    margins.set(id, zDb);
  }
  return margins;
}

/** The test's key of a paper id. */
export const keyOfId = (ids: Record<string, string>, paperId: string) => Object.keys(ids).find((k) => ids[k] === paperId)!;

export interface ScoreCheck {
  topicId: string;
  model: StoredModel;
  /** The listing ranked by the topic, best first. */
  papers: ScoredPaper[];
  /** Paper ids by the test's keys. */
  ids: Record<string, string>;
  /** The papers to check, by key; every paper of the listing when left out. */
  keys?: string[];
  features: Map<string, Sparse>;
  vectors: Map<string, StoredEmbedding>;
  /** The keyword part by hand, null when the topic has no keywords. */
  keywordPart: (key: string) => number | null;
}

/**
 * Checks papers of a listing against the stored model and vectors: the margin b + w·x + u·e
 * (checkedMargins), the model part its percentile among the stored background margins, the keyword
 * part given, the blend, 0 for "not interested"; best first, equal scores by margin. Returns the
 * margins by key.
 */
export async function checkScores(sql: Client, c: ScoreCheck): Promise<Map<string, number>> {
  const keyOf = (paperId: string) => keyOfId(c.ids, paperId);
  const keys = c.keys ?? c.papers.map((p) => keyOf(p.id));
  const byId = await checkedMargins(sql, c.topicId, c.model, keys.map((key) => ({ id: c.ids[key]!, name: key })), c.features, c.vectors);
  const margins = new Map<string, number>();
  for (const key of keys) {
    const got = c.papers.find((p) => p.id === c.ids[key])!.relevance;
    const zDb = byId.get(c.ids[key]!)!;
    margins.set(key, zDb);
    const m = pct(c.model.quantiles, zDb);
    const k = c.keywordPart(key);
    expect(got.modelPart, `model part of ${key}`).not.toBeNull();
    expect(got.modelPart!, `model part of ${key}`).toBeCloseTo(m, 5);
    if (k === null) expect(got.keywordPart).toBeNull();
    else expect(got.keywordPart, `keyword part of ${key}`).toBeCloseTo(k, 6);
    const want = got.label === "negative" ? 0 : blendByHand(m, k);
    expect(got.score, `score of ${key}`).toBeCloseTo(want, 5);
  }
  for (let i = 1; i < c.papers.length; i++) {
    const [a, b] = [c.papers[i - 1]!, c.papers[i]!];
    expect(a.relevance.score).toBeGreaterThanOrEqual(b.relevance.score);
    if (a.relevance.score === b.relevance.score && a.relevance.label !== "negative") expect(margins.get(keyOf(a.id))!).toBeGreaterThanOrEqual(margins.get(keyOf(b.id))!);
  }
  return margins;
}

// ── Explanations, by hand ───────────────────────────────────────────────────────────────────────

export interface Contribution {
  term: string;
  dim: number;
  /** weight × value */
  c: number;
}

/** The terms of a paper's text that raise its margin: weight × value, positive only, largest first. */
export function termContributions(weights: Map<number, number>, text: { title: string; abstract: string }): Contribution[] {
  const x = featurize(text);
  return x.terms
    .map((term, i) => ({ term, dim: x.indices[i]!, c: (weights.get(x.indices[i]!) ?? 0) * x.values[i]! }))
    .filter((t) => t.c > 0)
    .sort((a, b) => b.c - a.c);
}

/**
 * The labelled papers a paper may be "like": those whose vectors share its positively weighted terms
 * (Σ w·x·x' over its contributions), most first, each with the three terms it shares most.
 */
export function similarCandidates<K>(contributions: Contribution[], positives: { key: K; x: Sparse }[]): { k: K; score: number; shared: string[] }[] {
  const weighted = new Map(contributions.map((t) => [t.dim, t]));
  return positives
    .map(({ key: k, x }) => {
      const shared = sparseEntries(x).filter(([d]) => weighted.has(d)).map(([d, v]) => ({ term: weighted.get(d)!.term, c: weighted.get(d)!.c * v }));
      return { k, score: shared.reduce((s, t) => s + t.c, 0), shared: shared.sort((a, b) => b.c - a.c).slice(0, 3).map((t) => t.term) };
    })
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score);
}

// ── Paper texts ─────────────────────────────────────────────────────────────────────────────────

/** A made-up paper's title and abstract. */
export type PaperText = [title: string, abstract: string];

/** Papers about protein folding: the theme the model tests' topics learn. */
export const PROTEIN_FOLDING: PaperText[] = [
  ["Protein folding with deep learning", "We predict the folded structure of a protein from its amino acid sequence."],
  ["Fast protein structure prediction", "A folding model predicts protein structures from sequences in seconds."],
  ["Energy landscapes of protein folding", "Folding pathways of small proteins explored with a coarse-grained energy model."],
  ["Misfolded proteins and aggregation", "Protein misfolding leads to aggregation; we model folding intermediates."],
  ["Contact maps for protein folding", "Residue contact prediction improves protein structure and folding accuracy."],
  ["Protein folding kinetics from simulations", "Molecular dynamics simulations reveal the folding kinetics of a protein domain."],
];

/** Papers about other things, by name: what such a topic learns it is not about. */
export const OTHER_PAPERS = {
  retrieval: ["Dense retrieval for question answering", "We index passages with a dual encoder and rerank them."],
  birds: ["Bird migration routes over Europe", "Satellite tags on storks over three winters."],
  queryExpansion: ["Query expansion revisited", "Pseudo relevance feedback helps dense retrieval."],
  medievalTrade: ["Medieval trade networks in the Baltic", "Hanseatic ledgers as a graph of merchants."],
  galaxies: ["Galaxy rotation curves and dark matter", "We fit rotation curves of spiral galaxies with halo models."],
  grasping: ["Reinforcement learning for robot grasping", "A robot arm learns to grasp objects from camera images."],
  speech: ["Speech recognition in noisy rooms", "An acoustic model robust to reverberation and background noise."],
  trafficForecasting: ["Graph neural networks for traffic forecasting", "Road sensors as nodes of a graph predict traffic flow."],
  quantumCodes: ["Quantum error correction with surface codes", "Logical qubits encoded in a lattice of physical qubits."],
  options: ["Option pricing with stochastic volatility", "A Heston model calibrated to market prices of options."],
  translation: ["Neural machine translation for low-resource languages", "Back-translation improves translation quality."],
  segmentation: ["Image segmentation of medical scans", "A U-Net segments tumours in MRI scans."],
  climate: ["Climate model downscaling", "Regional precipitation projections from global climate models."],
  federated: ["Federated learning with differential privacy", "Clients train a shared model without sharing data."],
  compilers: ["Compilers for tensor programs", "Scheduling loops of tensor operators for accelerators."],
  sentiment: ["Sentiment analysis of product reviews", "Aspect-based sentiment from customer reviews."],
  blackHoles: ["Black hole mergers in gravitational waves", "Waveform templates for binary black hole mergers."],
  recommenders: ["Recommender systems with implicit feedback", "Matrix factorisation of clicks and views."],
  earthquakes: ["Earthquake detection with seismometers", "A detector picks seismic phases in continuous records."],
  trafficSignals: ["Traffic signal control", "Reinforcement learning controls traffic lights at intersections."],
} satisfies Record<string, PaperText>;

/** A paper text as an object ({ title, abstract }). */
export const asText = ([title, abstract]: PaperText) => ({ title, abstract });

// ── A listing ranked by a topic, in the browser ─────────────────────────────────────────────────

/** A paper's card as the page shows it. */
export interface RankedCard {
  id: string;
  /** The relevance element's data-score. */
  score: number;
  badge: string;
  /** The explanation ("Learned: … · Like: … · Keywords: …"). */
  why: string;
  /** Whether the keyboard's current card. */
  current: boolean;
}

/**
 * The cards as the page shows them, or null while the page says the topic's model is being updated
 * (the banner) or is being reloaded by itself.
 */
export async function readRankedCards(page: Page): Promise<RankedCard[] | null> {
  try {
    return await page.evaluate(() => {
      if (document.readyState !== "complete" || document.querySelector(".retrain-banner")) return null;
      return [...document.querySelectorAll<HTMLElement>("article.paper-card")].map((c) => ({
        id: c.dataset.paperId ?? "",
        score: Number(c.querySelector<HTMLElement>(".relevance")?.dataset.score ?? NaN),
        badge: c.querySelector(".score-badge")?.textContent ?? "",
        why: c.querySelector(".relevance-why")?.textContent ?? "",
        current: c.classList.contains("current"),
      }));
    });
  } catch {
    // The page navigated (its own reload) while being read.
    return null;
  }
}

/** Waits for the page to show a ranking (the banner gone) of which `settled` holds; returns its cards. */
export async function waitForRankedCards(page: Page, what: string, settled: (cards: RankedCard[]) => boolean, options: WaitOptions = {}): Promise<RankedCard[]> {
  const cards = await waitFor(what, () => readRankedCards(page), (c) => c !== null && settled(c), { timeoutMs: options.timeoutMs ?? 90_000, intervalMs: options.intervalMs ?? 250 });
  return cards!;
}
