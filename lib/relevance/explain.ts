// Why a paper scored what it did for a topic, read off the topic's model itself: the paper's terms
// whose weight × frequency added most to its margin, and the labelled paper it shares the most
// positively weighted terms with (the model's own notion of "like this one"). Computed for the page
// of cards only; the model's weights are read once per trained model and kept in memory.
import { modelForExplaining, trainedAt, type ModelForExplaining } from "../queries/relevance";
import { featurize, type PaperText } from "./features";
import { topContributions } from "./model";

/** Terms shown per card. */
export const EXPLAIN_TERMS = 4;

const cache = new Map<string, ModelForExplaining>();
const CACHE_SIZE = 64;

async function loadModel(topicId: string): Promise<ModelForExplaining | null> {
  const at = await trainedAt(topicId);
  if (!at) return null;
  const cached = cache.get(topicId);
  if (cached && cached.trainedAt.getTime() === at.getTime()) return cached;
  const model = await modelForExplaining(topicId);
  if (!model) return null;
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(topicId, model);
  return model;
}

/** The labelled positive paper sharing the most positively weighted terms with `features`. */
export function nearestLabelled(
  model: ModelForExplaining,
  paperId: string,
  features: { indices: Int32Array; values: Float32Array; terms: string[] },
): { id: string; title: string; shared: string[] } | null {
  // Weight of each of this paper's dimensions in the model (positive weights only).
  const weightOf = new Map<number, number>();
  let j = 0;
  for (let i = 0; i < features.indices.length; i++) {
    const d = features.indices[i]!;
    while (j < model.dims.length && model.dims[j]! < d) j++;
    if (j < model.dims.length && model.dims[j] === d && model.weights[j]! > 0) weightOf.set(d, model.weights[j]! * features.values[i]!);
  }
  if (!weightOf.size) return null;
  const termOf = new Map<number, string>();
  features.indices.forEach((d, i) => termOf.set(d, features.terms[i]!));
  let best: { id: string; title: string; score: number; shared: { term: string; c: number }[] } | null = null;
  for (const p of model.positives) {
    if (p.id === paperId) continue;
    let score = 0;
    const shared: { term: string; c: number }[] = [];
    for (let k = 0; k < p.indices.length; k++) {
      const w = weightOf.get(p.indices[k]!);
      if (w === undefined) continue;
      const c = w * p.values[k]!;
      score += c;
      shared.push({ term: termOf.get(p.indices[k]!)!, c });
    }
    if (score > 0 && (!best || score > best.score)) best = { id: p.id, title: p.title, score, shared };
  }
  if (!best) return null;
  return { id: best.id, title: best.title, shared: best.shared.sort((a, b) => b.c - a.c).slice(0, 3).map((s) => s.term) };
}

/** Fills `relevance.terms` and `relevance.similar` of each scored paper from the topic's model. */
export async function explainScores(
  topicId: string,
  papers: (PaperText & { id: string; relevance: { terms: string[]; similar: { id: string; title: string; shared: string[] } | null } })[],
): Promise<void> {
  const model = await loadModel(topicId);
  if (!model) return;
  for (const paper of papers) {
    const features = featurize(paper);
    paper.relevance.terms = topContributions(model, features, EXPLAIN_TERMS).map((c) => c.term);
    paper.relevance.similar = nearestLabelled(model, paper.id, features);
  }
}
