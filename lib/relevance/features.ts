// The lexical representation of a paper for the learned topic models (lib/relevance/train.ts): the
// words and two-word phrases of its title and abstract, stemmed (Porter, the `stemmer` package),
// without English stop words, the title counted TITLE_COUNT times; then sublinear term frequency
// (1 + ln tf), L2-normalised. Each term is hashed to a dimension of a sparse vector (pgvector's
// sparsevec, FEATURE_DIM dimensions), so no vocabulary table is needed and a new word costs nothing.
// The stored vector carries no idf: the corpus' document frequencies (term_df) are folded into a
// topic's weights when it is trained, so papers never need re-computing as the corpus grows.
//
// FEATURE_VERSION names this recipe; vectors of another version are stale and computed again.
import { stemmer } from "stemmer";
import { ENGLISH_STOP_WORDS } from "./stop-words";

export const FEATURE_VERSION = 1;
/** Dimensions of the hashed space (2^29): collisions between the corpus' few million terms are rare. */
export const FEATURE_DIM = 2 ** 29;
/** A title word counts as this many occurrences: the title says what the paper is about. */
export const TITLE_COUNT = 2;

export interface PaperText {
  title: string;
  abstract: string;
}

/**
 * A sparse vector: dimensions ascending (1-based, as sparsevec), values, and each dimension's term as
 * the text first wrote it (lower-cased, unstemmed: "conformal prediction", not "conform predict").
 */
export interface SparseFeatures {
  indices: Int32Array;
  values: Float32Array;
  terms: string[];
}

const stems = new Map<string, string>();
function stem(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    s = stemmer(word);
    if (stems.size > 200_000) stems.clear();
    stems.set(word, s);
  }
  return s;
}

// LaTeX commands (\mathcal, \alpha) and their markup are not words; what they wrap may be.
const LATEX_COMMAND = /\\[a-zA-Z]+|[{}_^$\\]/g;
const WORD = /[a-z][a-z0-9]+/g;
const COMBINING_MARKS = /[\u0300-\u036f]/g;

/**
 * The stemmed, stop-word-free tokens of a text, in order, with the words they came from, and for
 * each whether it follows the previous token within one sentence (a bigram is not formed across a
 * full stop, colon, semicolon or question mark).
 */
export function tokenize(text: string): { stems: string[]; words: string[]; joined: boolean[] } {
  const plain = text.normalize("NFKD").replace(COMBINING_MARKS, "").toLowerCase().replace(LATEX_COMMAND, " ");
  const stems: string[] = [];
  const words: string[] = [];
  const joined: boolean[] = [];
  let last = 0;
  let broken = true;
  for (const m of plain.matchAll(WORD)) {
    const word = m[0];
    if (PHRASE_BREAK.test(plain.slice(last, m.index))) broken = true;
    last = m.index + word.length;
    if (ENGLISH_STOP_WORDS.has(word)) continue;
    const s = stem(word);
    if (s.length > 1) {
      stems.push(s);
      words.push(word);
      joined.push(!broken);
      broken = false;
    }
  }
  return { stems, words, joined };
}
// Sentence punctuation ends a phrase (a comma does not: "sparse, long-context attention").
const PHRASE_BREAK = /[.;:!?]/;

/** The stemmed, stop-word-free tokens of a text, in order. */
export const tokens = (text: string) => tokenize(text).stems;

interface TermCount {
  count: number;
  /** The words as the text first wrote them. */
  surface: string;
}

/**
 * Unigrams and bigrams (of adjacent tokens once stop words are gone, within a phrase) of a text,
 * counted `times` each, into `counts`.
 */
function addTerms(counts: Map<string, TermCount>, text: string, times: number): void {
  const { stems, words, joined } = tokenize(text);
  const add = (term: string, surface: string) => {
    const seen = counts.get(term);
    if (seen) seen.count += times;
    else counts.set(term, { count: times, surface });
  };
  for (let i = 0; i < stems.length; i++) {
    add(stems[i]!, words[i]!);
    if (joined[i]) add(`${stems[i - 1]} ${stems[i]}`, `${words[i - 1]} ${words[i]}`);
  }
}

/** Term counts of a paper (stemmed terms, with the words that first wrote them): the title's TITLE_COUNT times, the abstract's once. */
export function termCounts(paper: PaperText): Map<string, TermCount> {
  const counts = new Map<string, TermCount>();
  addTerms(counts, paper.title, TITLE_COUNT);
  addTerms(counts, paper.abstract, 1);
  return counts;
}

/** FNV-1a (32-bit) of the term's UTF-16 code units, mapped onto 1..FEATURE_DIM. */
export function termDimension(term: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    h ^= term.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return ((h >>> 0) % FEATURE_DIM) + 1;
}

/**
 * A paper's feature vector: sublinear tf, L2-normalised, by dimension. Two terms that hash to one
 * dimension add up (and the first one names it).
 */
export function featurize(paper: PaperText): SparseFeatures {
  const byDim = new Map<number, { value: number; term: string }>();
  for (const [term, { count, surface }] of termCounts(paper)) {
    const dim = termDimension(term);
    const value = 1 + Math.log(count);
    const seen = byDim.get(dim);
    if (seen) seen.value += value;
    else byDim.set(dim, { value, term: surface });
  }
  const dims = [...byDim.keys()].sort((a, b) => a - b);
  let norm = 0;
  for (const d of dims) norm += byDim.get(d)!.value ** 2;
  norm = Math.sqrt(norm) || 1;
  const indices = new Int32Array(dims.length);
  const values = new Float32Array(dims.length);
  const terms: string[] = new Array(dims.length);
  dims.forEach((d, i) => {
    const e = byDim.get(d)!;
    indices[i] = d;
    values[i] = e.value / norm;
    terms[i] = e.term;
  });
  return { indices, values, terms };
}

/** pgvector's text form of a sparse vector: {dim:value,...}/FEATURE_DIM. */
export function toSparsevec(f: Pick<SparseFeatures, "indices" | "values">): string {
  const parts: string[] = new Array(f.indices.length);
  for (let i = 0; i < f.indices.length; i++) parts[i] = `${f.indices[i]}:${f.values[i]}`;
  return `{${parts.join(",")}}/${FEATURE_DIM}`;
}

/** Parses pgvector's text form of a sparse vector. */
export function fromSparsevec(text: string): { indices: Int32Array; values: Float32Array } {
  const body = text.slice(text.indexOf("{") + 1, text.indexOf("}"));
  if (!body) return { indices: new Int32Array(0), values: new Float32Array(0) };
  const pairs = body.split(",");
  const indices = new Int32Array(pairs.length);
  const values = new Float32Array(pairs.length);
  pairs.forEach((p, i) => {
    const colon = p.indexOf(":");
    indices[i] = Number(p.slice(0, colon));
    values[i] = Number(p.slice(colon + 1));
  });
  return { indices, values };
}

/** Smoothed inverse document frequency, as scikit-learn's: ln((1 + n) / (1 + df)) + 1. */
export const idf = (documents: number, df: number) => Math.log((1 + documents) / (1 + df)) + 1;
