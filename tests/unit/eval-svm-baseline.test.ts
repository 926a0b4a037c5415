// The arxiv-sanity-lite baseline (eval/baselines/arxiv-sanity.ts): scikit-learn's TfidfVectorizer with
// arxiv-sanity-lite's settings, and LinearSVC(class_weight="balanced") solved by dual coordinate
// descent. Expected numbers are worked out here from scikit-learn's formulas, not read back from the code.
import { describe, expect, it } from "vitest";
import {
  ENGLISH_STOP_WORDS,
  analyze,
  arxivSanityScores,
  decisionValues,
  tfidfMatrix,
  tokenize,
  trainLinearSvc,
  type BaselineDoc,
  type SparseRow,
} from "../../eval/baselines/arxiv-sanity";

const LN2 = Math.log(2);

function valueOf(row: SparseRow, vocabulary: string[], term: string): number {
  const col = vocabulary.indexOf(term);
  expect(col, `"${term}" is in the vocabulary`).toBeGreaterThanOrEqual(0);
  const k = Array.from(row.indices).indexOf(col);
  return k < 0 ? 0 : row.values[k]!;
}

function sumOfSquares(row: SparseRow): number {
  return row.values.reduce((s, v) => s + v * v, 0);
}

/** Indices of `scores`, highest first. */
function ranking(scores: Float64Array): number[] {
  return Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!);
}

describe("tf-idf as scikit-learn's TfidfVectorizer with arxiv-sanity-lite's settings", () => {
  const corpus = [
    "The deep learning model is a model of the brain.",
    "Deep networks for image classification: a survey.",
    "Naïve Bayes, the Schrödinger equation and x 3d x2 models.",
  ];

  it("tokenizes like the token pattern: lowercased, accents stripped, 1-letter tokens and tokens after a digit dropped", () => {
    expect(tokenize(corpus[2]!)).toEqual(["naive", "bayes", "the", "schrodinger", "equation", "and", "x2", "models"]);
    expect(tokenize("ﬁnite Ångström _id a1 1a é")).toEqual(["finite", "angstrom", "_id", "a1"]);
    // Python's \b is Unicode-aware: a Greek letter is a word character, so "αbeta" holds no token.
    expect(tokenize("αbeta beta")).toEqual(["beta"]);
  });

  it("drops stop words before forming bigrams", () => {
    expect(analyze(corpus[0]!)).toEqual([
      "deep",
      "learning",
      "model",
      "model",
      "brain",
      "deep learning",
      "learning model",
      "model model",
      "model brain",
    ]);
    expect(ENGLISH_STOP_WORDS.size).toBe(318);
    for (const w of ["the", "of", "is", "a", "for", "and", "amoungst", "noone"]) expect(ENGLISH_STOP_WORDS.has(w)).toBe(true);
  });

  it("gives the vocabulary, idf, sublinear tf and L2-normalised rows scikit-learn gives", () => {
    const { rows, vocabulary, idf } = tfidfMatrix(corpus);
    expect(rows).toHaveLength(3);
    expect(vocabulary).toEqual([...vocabulary].sort());
    expect(vocabulary).toEqual([
      "bayes",
      "bayes schrodinger",
      "brain",
      "classification",
      "classification survey",
      "deep",
      "deep learning",
      "deep networks",
      "equation",
      "equation x2",
      "image",
      "image classification",
      "learning",
      "learning model",
      "model",
      "model brain",
      "model model",
      "models",
      "naive",
      "naive bayes",
      "networks",
      "networks image",
      "schrodinger",
      "schrodinger equation",
      "survey",
      "x2",
      "x2 models",
    ]);
    expect(idf).toHaveLength(vocabulary.length);

    // smooth idf with n = 3: ln((1 + 3) / (1 + df)) + 1.
    const idfDf2 = 1.2876820724517808; // ln(4/3) + 1, "deep" is in two documents
    const idfDf1 = 1.6931471805599454; // ln(2) + 1, every other term is in one
    expect(idf[vocabulary.indexOf("deep")]).toBeCloseTo(idfDf2, 14);
    expect(idf[vocabulary.indexOf("model brain")]).toBeCloseTo(idfDf1, 14);

    // Document 0: deep (tf 1, df 2), model (tf 2, df 1), learning, brain and four bigrams (tf 1, df 1).
    const model = (1 + LN2) * idfDf1;
    const norm = Math.sqrt(idfDf2 ** 2 + model ** 2 + 6 * idfDf1 ** 2);
    const row0 = rows[0]!;
    expect(row0.indices).toHaveLength(8);
    expect(valueOf(row0, vocabulary, "deep")).toBeCloseTo(idfDf2 / norm, 12);
    expect(valueOf(row0, vocabulary, "model")).toBeCloseTo(model / norm, 12);
    expect(valueOf(row0, vocabulary, "learning")).toBeCloseTo(idfDf1 / norm, 12);
    expect(valueOf(row0, vocabulary, "model brain")).toBeCloseTo(idfDf1 / norm, 12);
    expect(valueOf(row0, vocabulary, "model") / valueOf(row0, vocabulary, "brain")).toBeCloseTo(1 + LN2, 12);
    expect(valueOf(row0, vocabulary, "image")).toBe(0);

    for (const row of rows) {
      expect(sumOfSquares(row)).toBeCloseTo(1, 12);
      const indices = Array.from(row.indices);
      expect(indices).toEqual([...indices].sort((a, b) => a - b));
    }
  });

  it("leaves a document of stop words only as an empty row", () => {
    const { rows, vocabulary } = tfidfMatrix(["the of and a", "graph"]);
    expect(vocabulary).toEqual(["graph"]);
    expect(rows[0]!.indices).toHaveLength(0);
    expect(Array.from(rows[1]!.values)).toEqual([1]);
  });
});

