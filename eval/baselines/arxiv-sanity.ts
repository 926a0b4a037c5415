// Baseline ranker for the relevance evaluation: a re-implementation of arxiv-sanity-lite's "svm_rank"
// (github.com/karpathy/arxiv-sanity-lite, compute.py + serve.py) in plain TypeScript, without I/O.
//
// 1. Features: what scikit-learn's TfidfVectorizer computes with strip_accents="unicode",
//    lowercase=True, analyzer="word", stop_words="english", token_pattern=(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b,
//    ngram_range=(1, 2), norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=True (no min_df, max_df
//    or max_features pruning), fitted on "title abstract" of every paper in the pool. (arxiv-sanity-lite
//    itself fits once on its whole database, appends the author names to the text, and prunes with
//    min_df=5, max_df=0.1–0.5 and max_features=10,000–20,000 depending on the version.)
// 2. Classifier: LinearSVC(class_weight="balanced", C=0.01, loss="squared_hinge", penalty="l2",
//    tol=1e-6, max_iter=10000), y = 1 for the reader's papers and 0 for the rest of the pool, solved as
//    liblinear does for this loss: dual coordinate descent (Hsieh et al., "A dual coordinate descent
//    method for large-scale linear SVM", ICML 2008) with shrinking; the intercept is an extra feature
//    of value 1 (intercept_scaling=1) whose weight is regularised like the others.
// 3. Score: the decision value w·x + b of every paper of the pool.
//
// The numbers agree with scikit-learn's up to the solver's tolerance; the coordinate order is a seeded
// shuffle, not liblinear's rand(), so runs are repeatable but not bit-identical to scikit-learn's.

import { seededRandom } from "../../lib/relevance/random";

export interface BaselineDoc {
  id: string;
  title: string;
  abstract: string;
}

export interface SvmOptions {
  /** Regularisation C (arxiv-sanity-lite: 0.01). */
  c?: number;
  /** Stop when the projected gradient's spread (max − min) is at most this (scikit-learn's tol: 1e-6). */
  tol?: number;
  /** Passes over the data at most (max_iter: 10000). */
  maxIter?: number;
  /** Seed of the coordinate order's shuffle. */
  seed?: number;
}

/** One document as a sparse vector: feature indices ascending, and their values. */
export interface SparseRow {
  indices: Int32Array;
  values: Float64Array;
}

export interface TfidfMatrix {
  /** One row per text, in the order given. */
  rows: SparseRow[];
  /** Feature names (unigrams, and bigrams as "word word"), sorted as scikit-learn sorts them. */
  vocabulary: string[];
  /** idf of each feature: ln((1 + n) / (1 + df)) + 1. */
  idf: Float64Array;
}

export interface LinearSvcModel {
  /** One weight per feature (coef_). */
  weights: Float64Array;
  /** intercept_ (the weight of the constant feature, intercept_scaling = 1). */
  bias: number;
  /** Passes over the data made. */
  iterations: number;
  /** Whether the tolerance was reached before maxIter. */
  converged: boolean;
}

const DEFAULT_C = 0.01;
const DEFAULT_TOL = 1e-6;
const DEFAULT_MAX_ITER = 10_000;
const DEFAULT_SEED = 1;

