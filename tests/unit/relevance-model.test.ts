// The learned topic model as pure functions (lib/relevance/features.ts, lib/relevance/model.ts), on a
// small hand-made corpus: six papers about protein folding and twenty about other things. The model
// must separate the two, rank held-out papers by theme, name the terms that carry the weight, learn
// from an explicit "not interested", and learn that dense features of pure noise count for little;
// its score scale is the percentile among the background papers' margins. The feature recipe's
// details are checked against counts and hashes computed here by hand.
import { expect, test } from "vitest";
import { parseOai } from "../../lib/arxiv/parse-oai";
import { parseRss } from "../../lib/arxiv/parse-rss";
import { fixture } from "../helpers/fixtures";
import {
  FEATURE_DIM,
  TITLE_COUNT,
  featurize,
  fromSparsevec,
  idf,
  termCounts,
  termDimension,
  tokens,
  toSparsevec,
  type SparseFeatures,
} from "../../lib/relevance/features";
import {
  DEFAULT_MODEL_OPTIONS,
  fitModel,
  margin,
  percentile,
  QUANTILES,
  topContributions,
  withQuantiles,
  type Example,
  type LinearModel,
} from "../../lib/relevance/model";
import { OTHER_PAPERS, PROTEIN_FOLDING, type PaperText as Text } from "../helpers/topic-models";

// The texts (tests/helpers/topic-models.ts) are those of tests/integration/relevance.test.ts too.
const theme: Text[] = PROTEIN_FOLDING;
const o = OTHER_PAPERS;
const others: Text[] = [
  o.retrieval, o.birds, ["Sparse attention kernels on GPUs", "Block-sparse matrix products for transformers."], o.queryExpansion, o.medievalTrade,
  o.galaxies, o.grasping, o.speech, o.trafficForecasting, o.quantumCodes, o.options, o.translation, o.segmentation, o.climate, o.federated,
  o.compilers, o.sentiment, o.blackHoles, o.recommenders, o.earthquakes,
];
// Not trained on: one about the theme, three not.
const heldOn: Text = ["A language model for protein folding", "Sequence embeddings predict how a protein folds into its structure."];
const heldOff: Text[] = [
  ["Retrieval augmented generation", "A retriever supplies passages to a language model."],
  ["Stork flight energetics", "Soaring birds save energy on migration."],
  o.trafficSignals,
];

const feat = ([title, abstract]: Text) => featurize({ title, abstract });
const corpus = [...theme, ...others].map(feat);
// The corpus' own document frequencies, as term_df would hold them.
const df = new Map<number, number>();
for (const f of corpus) for (const d of f.indices) df.set(d, (df.get(d) ?? 0) + 1);
const idfOf = (dim: number) => idf(corpus.length, df.get(dim) ?? 0);
const examples: Example[] = corpus.map((f, i) => ({ kind: i < theme.length ? "positive" : "background", ...f }));
const model = fitModel(examples, idfOf);

/** The model's weight of a (stemmed) term, found by its hashed dimension; 0 when not kept. */
const weightOf = (m: LinearModel, stemmedTerm: string) => m.weights[m.dims.indexOf(termDimension(stemmedTerm))] ?? 0;
/** Where a stemmed term sits in a paper's features. */
const at = (f: SparseFeatures, stemmedTerm: string) => f.indices.indexOf(termDimension(stemmedTerm));

/** w·x + b computed here from the model's arrays (a map, not margin()'s merge). */
function dotByHand(m: Pick<LinearModel, "dims" | "weights" | "bias" | "dense">, f: SparseFeatures, dense?: Float32Array): number {
  const w = new Map<number, number>();
  m.dims.forEach((d, i) => w.set(d, m.weights[i]!));
  let z = m.bias;
  f.indices.forEach((d, i) => (z += (w.get(d) ?? 0) * f.values[i]!));
  if (dense && m.dense) dense.forEach((x, k) => (z += x * m.dense![k]!));
  return z;
}