describe("LinearSVC(class_weight='balanced', loss='squared_hinge') by dual coordinate descent", () => {
  const row = (pairs: [number, number][]): SparseRow => ({
    indices: Int32Array.from(pairs.map((p) => p[0])),
    values: Float64Array.from(pairs.map((p) => p[1])),
  });

  it("finds the primal optimum of a problem solved by hand, intercept regularised", () => {
    // x = 2 (y = 1) and x = 0 (y = 0), C = 0.5, both classes weight 1. Both margins violated at the
    // optimum of ½(w² + b²) + ½(1 − 2w − b)² + ½(1 + b)²: w = 6/11, b = −4/11.
    const model = trainLinearSvc([row([[0, 2]]), row([])], [1, 0], { c: 0.5 });
    expect(model.converged).toBe(true);
    expect(model.weights[0]).toBeCloseTo(6 / 11, 6);
    expect(model.bias).toBeCloseTo(-4 / 11, 6);
  });

  it("weights the classes n / (2 n_c)", () => {
    // x = 1 (y = 1) once and x = −1 (y = 0) twice: weights 3/2 and 3/4, so both sides count 3/2 · C and
    // the optimum is symmetric: b = 0, w = 6C / (1 + 6C) = 3/4 for C = 0.5 (unweighted, b would be > 0).
    const model = trainLinearSvc([row([[0, 1]]), row([[0, -1]]), row([[0, -1]])], [1, 0, 0], { c: 0.5 });
    expect(model.weights[0]).toBeCloseTo(0.75, 6);
    expect(model.bias).toBeCloseTo(0, 6);
  });

  const gnn = [
    "Graph neural networks with message passing for node classification on citation graphs.",
    "Message passing graph neural networks: expressive power and the Weisfeiler-Lehman test.",
    "Over-smoothing in deep graph neural networks and how residual message passing avoids it.",
    "Graph attention networks learn neighbour weights for node classification.",
    "Scalable graph neural networks for link prediction on large graphs.",
    "Equivariant message passing networks on molecular graphs.",
  ];
  const astro = [
    "Star formation rates in nearby galaxies observed with a radio telescope.",
    "A survey of galaxy clusters with the space telescope: dark matter halos.",
    "Spectroscopy of distant galaxies and the history of star formation.",
    "Telescope observations of supernova remnants in the galaxy.",
    "Dust and gas in star forming regions of spiral galaxies.",
    "Galaxy mergers trigger bursts of star formation: telescope evidence.",
  ];
  const unseenGnn = "Message passing on graphs: a graph neural network for node classification of proteins.";
  const unseenOther = "Monetary policy and inflation expectations in small open economies.";

  it("separates two themes, with w·x + b > 0 exactly on the positives", () => {
    const { rows } = tfidfMatrix([...gnn, ...astro]);
    const y = [...gnn.map(() => 1), ...astro.map(() => 0)];
    const model = trainLinearSvc(rows, y, { c: 1 });
    expect(model.converged).toBe(true);
    const scores = decisionValues(rows, model);
    scores.forEach((s, i) => (y[i] === 1 ? expect(s).toBeGreaterThan(0) : expect(s).toBeLessThan(0)));
  });

  it("reaches the primal optimum: the gradient of ½‖(w, b)‖² + Σ Cᵢ max(0, 1 − ỹᵢ f(xᵢ))² vanishes", () => {
    const { rows, vocabulary } = tfidfMatrix([...gnn, ...astro, unseenGnn, unseenOther]);
    const y = [...gnn.map(() => 1), ...astro.map(() => 0), 0, 0];
    const c = 0.01;
    const model = trainLinearSvc(rows, y, { c });
    expect(model.converged).toBe(true);
    const f = decisionValues(rows, model);
    const nPos = y.filter((v) => v === 1).length;
    const grad = Float64Array.from(model.weights);
    let gradB = model.bias;
    expect(grad).toHaveLength(vocabulary.length);
    rows.forEach((r, i) => {
      const sign = y[i] === 1 ? 1 : -1;
      const ci = (c * y.length) / (2 * (sign > 0 ? nPos : y.length - nPos));
      const slack = Math.max(0, 1 - sign * f[i]!);
      const g = 2 * ci * sign * slack;
      r.indices.forEach((col, k) => (grad[col]! -= g * r.values[k]!));
      gradB -= g;
    });
    expect(Math.max(...Array.from(grad, Math.abs), Math.abs(gradB))).toBeLessThan(1e-5);
  });

  it("ranks an untagged paper on the positives' theme above the rest of the pool", () => {
    const pool: BaselineDoc[] = [...gnn, ...astro, unseenGnn, unseenOther].map((text, i) => {
      const [title, ...rest] = text.split(": ");
      return { id: `p${i}`, title: title!, abstract: rest.join(": ") };
    });
    const positives = new Set(gnn.map((_, i) => `p${i}`));
    const scores = arxivSanityScores(pool, positives);
    expect(scores).toHaveLength(pool.length);
    const order = ranking(scores).map((i) => pool[i]!.id);
    expect(new Set(order.slice(0, gnn.length))).toEqual(positives);
    expect(order[gnn.length]).toBe(`p${gnn.length + astro.length}`); // the untagged GNN paper
  });
});