// scikit-learn's ENGLISH_STOP_WORDS (sklearn/feature_extraction/_stop_words.py, taken there from the
// Glasgow Information Retrieval Group's list), 318 words, misspellings ("amoungst", "couldnt",
// "hasnt", "noone") included as scikit-learn has them.
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set([
  "a", "about", "above", "across", "after", "afterwards", "again", "against", "all", "almost", "alone",
  "along", "already", "also", "although", "always", "am", "among", "amongst", "amoungst", "amount", "an",
  "and", "another", "any", "anyhow", "anyone", "anything", "anyway", "anywhere", "are", "around", "as",
  "at", "back", "be", "became", "because", "become", "becomes", "becoming", "been", "before",
  "beforehand", "behind", "being", "below", "beside", "besides", "between", "beyond", "bill", "both",
  "bottom", "but", "by", "call", "can", "cannot", "cant", "co", "con", "could", "couldnt", "cry", "de",
  "describe", "detail", "do", "done", "down", "due", "during", "each", "eg", "eight", "either", "eleven",
  "else", "elsewhere", "empty", "enough", "etc", "even", "ever", "every", "everyone", "everything",
  "everywhere", "except", "few", "fifteen", "fifty", "fill", "find", "fire", "first", "five", "for",
  "former", "formerly", "forty", "found", "four", "from", "front", "full", "further", "get", "give", "go",
  "had", "has", "hasnt", "have", "he", "hence", "her", "here", "hereafter", "hereby", "herein",
  "hereupon", "hers", "herself", "him", "himself", "his", "how", "however", "hundred", "i", "ie", "if",
  "in", "inc", "indeed", "interest", "into", "is", "it", "its", "itself", "keep", "last", "latter",
  "latterly", "least", "less", "ltd", "made", "many", "may", "me", "meanwhile", "might", "mill", "mine",
  "more", "moreover", "most", "mostly", "move", "much", "must", "my", "myself", "name", "namely",
  "neither", "never", "nevertheless", "next", "nine", "no", "nobody", "none", "noone", "nor", "not",
  "nothing", "now", "nowhere", "of", "off", "often", "on", "once", "one", "only", "onto", "or", "other",
  "others", "otherwise", "our", "ours", "ourselves", "out", "over", "own", "part", "per", "perhaps",
  "please", "put", "rather", "re", "same", "see", "seem", "seemed", "seeming", "seems", "serious",
  "several", "she", "should", "show", "side", "since", "sincere", "six", "sixty", "so", "some", "somehow",
  "someone", "something", "sometime", "sometimes", "somewhere", "still", "such", "system", "take", "ten",
  "than", "that", "the", "their", "them", "themselves", "then", "thence", "there", "thereafter",
  "thereby", "therefore", "therein", "thereupon", "these", "they", "thick", "thin", "third", "this",
  "those", "though", "three", "through", "throughout", "thru", "thus", "to", "together", "too", "top",
  "toward", "towards", "twelve", "twenty", "two", "un", "under", "until", "up", "upon", "us", "very",
  "via", "was", "we", "well", "were", "what", "whatever", "when", "whence", "whenever", "where",
  "whereafter", "whereas", "whereby", "wherein", "whereupon", "wherever", "whether", "which", "while",
  "whither", "who", "whoever", "whole", "whom", "whose", "why", "will", "with", "within", "without",
  "would", "yet", "you", "your", "yours", "yourself", "yourselves",
]);

// ---------------------------------------------------------------------------------------------------
// Text → terms, as scikit-learn's word analyzer.

const ASCII_ONLY = /^[\x00-\x7f]*$/;
const NON_ASCII = /[^\x00-\x7f]/gu;

// Python's unicodedata.combining(ch) != 0, i.e. a non-zero canonical combining class. JavaScript cannot
// read the class, but canonical reordering reveals it: NFD swaps two adjacent marks whose classes are
// out of order, and U+0334 has class 1 and U+0345 class 240 (the smallest and largest there are).
const combiningCache = new Map<string, boolean>();
function isCombining(ch: string): boolean {
  let v = combiningCache.get(ch);
  if (v === undefined) {
    const after = ch + "\u0334";
    const before = "\u0345" + ch;
    v = ch === "\u0345" || after.normalize("NFD") !== after || before.normalize("NFD") !== before;
    combiningCache.set(ch, v);
  }
  return v;
}

/** strip_accents="unicode": NFKD, then drop the combining characters (ASCII text is left as it is). */
export function stripAccentsUnicode(s: string): string {
  if (ASCII_ONLY.test(s)) return s;
  return s.normalize("NFKD").replace(NON_ASCII, (ch) => (isCombining(ch) ? "" : ch));
}