test("the model separates the classes: every positive above every background paper, held-out papers by theme", () => {
  const pos = corpus.slice(0, theme.length).map((f) => margin(model, f));
  const bg = corpus.slice(theme.length).map((f) => margin(model, f));
  expect(Math.min(...pos)).toBeGreaterThan(Math.max(...bg));
  // Not only ordered: on the right side of the decision boundary.
  expect(Math.min(...pos)).toBeGreaterThan(0);
  expect(Math.max(...bg)).toBeLessThan(0);
  const on = margin(model, feat(heldOn));
  const off = heldOff.map((t) => margin(model, feat(t)));
  expect(on).toBeGreaterThan(0);
  for (const z of off) expect(on).toBeGreaterThan(z + 2);
  // margin() is the dot product of the model with the features, plus the bias.
  for (const f of [...corpus, feat(heldOn)]) expect(margin(model, f)).toBeCloseTo(dotByHand(model, f), 5);
  // Model arrays: dimensions ascending, one name per dimension, no zero weight kept, no embedding block.
  for (let i = 1; i < model.dims.length; i++) expect(model.dims[i]!).toBeGreaterThan(model.dims[i - 1]!);
  expect(model.terms).toHaveLength(model.dims.length);
  expect(model.weights.every((w) => w !== 0)).toBe(true);
  expect(model.dense).toBeNull();
});

test("the strongest weights are the theme's words, and topContributions names them for a paper", () => {
  const byWeight = [...model.weights.keys()].sort((a, b) => model.weights[b]! - model.weights[a]!);
  const top = byWeight.slice(0, 4).map((i) => model.terms[i]);
  // Named as the texts first wrote them (unstemmed), one name per kept dimension.
  expect(top).toContain("protein");
  expect(top).toContain("folding");
  expect(model.terms[model.dims.indexOf(termDimension("protein fold"))]).toBe("protein folding");
  expect(weightOf(model, "protein")).toBeGreaterThan(0);
  expect(weightOf(model, "stork")).toBeLessThan(0);

  const f = feat(heldOn);
  const contributions = topContributions(model, f, 3);
  // The paper's own words: "folds" in its abstract, "folding" in its title (the title comes first).
  expect(contributions.map((c) => c.term)).toEqual(["protein", "folding", "protein folding"]);
  // Each contribution is value × weight of that term, largest first, positive only.
  for (const [c, stemmed] of contributions.map((c, i) => [c, ["protein", "fold", "protein fold"][i]!] as const)) {
    expect(c.contribution).toBeCloseTo(f.values[at(f, stemmed)]! * weightOf(model, stemmed), 6);
  }
  const all = topContributions(model, f, 1_000);
  expect(all.every((c) => c.contribution > 0)).toBe(true);
  for (let i = 1; i < all.length; i++) expect(all[i - 1]!.contribution).toBeGreaterThanOrEqual(all[i]!.contribution);
  // They are exactly the positive part of the margin.
  const negativePart = f.indices.reduce((s, d, i) => {
    const j = model.dims.indexOf(d);
    const c = j < 0 ? 0 : f.values[i]! * model.weights[j]!;
    return c < 0 ? s + c : s;
  }, 0);
  expect(all.reduce((s, c) => s + c.contribution, 0) + negativePart + model.bias).toBeCloseTo(margin(model, f), 5);
  // A paper with none of the model's positive terms has nothing to say.
  expect(topContributions(model, feat(["Stork flight energetics", "Soaring birds."]), 4)).toEqual([]);
});