describe("arxivSanityScores", () => {
  // 48 papers on six other themes and 2 tagged papers on a seventh: balanced class weights keep the
  // two positives on top (each counts 50 / 4 = 12.5 against 50 / 96 for a negative).
  const themes = [
    ["galaxy", "telescope", "star", "formation", "redshift", "cluster", "halo", "spectroscopy"],
    ["protein", "folding", "molecular", "dynamics", "enzyme", "binding", "residue", "simulation"],
    ["inflation", "monetary", "policy", "interest", "rates", "bank", "economy", "expectations"],
    ["robot", "grasping", "manipulation", "gripper", "tactile", "control", "trajectory", "arm"],
    ["language", "translation", "parsing", "syntax", "corpus", "transformer", "tokens", "grammar"],
    ["climate", "precipitation", "ocean", "temperature", "warming", "ice", "carbon", "model"],
  ];
  const positiveTheme = ["quantum", "error", "correction", "surface", "code", "qubit", "decoder", "threshold"];
  let seed = 7;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const pick = (words: string[], n: number) => Array.from({ length: n }, () => words[Math.floor(random() * words.length)]!).join(" ");
  const pool: BaselineDoc[] = [];
  for (let i = 0; i < 48; i++) {
    const theme = themes[i % themes.length]!;
    pool.push({ id: `n${i}`, title: pick(theme, 5), abstract: `${pick(theme, 30)} ${pick(positiveTheme, 1)}` });
  }
  pool.splice(17, 0, { id: "q1", title: pick(positiveTheme, 5), abstract: pick(positiveTheme, 30) });
  pool.splice(40, 0, { id: "q2", title: pick(positiveTheme, 5), abstract: `${pick(positiveTheme, 25)} ${pick(themes[2]!, 5)}` });
  const positives = new Set(["q1", "q2"]);

  it("puts 2 positives among 50 papers on top, on the positive side of the hyperplane", () => {
    expect(pool).toHaveLength(50);
    const scores = arxivSanityScores(pool, positives);
    const order = ranking(scores).map((i) => pool[i]!.id);
    expect(new Set(order.slice(0, 2))).toEqual(positives);
    // Unweighted, C = 0.01 against 48 negatives would leave every decision value below 0 (−0.40 for
    // the positives here); the balanced weights put the positives above it and the rest below.
    scores.forEach((s, i) => (positives.has(pool[i]!.id) ? expect(s).toBeGreaterThan(0) : expect(s).toBeLessThan(0)));
  });

  it("is deterministic, and the seed moves the scores only within the tolerance", () => {
    const a = arxivSanityScores(pool, positives);
    const b = arxivSanityScores(pool, positives);
    expect(Array.from(b)).toEqual(Array.from(a));
    const c = arxivSanityScores(pool, positives, { seed: 12345 });
    c.forEach((v, i) => expect(v).toBeCloseTo(a[i]!, 5));
  });

  it("refuses a pool without a positive or without a negative", () => {
    expect(() => arxivSanityScores(pool, new Set(["not-in-pool"]))).toThrow(RangeError);
    expect(() => arxivSanityScores(pool.slice(0, 2), new Set(pool.slice(0, 2).map((d) => d.id)))).toThrow(RangeError);
  });
});