// token_pattern (?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b. Python's \b under (?u) is Unicode-aware (a word
// character is a letter, a number or "_"), JavaScript's is ASCII-only, hence the lookarounds when the
// text is not plain ASCII (on ASCII text the two agree).
const TOKEN_ASCII = /\b[a-zA-Z_][a-zA-Z0-9_]+\b/g;
const TOKEN_UNICODE = /(?<![\p{L}\p{N}_])[a-zA-Z_][a-zA-Z0-9_]+(?![\p{L}\p{N}_])/gu;

/** The tokens of a text: lowercased, accents stripped, matched by the token pattern, stop words kept. */
export function tokenize(text: string): string[] {
  const doc = stripAccentsUnicode(text.toLowerCase());
  return doc.match(ASCII_ONLY.test(doc) ? TOKEN_ASCII : TOKEN_UNICODE) ?? [];
}

/** The terms of a text: its tokens without stop words, then the bigrams of those (after removal). */
export function analyze(text: string): string[] {
  const words = tokenize(text).filter((t) => !ENGLISH_STOP_WORDS.has(t));
  const terms = words.slice();
  for (let i = 1; i < words.length; i++) terms.push(`${words[i - 1]} ${words[i]}`);
  return terms;
}

// ---------------------------------------------------------------------------------------------------
// tf-idf

/** TfidfVectorizer(...).fit_transform(texts) with arxiv-sanity-lite's settings (see the top). */
export function tfidfMatrix(texts: readonly string[]): TfidfMatrix {
  // Words get ids as they are met, and so do bigrams, known by the ids of their two words (no string is
  // built for a bigram until the vocabulary is written out).
  const wordIds = new Map<string, number>();
  const words: string[] = [];
  const bigramIds = new PairIds();
  const wordDf = new GrowableInt32();
  const bigramDf = new GrowableInt32();
  // Per document: its distinct unigram ids and counts, then its distinct bigram ids and counts.
  const docs: { words: Int32Array; wordTf: Int32Array; bigrams: Int32Array; bigramTf: Int32Array }[] = [];

  for (const text of texts) {
    const tokens = tokenize(text);
    const seq = new Int32Array(tokens.length);
    let m = 0;
    for (const token of tokens) {
      if (ENGLISH_STOP_WORDS.has(token)) continue;
      let id = wordIds.get(token);
      if (id === undefined) {
        id = words.length;
        wordIds.set(token, id);
        words.push(token);
      }
      seq[m++] = id;
    }
    const pairs = new Int32Array(Math.max(m - 1, 0));
    for (let i = 1; i < m; i++) pairs[i - 1] = bigramIds.idOf(seq[i - 1]!, seq[i]!);
    const [docWords, wordTf] = runs(seq.subarray(0, m).sort());
    const [bigrams, bigramTf] = runs(pairs.sort());
    for (let k = 0; k < docWords.length; k++) wordDf.inc(docWords[k]!);
    for (let k = 0; k < bigrams.length; k++) bigramDf.inc(bigrams[k]!);
    docs.push({ words: docWords, wordTf, bigrams, bigramTf });
  }

  // scikit-learn orders the features by name (code point order). Words are made of [a-zA-Z0-9_] only,
  // all above the " " that joins a bigram, so that order is: each word, then the bigrams that start
  // with it, by their second word. The words are sorted as strings (UTF-16 order, the same for ASCII),
  // the bigrams by the ranks of their words (two stable counting-sort passes: second word, then first).
  const nWords = words.length;
  const nBigrams = bigramIds.size;
  const byName = words.slice().sort().map((w) => wordIds.get(w)!);
  const wordRank = new Int32Array(nWords);
  for (let r = 0; r < nWords; r++) wordRank[byName[r]!] = r;
  const bySecond = countingSort(Int32Array.from({ length: nBigrams }, (_, b) => b), (b) => wordRank[bigramIds.second(b)]!, nWords);
  const bucketStart = new Int32Array(nWords + 1);
  for (let b = 0; b < nBigrams; b++) bucketStart[wordRank[bigramIds.first(b)]! + 1]!++;
  for (let r = 0; r < nWords; r++) bucketStart[r + 1]! += bucketStart[r]!;
  const byFirst = countingSort(bySecond, (b) => wordRank[bigramIds.first(b)]!, nWords);

  const nFeatures = nWords + nBigrams;
  const wordColumn = new Int32Array(nWords);
  const bigramColumn = new Int32Array(nBigrams);
  const vocabulary = new Array<string>(nFeatures);
  const idf = new Float64Array(nFeatures);
  const n = texts.length;
  let col = 0;
  for (let r = 0; r < nWords; r++) {
    const w = byName[r]!;
    wordColumn[w] = col;
    vocabulary[col] = words[w]!;
    idf[col++] = Math.log((1 + n) / (1 + wordDf.at(w))) + 1;
    for (let k = bucketStart[r]!; k < bucketStart[r + 1]!; k++) {
      const b = byFirst[k]!;
      bigramColumn[b] = col;
      vocabulary[col] = `${words[bigramIds.first(b)]} ${words[bigramIds.second(b)]}`;
      idf[col++] = Math.log((1 + n) / (1 + bigramDf.at(b))) + 1;
    }
  }

  // Rows: sublinear tf (1 + ln tf) × idf, L2-normalised.
  const scratch = new Float64Array(nFeatures);
  const rows = docs.map((doc): SparseRow => {
    const nnz = doc.words.length + doc.bigrams.length;
    const indices = new Int32Array(nnz);
    let k = 0;
    for (let j = 0; j < doc.words.length; j++) {
      const c = wordColumn[doc.words[j]!]!;
      indices[k++] = c;
      scratch[c] = (1 + Math.log(doc.wordTf[j]!)) * idf[c]!;
    }
    for (let j = 0; j < doc.bigrams.length; j++) {
      const c = bigramColumn[doc.bigrams[j]!]!;
      indices[k++] = c;
      scratch[c] = (1 + Math.log(doc.bigramTf[j]!)) * idf[c]!;
    }
    indices.sort();
    const values = new Float64Array(nnz);
    let sq = 0;
    for (let j = 0; j < nnz; j++) {
      const c = indices[j]!;
      const v = scratch[c]!;
      scratch[c] = 0;
      values[j] = v;
      sq += v * v;
    }
    if (sq > 0) {
      const inv = 1 / Math.sqrt(sq);
      for (let j = 0; j < nnz; j++) values[j]! *= inv;
    }
    return { indices, values };
  });
  return { rows, vocabulary, idf };
}