test("an explicit negative lowers that paper and a near-duplicate of it, and much less an unrelated on-theme paper", () => {
  const unwanted = feat(["Molecular dynamics of protein folding on GPUs", "GPU kernels accelerate molecular dynamics simulation of protein folding."]);
  const nearDuplicate = feat(["GPU molecular dynamics for protein folding simulations", "Molecular dynamics simulation of protein folding accelerated by GPU kernels."]);
  const on = feat(heldOn);
  // Before: both look on-theme.
  expect(margin(model, unwanted)).toBeGreaterThan(0);
  expect(margin(model, nearDuplicate)).toBeGreaterThan(0);
  const withNegative = fitModel([...examples, { kind: "negative", ...unwanted }], idfOf);
  expect(margin(withNegative, unwanted)).toBeLessThan(0);
  expect(margin(withNegative, nearDuplicate)).toBeLessThan(0);
  const dropDuplicate = margin(model, nearDuplicate) - margin(withNegative, nearDuplicate);
  const dropOn = margin(model, on) - margin(withNegative, on);
  expect(dropDuplicate).toBeGreaterThan(2);
  expect(dropDuplicate).toBeGreaterThan(3 * dropOn);
  // The held-out on-theme paper still ranks above the near-duplicate and above the off-theme ones.
  expect(margin(withNegative, on)).toBeGreaterThan(margin(withNegative, nearDuplicate));
  for (const t of heldOff) expect(margin(withNegative, on)).toBeGreaterThan(margin(withNegative, feat(t)));
  // The words that set it apart now weigh against the topic.
  expect(weightOf(withNegative, "gpu")).toBeLessThan(0);
  expect(weightOf(withNegative, "gpu")).toBeLessThan(weightOf(model, "gpu"));

  // An explicit negative weighs negativeWeight background papers: with weight 1 it pushes less.
  const light = fitModel([...examples, { kind: "negative", ...unwanted }], idfOf, { ...DEFAULT_MODEL_OPTIONS, negativeWeight: 1 });
  expect(margin(light, nearDuplicate)).toBeGreaterThan(margin(withNegative, nearDuplicate));
});

