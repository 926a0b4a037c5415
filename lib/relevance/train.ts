// Training a topic's model (the `train` queue's job, workers/train.ts, and the evaluation): gathers
// the examples from the database — the topic's own text, its added papers (and the owner's starred
// papers when the topic says so) as positives, "not interested" papers as negatives, a sample of
// recent papers as background — fits lib/relevance/model.ts on them, places the margins of further
// recent papers it was not trained on as the score's percentile scale, and stores the weights with
// the embedding model they belong to. Runs again while what trains the topic changes under it.
import type { Embedder } from "../embed/embedder";
import {
  documentFrequencies,
  papersForTraining,
  labelsChangedAt,
  papersMissingFeatures,
  recentPaperIds,
  saveTopicModel,
  setTrainNote,
  storePaperFeatures,
  topicForTraining,
  trainingLabels,
  type PaperForTraining,
  type TopicForTraining,
} from "../queries/relevance";
import { featurize, idf } from "./features";
import { DEFAULT_MODEL_OPTIONS, fitModel, withQuantiles, type Example, type ModelOptions } from "./model";
import { sample, seededRandom } from "./random";
import { topicText } from "../topics/embedding";

/** Background papers sampled from this many of the most recent ones. */
export const BACKGROUND_POOL = 4_000;
/** Background papers a topic trains against. */
export const BACKGROUND_SIZE = 1_000;
/** Further recent papers, not trained on, whose margins are the scale of the learned score. */
export const CALIBRATION_SIZE = 500;
/** Below this many recent papers, all of them are background (none can be spared for the scale). */
export const MIN_SPLIT = 300;
/** Terms listed as "what this topic has learned", each way. */
const LEARNED_TERMS = 12;

export interface TrainOptions {
  /** The loaded embedding model, or null (terms only). */
  embedder: Pick<Embedder, "modelId"> | null;
  model?: ModelOptions;
  backgroundSize?: number;
  /** Seeds the background sample (default the topic's id; the evaluation fixes it per task). */
  seed?: string;
}

export type TrainResult =
  | { trained: true; positives: number; negatives: number; background: number; embeddingModel: string | null; ms: number; rounds: number }
  | { trained: false; reason: string };

/**
 * The background and calibration samples of a topic from the recent papers (seeded by the topic: the
 * same labels train the same model). The score's scale needs papers the model was not trained on: a
 * library too small for both full samples gives a third of what it has to the scale; one of fewer than
 * MIN_SPLIT recent papers trains on all of them and takes their margins as the scale (biased low: its
 * scores read high).
 */
export function splitRecent(seed: string, recent: string[], backgroundSize = BACKGROUND_SIZE): { background: string[]; calibration: string[] } {
  const shuffled = sample(recent, Infinity, seededRandom(seed));
  const calibrationSize =
    shuffled.length >= backgroundSize + CALIBRATION_SIZE ? CALIBRATION_SIZE : shuffled.length >= MIN_SPLIT ? Math.floor(shuffled.length / 3) : 0;
  return { calibration: shuffled.slice(0, calibrationSize), background: shuffled.slice(calibrationSize, calibrationSize + backgroundSize) };
}

/** The topic's own text (name, description, keywords) as a document. */
export function topicDocument(topic: Pick<TopicForTraining, "name" | "description" | "keywords">) {
  return { title: topicText(topic.name, topic.description) + (topic.keywords.length ? `. ${topic.keywords.join(", ")}` : ""), abstract: "" };
}