/** The distinct values of a sorted array and how many times each occurs. */
function runs(sorted: Int32Array): [Int32Array, Int32Array] {
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  const values = new Int32Array(distinct);
  const counts = new Int32Array(distinct);
  let k = -1;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) values[++k] = sorted[i]!;
    counts[k]!++;
  }
  return [values, counts];
}

/** Ids 0, 1, 2, … for pairs of word ids, in the order first met (open addressing, linear probing). */
class PairIds {
  size = 0;
  private mask = (1 << 14) - 1;
  private slots = new Int32Array(1 << 14).fill(-1);
  private readonly firsts = new GrowableInt32();
  private readonly seconds = new GrowableInt32();

  first(id: number): number {
    return this.firsts.at(id);
  }
  second(id: number): number {
    return this.seconds.at(id);
  }
  idOf(a: number, b: number): number {
    let h = PairIds.hash(a, b) & this.mask;
    for (;;) {
      const id = this.slots[h]!;
      if (id === -1) break;
      if (this.firsts.at(id) === a && this.seconds.at(id) === b) return id;
      h = (h + 1) & this.mask;
    }
    const id = this.size++;
    this.slots[h] = id;
    this.firsts.set(id, a);
    this.seconds.set(id, b);
    if (this.size * 2 > this.slots.length) this.grow();
    return id;
  }
  private static hash(a: number, b: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 15;
    return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13);
  }
  private grow(): void {
    const size = this.slots.length * 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size).fill(-1);
    for (let id = 0; id < this.size; id++) {
      let h = PairIds.hash(this.firsts.at(id), this.seconds.at(id)) & this.mask;
      while (this.slots[h] !== -1) h = (h + 1) & this.mask;
      this.slots[h] = id;
    }
  }
}