/** A deterministic stream of unit vectors (xorshift + Box-Muller). */
function unitVectors(seed: number, dim: number) {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return () => {
    const v = Float32Array.from({ length: dim }, gauss);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
}

test("dense features of pure noise barely move the held-out papers; informative ones are learned", () => {
  const DIM = 384;
  const noise = unitVectors(7, DIM);
  const noisy = fitModel(
    examples.map((e) => ({ ...e, dense: noise() })),
    idfOf,
  );
  expect(noisy.dense).not.toBeNull();
  expect(noisy.dense).toHaveLength(DIM);
  const held = [heldOn, ...heldOff].map(feat);
  const heldNoise = held.map(() => noise());
  const plain = held.map((f) => margin(model, f));
  const withNoise = held.map((f, i) => margin(noisy, f, heldNoise[i]));
  // The same order, and each margin within a small distance of the terms-only model's.
  const order = (xs: number[]) => xs.map((_, i) => i).sort((a, b) => xs[b]! - xs[a]!);
  expect(order(withNoise)).toEqual(order(plain));
  for (let i = 0; i < held.length; i++) expect(Math.abs(withNoise[i]! - plain[i]!)).toBeLessThan(0.25);
  // margin() adds u·e only when both exist: without the paper's vector it is the terms-only part.
  for (const f of held) expect(margin(noisy, f)).toBeCloseTo(dotByHand({ ...noisy, dense: null }, f), 6);
  expect(margin(noisy, held[0]!, heldNoise[0])).toBeCloseTo(dotByHand(noisy, held[0]!, heldNoise[0]), 5);

  // Vectors that do carry the theme (one direction for it, the opposite for the rest) get larger weights.
  const direction = noise();
  const jitter = unitVectors(11, DIM);
  const informative = (onTheme: boolean) => {
    const n = jitter();
    const v = n.map((x, k) => 0.5 * x + (onTheme ? 1 : -1) * direction[k]!);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  const learned = fitModel(
    examples.map((e) => ({ ...e, dense: informative(e.kind === "positive") })),
    idfOf,
  );
  const norm = (v: Float32Array) => Math.hypot(...v);
  expect(norm(learned.dense!)).toBeGreaterThan(2 * norm(noisy.dense!));
  // And they point along the theme's direction.
  const cosine = learned.dense!.reduce((s, x, k) => s + x * direction[k]!, 0) / norm(learned.dense!);
  expect(cosine).toBeGreaterThan(0.5);
});

test("fitModel needs both classes and keeps at most maxTerms weights, the largest", () => {
  expect(() => fitModel(examples.filter((e) => e.kind === "positive"), idfOf)).toThrow(/positive and negative/);
  expect(() => fitModel(examples.filter((e) => e.kind !== "positive"), idfOf)).toThrow(/positive and negative/);
  const small = fitModel(examples, idfOf, { ...DEFAULT_MODEL_OPTIONS, maxTerms: 10 });
  expect(small.dims).toHaveLength(10);
  const biggest = [...model.weights].map(Math.abs).sort((a, b) => b - a).slice(0, 10);
  expect([...small.weights].map(Math.abs).sort((a, b) => b - a)).toEqual(biggest);
});

test("featurize: the title counts twice, stop words go, bigrams join what is left, words are stemmed", () => {
  expect(TITLE_COUNT).toBe(2);
  expect(tokens("The learning of the graphs is in progress")).toEqual(["learn", "graph", "progress"]);
  const counts = termCounts({ title: "Graphs", abstract: "Learning of the graphs." });
  expect(Object.fromEntries(counts)).toEqual({
    // Counted by stem, named as first written.
    graph: { count: TITLE_COUNT + 1, surface: "graphs" },
    learn: { count: 1, surface: "learning" },
    // "of the" are stop words: "learning" and "graphs" are adjacent once they are gone.
    "learn graph": { count: 1, surface: "learning graphs" },
  });
  // No bigram joins the title's last word to the abstract's first.
  expect(termCounts({ title: "Sparse attention", abstract: "Kernels." }).has("attent kernel")).toBe(false);
  // A title word alone: tf = TITLE_COUNT, the only term, so its value is 1 after normalisation.
  const single = featurize({ title: "Folding", abstract: "" });
  expect(single.terms).toEqual(["folding"]);
  expect([...single.indices]).toEqual([termDimension("fold")]);
  // "folds" and "folding" are one term.
  expect(featurize({ title: "Folding", abstract: "It folds." }).indices).toHaveLength(1);
  expect(single.values[0]).toBeCloseTo(1, 6);
  // Sublinear tf (1 + ln tf), then L2 normalisation: the ratios are those of the raw values.
  const f = featurize({ title: "Graphs", abstract: "Learning of the graphs." });
  const raw = { graph: 1 + Math.log(3), learn: 1, "learn graph": 1 };
  const norm = Math.hypot(...Object.values(raw));
  for (const [term, value] of Object.entries(raw)) {
    const i = at(f, term);
    expect(i, term).toBeGreaterThanOrEqual(0);
    expect(f.values[i]).toBeCloseTo(value / norm, 6);
  }
  expect(f.terms[at(f, "learn graph")]).toBe("learning graphs");
  expect(f.terms).toHaveLength(3);
  // Stop words only: nothing at all.
  expect(featurize({ title: "The", abstract: "Of the and or" }).indices).toHaveLength(0);
  // Accents fold, one-letter words go.
  expect(tokens("Naïve café résumé, a x")).toEqual(["naiv", "cafe", "resum"]);
});

test("featurize: L2 norm 1, dimensions ascending, deterministic, LaTeX commands dropped but what they wrap kept", () => {
  for (const t of [...theme, ...others, heldOn]) {
    const f = feat(t);
    expect(Math.hypot(...f.values)).toBeCloseTo(1, 6);
    for (let i = 1; i < f.indices.length; i++) expect(f.indices[i]!).toBeGreaterThan(f.indices[i - 1]!);
    expect(f.values.every((v) => v > 0)).toBe(true);
    expect(feat(t)).toEqual(f);
  }
  const latex = featurize({ title: "Bounds for $\\mathcal{O}(n)$ and \\textbf{robust} $\\alpha$-stable laws", abstract: "" });
  expect(latex.terms.join(" ")).not.toMatch(/mathcal|textbf|alpha/);
  expect(at(latex, "mathcal")).toBe(-1);
  expect(at(latex, "robust")).toBeGreaterThanOrEqual(0);
  expect(at(latex, "stabl")).toBeGreaterThanOrEqual(0);
  expect(at(latex, "bound")).toBeGreaterThanOrEqual(0);
  // "$\alpha$-stable": the command goes, and no bigram joins across it to a word that is not there.
  expect(latex.terms).toContain("robust stable");
});

test("termDimension is FNV-1a (32-bit) onto 1..2^29, the same on every call", () => {
  expect(FEATURE_DIM).toBe(2 ** 29);
  // Published FNV-1a test vectors.
  expect(termDimension("")).toBe((0x811c9dc5 % FEATURE_DIM) + 1);
  expect(termDimension("a")).toBe((0xe40c292c % FEATURE_DIM) + 1);
  expect(termDimension("foobar")).toBe((0xbf9cf968 % FEATURE_DIM) + 1);
  for (const term of ["protein", "protein fold", "fold protein", "\u00e9t\u00e9"]) {
    const d = termDimension(term);
    expect(d).toBe(termDimension(term));
    expect(d).toBeGreaterThanOrEqual(1);
    expect(d).toBeLessThanOrEqual(FEATURE_DIM);
  }
  expect(termDimension("protein fold")).not.toBe(termDimension("fold protein"));
});

test("sparsevec text round-trips, and idf is scikit-learn's smoothed one", () => {
  const f = feat(theme[0]!);
  const text = toSparsevec(f);
  expect(text).toMatch(new RegExp(`^\\{\\d+:[0-9.e-]+(,\\d+:[0-9.e-]+)*\\}/${FEATURE_DIM}$`));
  const back = fromSparsevec(text);
  expect(back.indices).toEqual(f.indices);
  expect(back.values).toEqual(f.values);
  expect(fromSparsevec(`{}/${FEATURE_DIM}`).indices).toHaveLength(0);
  expect(idf(10, 0)).toBeCloseTo(Math.log(11) + 1, 12);
  expect(idf(10, 10)).toBeCloseTo(1, 12);
  expect(idf(100, 1)).toBeGreaterThan(idf(100, 50));
});

test("the learned score is the percentile among the calibration papers' margins", () => {
  // fitModel leaves the scale empty; withQuantiles sets it from the papers given (here the
  // background), ascending, all of them while there are at most QUANTILES.
  expect(model.quantiles).toHaveLength(0);
  const scaledModel = withQuantiles(model, corpus.slice(theme.length));
  const bg = corpus
    .slice(theme.length)
    .map((f) => margin(model, f))
    .sort((a, b) => a - b);
  expect(scaledModel.quantiles).toHaveLength(others.length);
  for (let i = 1; i < scaledModel.quantiles.length; i++) expect(scaledModel.quantiles[i]!).toBeGreaterThanOrEqual(scaledModel.quantiles[i - 1]!);
  scaledModel.quantiles.forEach((q, i) => expect(q).toBeCloseTo(bg[i]!, 4));
  // Every positive above every background paper: 1; the background papers spread evenly over 0..1.
  for (const f of corpus.slice(0, theme.length)) expect(percentile(scaledModel.quantiles, margin(model, f))).toBe(1);
  scaledModel.quantiles.forEach((q, i) => expect(percentile(scaledModel.quantiles, q)).toBeCloseTo(i / (scaledModel.quantiles.length - 1), 9));
  const spread = bg.map((z) => percentile(scaledModel.quantiles, z));
  expect(spread.reduce((a, b) => a + b, 0) / spread.length).toBeCloseTo(0.5, 1);
  expect(Math.min(...spread)).toBeLessThan(0.05);
  expect(Math.max(...spread)).toBeGreaterThan(0.95);

  // The scale by hand: 0 at or below the lowest, 1 at or above the highest, linear in between.
  const q = [-3, -1, 0, 2, 6];
  expect(percentile(q, -5)).toBe(0);
  expect(percentile(q, -3)).toBe(0);
  expect(percentile(q, -1)).toBeCloseTo(1 / 4, 12);
  expect(percentile(q, -2)).toBeCloseTo(1 / 8, 12);
  expect(percentile(q, 1)).toBeCloseTo(2 / 4 + 1 / 8, 12);
  expect(percentile(q, 6)).toBe(1);
  expect(percentile(q, 60)).toBe(1);
  expect(percentile([], 1)).toBe(0);
  expect(percentile([2], 1)).toBe(0);
  expect(percentile([2], 2)).toBe(1);
  // Monotone.
  let last = -1;
  for (let z = -4; z <= 7; z += 0.25) {
    const p = percentile(q, z);
    expect(p).toBeGreaterThanOrEqual(last);
    last = p;
  }

  // A larger background keeps QUANTILES evenly spaced margins, its lowest and highest included.
  const many: Example[] = [...examples];
  for (let i = 0; i < 400; i++) many.push({ kind: "background", ...feat(others[i % others.length]!) });
  const big = withQuantiles(fitModel(many, idfOf), many.filter((e) => e.kind === "background"));
  expect(big.quantiles).toHaveLength(QUANTILES);
  const all = many.filter((e) => e.kind === "background").map((e) => margin(big, e)).sort((a, b) => a - b);
  expect(big.quantiles[0]).toBeCloseTo(all[0]!, 4);
  expect(big.quantiles.at(-1)).toBeCloseTo(all.at(-1)!, 4);
});

// Real abstracts (the stored OAI page and the 2018 cs feed, about 1,200 papers): 5 papers of a
// category seed a topic, a quarter of the other categories' papers are its background (the train job
// samples 1,000 of the 4,000 most recent), the rest are papers it never saw, as most of a day's
// listing is. blend.ts: M is "the percentile of z among the margins of the background papers ...
// ('scores higher than 97% of recent papers' = 0.97)", and a feed keeps M ≥ 0.9 by default.
test("the percentile scale holds for the papers a listing scores, not only for those trained on", () => {
  const entries = [...parseOai(fixture("oai/arxivsync_ListRecords_arXivRaw_page_cursor46000.xml")).entries, ...parseRss(fixture("rss-legacy/cs_rdf_2018-08-30.rdf")).entries];
  const papers = [...new Map(entries.map((e) => [e.id, e])).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  expect(papers.length).toBeGreaterThan(1_000);
  const feats = papers.map((p) => featurize(p));
  const counts = new Map<number, number>();
  for (const f of feats) for (const d of f.indices) counts.set(d, (counts.get(d) ?? 0) + 1);
  const idfOfReal = (d: number) => idf(papers.length, counts.get(d) ?? 0);
  const findings: string[] = [];
  for (const category of ["astro-ph", "hep-ph"]) {
    const members = papers.flatMap((p, i) => (p.primaryCategory === category ? [i] : []));
    const others = papers.flatMap((p, i) => (p.primaryCategory !== category ? [i] : []));
    // As the train job: background papers, further recent papers not trained on for the scale, and
    // the rest (most of a day's listing) never seen at all.
    const trained = others.filter((_, k) => k % 4 === 0);
    const calibration = others.filter((_, k) => k % 4 === 1);
    const unseen = others.filter((_, k) => k % 4 >= 2);
    const m = withQuantiles(
      fitModel(
        [...members.slice(0, 5).map((i) => ({ kind: "positive" as const, ...feats[i]! })), ...trained.map((i) => ({ kind: "background" as const, ...feats[i]! }))],
        idfOfReal,
      ),
      calibration.map((i) => feats[i]!),
    );
    expect(m.quantiles.length).toBeGreaterThan(100);
    // The scale is made with the weights as stored (pruned): the calibration papers' own scores spread
    // evenly over 0..1.
    const share = (ids: number[]) => ids.filter((i) => percentile(m.quantiles, margin(m, feats[i]!)) >= 0.9).length / ids.length;
    findings.push(
      `${category}: papers >= 0.9: ${(100 * share(calibration)).toFixed(1)}% of the calibration papers, ` +
        `${(100 * share(unseen)).toFixed(1)}% of unseen off-topic papers, ${(100 * share(trained)).toFixed(1)}% of the trained-on background`,
    );
    expect(share(calibration), findings.at(-1)).toBeGreaterThan(0.08);
    expect(share(calibration), findings.at(-1)).toBeLessThan(0.12);
    // Off-topic papers never seen "higher than 90% of recent papers": about 10%.
    expect(share(unseen), findings.at(-1)).toBeGreaterThan(0.04);
    expect(share(unseen), findings.at(-1)).toBeLessThan(0.16);
  }
});