async function trainOnce(topic: TopicForTraining, options: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const labels = await trainingLabels(topic);
  const labelled = [...labels.positive, ...labels.negative];
  // Papers labelled before they had a vector (history, or stored before this model existed) get one now.
  await storePaperFeatures(await papersMissingFeatures(labelled));
  const { background, calibration: calibrationIds } = splitRecent(
    options.seed ?? topic.id,
    await recentPaperIds(BACKGROUND_POOL, labelled),
    options.backgroundSize ?? BACKGROUND_SIZE,
  );
  const embeddingModel = options.embedder?.modelId ?? null;
  const texts = new Map<string, PaperForTraining>(
    (await papersForTraining([...labelled, ...background, ...calibrationIds], embeddingModel)).map((p) => [p.paperId, p]),
  );
  const examples: Example[] = [];
  const own = featurize(topicDocument(topic));
  if (own.indices.length) {
    examples.push({ kind: "positive", ...own, dense: embeddingModel && topic.embeddingModel === embeddingModel ? topic.embedding : null });
  }
  const add = (ids: string[], kind: Example["kind"]) => {
    let n = 0;
    for (const id of ids) {
      const paper = texts.get(id);
      if (!paper) continue;
      // The same recipe as the stored vectors the listing scores, with each dimension's term for explanations.
      examples.push({ kind, ...featurize(paper), dense: paper.dense });
      n++;
    }
    return n;
  };
  const positives = add(labels.positive, "positive");
  const negatives = add(labels.negative, "negative");
  const backgroundCount = add(background, "background");
  if (!examples.some((e) => e.kind === "positive")) return { trained: false, reason: "nothing to learn from yet (no text and no added papers)" };
  if (!negatives && !backgroundCount) return { trained: false, reason: "no other papers stored yet to learn what the topic is not" };

  const dims = [...new Set(examples.flatMap((e) => [...e.indices]))];
  const { documents, df } = await documentFrequencies(dims);
  const fitted = fitModel(examples, (dim) => idf(documents, df.get(dim) ?? 0), options.model ?? DEFAULT_MODEL_OPTIONS);
  // The score's scale: papers not trained on (in a small library, the background's own margins).
  const calibration = calibrationIds.flatMap((id) => {
    const paper = texts.get(id);
    return paper ? [{ ...featurize(paper), dense: paper.dense }] : [];
  });
  const model = withQuantiles(fitted, calibration.length ? calibration : examples.filter((e) => e.kind === "background"));
  const order = [...model.weights.keys()].sort((a, b) => model.weights[b]! - model.weights[a]!);
  const label = (i: number) => model.terms[i] ?? "";
  const learned = {
    positive: order.filter((i) => model.weights[i]! > 0).slice(0, LEARNED_TERMS).map(label).filter(Boolean),
    negative: order.reverse().filter((i) => model.weights[i]! < 0).slice(0, LEARNED_TERMS).map(label).filter(Boolean),
  };
  // The topic's own text is one of the positive examples.
  const positivesWithText = positives + (own.indices.length ? 1 : 0);
  const ms = Math.round(performance.now() - started);
  const saved = await saveTopicModel({
    topicId: topic.id,
    labelsAt: topic.labelsChangedAt,
    model,
    embeddingModel: model.dense ? embeddingModel : null,
    positives: positivesWithText,
    negatives,
    background: backgroundCount,
    learned,
    trainMs: ms,
  });
  if (!saved) return { trained: false, reason: "the topic was deleted" };
  return { trained: true, positives: positivesWithText, negatives, background: backgroundCount, embeddingModel: model.dense ? embeddingModel : null, ms, rounds: 1 };
}

/**
 * Trains the topic, and again while its labels changed during training (a label added while the job
 * ran is then never left out). At most 5 rounds per job; a later change queues a new job.
 */
export async function trainTopic(topicId: string, options: TrainOptions): Promise<TrainResult> {
  let result: TrainResult = { trained: false, reason: "no such topic" };
  for (let round = 1; round <= 5; round++) {
    const topic = await topicForTraining(topicId);
    if (!topic) return result.trained ? result : { trained: false, reason: "no such topic" };
    result = await trainOnce(topic, options);
    await setTrainNote(topicId, result.trained ? null : result.reason);
    if (result.trained) result.rounds = round;
    const now = await labelsChangedAt(topicId);
    if (!now || now.getTime() === topic.labelsChangedAt.getTime()) break;
  }
  return result;
}