/** `items` stably sorted by `key(item)`, an integer in [0, range). */
function countingSort(items: Int32Array, key: (item: number) => number, range: number): Int32Array {
  const start = new Int32Array(range + 1);
  for (let i = 0; i < items.length; i++) start[key(items[i]!) + 1]!++;
  for (let r = 0; r < range; r++) start[r + 1]! += start[r]!;
  const out = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    out[start[key(item)]!++] = item;
  }
  return out;
}

/** An Int32Array that grows as it is written. */
class GrowableInt32 {
  private data = new Int32Array(1024);
  at(i: number): number {
    return i < this.data.length ? this.data[i]! : 0;
  }
  set(i: number, v: number): void {
    if (i >= this.data.length) {
      const grown = new Int32Array(Math.max(this.data.length * 2, i + 1));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[i] = v;
  }
  inc(i: number): void {
    this.set(i, this.at(i) + 1);
  }
}

// ---------------------------------------------------------------------------------------------------
// Linear SVM

function dot(w: Float64Array, row: SparseRow): number {
  const { indices, values } = row;
  let s = 0;
  for (let k = 0; k < indices.length; k++) s += w[indices[k]!]! * values[k]!;
  return s;
}

/**
 * LinearSVC(class_weight="balanced", loss="squared_hinge", penalty="l2", fit_intercept=True,
 * intercept_scaling=1).fit(rows, y) with y[i] = 1 (positive) or 0 (negative): minimises
 *   ½‖(w, b)‖² + Σᵢ Cᵢ · max(0, 1 − ỹᵢ (w·xᵢ + b))²,   ỹᵢ = ±1,  Cᵢ = C · n / (2 · n_class(i)),
 * by coordinate descent on its dual  min ½ αᵀ(Q + D)α − Σ αᵢ,  αᵢ ≥ 0,  Qᵢⱼ = ỹᵢỹⱼ (xᵢ·xⱼ + 1),
 * Dᵢᵢ = 1 / (2 Cᵢ), keeping w = Σ αᵢ ỹᵢ xᵢ (and b = Σ αᵢ ỹᵢ) up to date.
 */
export function trainLinearSvc(rows: readonly SparseRow[], y: ArrayLike<number>, options: SvmOptions = {}): LinearSvcModel {
  const c = options.c ?? DEFAULT_C;
  const tol = options.tol ?? DEFAULT_TOL;
  const maxIter = options.maxIter ?? DEFAULT_MAX_ITER;
  const seed = options.seed ?? DEFAULT_SEED;
  if (!(c > 0) || !Number.isFinite(c)) throw new RangeError(`trainLinearSvc: C must be a positive number, got ${c}`);
  if (!(tol > 0)) throw new RangeError(`trainLinearSvc: tol must be positive, got ${tol}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new RangeError(`trainLinearSvc: maxIter must be a positive integer, got ${maxIter}`);
  const l = rows.length;
  if (y.length !== l) throw new RangeError(`trainLinearSvc: ${l} rows but ${y.length} labels`);

  let nFeatures = 0;
  let nPos = 0;
  const sign = new Float64Array(l);
  for (let i = 0; i < l; i++) {
    const { indices, values } = rows[i]!;
    if (indices.length !== values.length) throw new RangeError(`trainLinearSvc: row ${i} has ${indices.length} indices but ${values.length} values`);
    for (let k = 0; k < indices.length; k++) if (indices[k]! >= nFeatures) nFeatures = indices[k]! + 1;
    const label = y[i];
    if (label !== 0 && label !== 1) throw new RangeError(`trainLinearSvc: label ${i} is ${label}, expected 0 or 1`);
    sign[i] = label === 1 ? 1 : -1;
    if (label === 1) nPos++;
  }
  const nNeg = l - nPos;
  if (nPos === 0 || nNeg === 0) throw new RangeError(`trainLinearSvc: needs both classes, got ${nPos} positive and ${nNeg} negative`);

  // class_weight="balanced": n / (2 n_c); the class's C is C times its weight. D_ii = 1 / (2 C_i); no
  // upper bound on alpha for the squared hinge.
  const diagPos = 0.5 / (c * (l / (2 * nPos)));
  const diagNeg = 0.5 / (c * (l / (2 * nNeg)));
  const diag = new Float64Array(l);
  const qd = new Float64Array(l);
  for (let i = 0; i < l; i++) {
    diag[i] = sign[i]! > 0 ? diagPos : diagNeg;
    const values = rows[i]!.values;
    let sq = 1; // the constant feature (intercept_scaling = 1)
    for (let k = 0; k < values.length; k++) sq += values[k]! * values[k]!;
    qd[i] = diag[i]! + sq;
  }

  const w = new Float64Array(nFeatures);
  let wb = 0;
  const alpha = new Float64Array(l);
  const index = new Int32Array(l);
  for (let i = 0; i < l; i++) index[i] = i;
  const random = seededRandom(seed);
  let active = l;
  let pgMaxOld = Infinity;
  let iter = 0;
  let converged = false;

  while (iter < maxIter) {
    let pgMax = -Infinity;
    let pgMin = Infinity;
    for (let s = 0; s < active; s++) {
      const j = s + Math.floor(random() * (active - s));
      const t = index[s]!;
      index[s] = index[j]!;
      index[j] = t;
    }
    for (let s = 0; s < active; s++) {
      const i = index[s]!;
      const yi = sign[i]!;
      const row = rows[i]!;
      const g = yi * (dot(w, row) + wb) - 1 + alpha[i]! * diag[i]!;
      let pg = 0;
      if (alpha[i] === 0) {
        if (g > pgMaxOld) {
          // Shrinking: at the bound and likely to stay there; leave it out until the next full pass.
          active--;
          index[s] = index[active]!;
          index[active] = i;
          s--;
          continue;
        }
        if (g < 0) pg = g;
      } else {
        pg = g;
      }
      if (pg > pgMax) pgMax = pg;
      if (pg < pgMin) pgMin = pg;
      if (Math.abs(pg) > 1e-12) {
        const old = alpha[i]!;
        const next = Math.max(old - g / qd[i]!, 0);
        alpha[i] = next;
        const d = (next - old) * yi;
        const { indices, values } = row;
        for (let k = 0; k < indices.length; k++) w[indices[k]!]! += d * values[k]!;
        wb += d;
      }
    }
    iter++;
    if (pgMax - pgMin <= tol) {
      if (active === l) {
        converged = true;
        break;
      }
      // Converged on the shrunk problem: check once more on all of it.
      active = l;
      pgMaxOld = Infinity;
      continue;
    }
    pgMaxOld = pgMax <= 0 ? Infinity : pgMax;
  }
  return { weights: w, bias: wb, iterations: iter, converged };
}

/** w·x + b of every row. */
export function decisionValues(rows: readonly SparseRow[], model: Pick<LinearSvcModel, "weights" | "bias">): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const { indices, values } = rows[i]!;
    let s = model.bias;
    for (let k = 0; k < indices.length; k++) {
      const f = indices[k]!;
      if (f < model.weights.length) s += model.weights[f]! * values[k]!;
    }
    out[i] = s;
  }
  return out;
}

/** Fits tf-idf on `pool`, trains on pool with positives = `positiveIds`, returns the decision value of every pool doc (same order as pool). */
export function arxivSanityScores(pool: BaselineDoc[], positiveIds: ReadonlySet<string>, options?: SvmOptions): Float64Array {
  const { rows } = tfidfMatrix(pool.map((d) => `${d.title} ${d.abstract}`));
  const y = new Uint8Array(pool.length);
  let nPos = 0;
  for (let i = 0; i < pool.length; i++) {
    if (positiveIds.has(pool[i]!.id)) {
      y[i] = 1;
      nPos++;
    }
  }
  if (nPos === 0) throw new RangeError("arxivSanityScores: none of the positive ids is in the pool");
  if (nPos === pool.length) throw new RangeError("arxivSanityScores: every paper of the pool is positive; nothing to rank against");
  return decisionValues(rows, trainLinearSvc(rows, y, options));
}
