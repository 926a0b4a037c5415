// The learned topic models end to end on the real PostgreSQL (pgvector's sparsevec and vector): papers
// stored as a crawl stores them, topics trained by trainTopic (what the train job runs) and a day
// ranked by listScoredPapersForDay. Every score is recomputed here from the stored model and the
// stored vectors (the margin b + w·x + u·e, its percentile among the stored background margins,
// blended with the keyword part as lib/topics/blend.ts says).
// A database of this file's own: the background a topic trains against is every recent paper, and
// term_df counts every paper, so exact expectations need a corpus no other file adds to (on the
// embedded engine, which has no second database, the checks that need it are skipped).
import { databaseUrl, ownDatabase } from "../helpers/own-database";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseListingSpec } from "../../lib/arxiv/categories";
import { EMBEDDING_DIMENSIONS, toPgVector } from "../../lib/embed/embedder";
import { db, disconnectDb } from "../../lib/db";
import { upsertEntries } from "../../lib/queries/papers";
import {
  papersMissingFeatures,
  staleTopicIds,
  recentPaperIds,
  storePaperFeatures,
  topicForTraining,
  touchStarTrainedTopics,
  touchTopicLabels,
  trainingLabels,
} from "../../lib/queries/relevance";
import { starPaper } from "../../lib/queries/stars";
import {
  createTopic,
  deleteTopic,
  getTopic,
  labelPaper,
  listScoredPapersForDay,
  listScoredPapersForTopics,
  listTopicPapers,
  listTopics,
  updateTopic,
  type ScoredPaper,
} from "../../lib/queries/topics";
import { FEATURE_DIM, FEATURE_VERSION, featurize, idf } from "../../lib/relevance/features";
import { fitModel, withQuantiles, type Example } from "../../lib/relevance/model";
import { BACKGROUND_POOL, BACKGROUND_SIZE, CALIBRATION_SIZE, MIN_SPLIT, splitRecent, topicDocument, trainTopic } from "../../lib/relevance/train";
import { blend, KEYWORD_BOOST, TEXT_WEIGHT } from "../../lib/topics/blend";
import { entry, randomDay, randomPaperId, seedListing, seedPapers } from "../helpers/seed";
import {
  asText,
  checkScores as checkListedScores,
  keyOfId,
  OTHER_PAPERS,
  pct,
  PROTEIN_FOLDING,
  type PaperText,
  storedEmbeddings,
  storedFeatures as readStoredFeatures,
  storedMargin,
  storedModel as readStoredModel,
  storeEmbedding,
} from "../helpers/topic-models";

const tag = randomBytes(4).toString("hex");
const spec = parseListingSpec("cs.LG");
let sql: pg.Client;

// ---------------------------------------------------------------------------------------------
// The corpus. Keys name papers; ids are random. "day" papers are the listing that gets ranked.

type Text = { title: string; abstract: string };
const o = OTHER_PAPERS;
// Protein folding, added to the topic (stored another day): s1..s5.
const seeds: Record<string, Text> = Object.fromEntries(PROTEIN_FOLDING.slice(0, 5).map((t, i) => [`s${i + 1}`, asText(t)]));
const day: Record<string, Text> = {
  on1: { title: "A language model for protein folding", abstract: "Sequence embeddings predict how a protein folds into its three-dimensional structure." },
  on2: { title: "Folding intermediates of membrane proteins", abstract: "We characterise partially folded states of membrane protein domains." },
  on3: { title: "Protein structure from contact predictions", abstract: "Predicted residue contacts constrain the folding of protein chains." },
  // The one the reader will not want, and a near-duplicate of it the reader never sees labelled.
  md: { title: "Molecular dynamics of protein folding on GPUs", abstract: "GPU kernels accelerate molecular dynamics simulation of protein folding." },
  mdDup: { title: "GPU molecular dynamics for protein folding simulations", abstract: "Molecular dynamics simulation of protein folding accelerated by GPU kernels." },
  // Coral reefs: the cold-start topic's theme (and what the stars are about).
  coral1: { title: "Coral reef bleaching under ocean warming", abstract: "Marine heatwaves drive mass bleaching of corals on the reef." },
  coral2: { title: "Recovery of coral reefs after bleaching", abstract: "Reef surveys track coral cover in the years after a bleaching event." },
  off1: asText(o.retrieval),
  off2: asText(o.birds),
  off3: { title: "Sparse attention kernels for transformers", abstract: "Block-sparse matrix products speed up long sequences." },
  off4: asText(o.galaxies),
  off5: asText(o.grasping),
  off6: asText(o.options),
};
const backgroundTexts: PaperText[] = [
  ...[o.queryExpansion, o.medievalTrade, o.speech, o.trafficForecasting, o.quantumCodes, o.translation, o.segmentation],
  ...[o.climate, o.federated, o.compilers, o.sentiment, o.blackHoles, o.recommenders, o.earthquakes],
  ["Solar cell efficiency with perovskites", "Perovskite films raise the efficiency of thin solar cells."],
  ["Protein-free diets and muscle loss", "A survey of elderly patients on restricted diets."],
  ["Paper folding and origami robots", "Self-folding sheets fold into walking robots."],
  o.trafficSignals,
  ["Weather forecasting with graph networks", "A learned simulator forecasts global weather ten days ahead."],
  ["Auction design for online advertising", "Second-price auctions with reserve prices for ad slots."],
];
const background: Record<string, Text> = Object.fromEntries(backgroundTexts.map((t, i) => [`bg${i}`, asText(t)]));
// Coral papers the reader stars (stored another day, never labelled).
const starred: Record<string, Text> = {
  st1: { title: "Coral bleaching thresholds and sea temperature", abstract: "Degree heating weeks predict coral bleaching on reefs." },
  st2: { title: "Symbionts of reef-building corals", abstract: "Heat-tolerant algal symbionts protect corals from bleaching." },
};

const ids: Record<string, string> = {};
const texts: Record<string, Text> = { ...seeds, ...day, ...background, ...starred };
const dayKeys = Object.keys(day);
const listingDay = randomDay();
let alice: string;
let bob: string;

async function makeUser(name: string): Promise<string> {
  const id = `relevance-${tag}-${name}`;
  await db().user.create({ data: { id, name, email: `${name}-${tag}@relevance.test` } });
  return id;
}

const asPaper = (key: string) => ({ id: ids[key]!, ...texts[key]! });

beforeAll(async () => {
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  for (const key of Object.keys(texts)) ids[key] = randomPaperId();
  alice = await makeUser("alice");
  bob = await makeUser("bob");
  await seedPapers(Object.keys(seeds).map(asPaper), "cs.LG", randomDay());
  await seedPapers(Object.keys(background).map(asPaper), "cs.LG", randomDay());
  await seedPapers(Object.keys(starred).map(asPaper), "cs.LG", randomDay());
  await seedPapers(dayKeys.map(asPaper), "cs.LG", listingDay);
});

afterAll(async () => {
  await sql?.end();
  await disconnectDb();
  await ownDatabase?.drop();
});

// ---------------------------------------------------------------------------------------------
// Reading back what is stored, and the score computed from it (tests/helpers/topic-models.ts).

const storedModel = (topicId: string) => readStoredModel(sql, topicId, { dim: FEATURE_DIM, featureVersion: FEATURE_VERSION });
const storedFeatures = (paperIds: string[]) => readStoredFeatures(sql, paperIds, FEATURE_DIM);

async function ranked(userId: string, topicId: string): Promise<ScoredPaper[]> {
  const { papers, total } = await listScoredPapersForDay(userId, topicId, spec, listingDay);
  expect(total).toBe(dayKeys.length);
  return papers;
}

const keyOf = (paperId: string) => keyOfId(ids, paperId);
const scoreOf = (papers: ScoredPaper[], key: string) => papers.find((p) => p.id === ids[key])!.relevance.score;

/**
 * Checks every paper of the day against the stored model and vectors (checkScores in
 * tests/helpers/topic-models.ts): the margin b + w·x + u·e (computed here in double precision, and
 * matched by pgvector's float4 sums), the model part, the keyword part given, the blend, 0 for "not
 * interested"; best first, equal scores by margin. Returns the margins.
 */
async function checkScores(papers: ScoredPaper[], topicId: string, keywordPart: (key: string) => number | null) {
  const model = (await storedModel(topicId))!;
  expect(model).not.toBeNull();
  const features = await storedFeatures(papers.map((p) => p.id));
  const vectors = await storedEmbeddings(sql, papers.map((p) => p.id));
  return checkListedScores(sql, { topicId, model, papers, ids, features, vectors, keywordPart });
}

const noEmbedder = { embedder: null };

// ---------------------------------------------------------------------------------------------

describe("a topic seeded with papers", () => {
  let topicId: string;

  test("(a) ranks the day's on-topic papers first; every score is the stored model's", async () => {
    const created = await createTopic(alice, { name: "Protein folding", description: "How proteins fold into their structures.", keywords: [] }, Object.keys(seeds).map((k) => ids[k]!));
    topicId = created.id;
    expect(created.missing).toEqual([]);
    // Not trained yet: no model part, nothing ranked by it.
    const before = await ranked(alice, topicId);
    expect(before.every((p) => p.relevance.modelPart === null && p.relevance.score === 0)).toBe(true);
    expect((await getTopic(alice, topicId))!.model.state).toBe("training");

    const result = await trainTopic(topicId, noEmbedder);
    // Positives: the topic's own text and its five papers.
    expect(result).toMatchObject({ trained: true, positives: 1 + Object.keys(seeds).length, negatives: 0, embeddingModel: null, rounds: 1 });
    const all = Object.keys(texts).length;
    // Background: every other paper stored (this database holds only this file's papers).
    // A library this small (under MIN_SPLIT recent papers) trains on every other paper.
    if (ownDatabase) expect(result.trained && result.background).toBe(all - Object.keys(seeds).length);
    const summary = (await getTopic(alice, topicId))!;
    expect(summary.model).toMatchObject({ state: "ready", note: null, positives: 1 + Object.keys(seeds).length, negatives: 0, embeddingModel: null });
    expect(summary.model.learned.positive.slice(0, 5)).toEqual(expect.arrayContaining(["protein"]));
    expect(await staleTopicIds()).not.toContain(topicId);

    const papers = await ranked(alice, topicId);
    const margins = await checkScores(papers, topicId, () => null);
    const onTopic = ["on1", "on2", "on3", "md", "mdDup"];
    expect(papers.slice(0, onTopic.length).map((p) => keyOf(p.id)).sort()).toEqual([...onTopic].sort());
    // And clearly: the weakest on-topic paper's margin well above the best other one's.
    const weakestOn = Math.min(...onTopic.map((k) => margins.get(k)!));
    const bestOff = Math.max(...dayKeys.filter((k) => !onTopic.includes(k)).map((k) => margins.get(k)!));
    expect(weakestOn - bestOff).toBeGreaterThan(0.5);
    // Explanations name the topic's words.
    expect(papers[0]!.relevance.terms.some((t) => ["protein", "fold", "protein fold"].includes(t))).toBe(true);
    expect(papers.find((p) => p.id === ids.off2)!.relevance.terms).toEqual([]);
  });

  // Needs the whole corpus to be this file's (on the embedded engine other files add papers meanwhile).
  test.skipIf(!ownDatabase)("the stored model is what fitModel gives on the topic's text, its papers and the background", async () => {
    // Recomputed here: the examples gathered by hand, idf from term_df as stored.
    const topic = (await topicForTraining(topicId))!;
    const labelled = new Set(Object.keys(seeds).map((k) => ids[k]!));
    const { rows: paperRows } = await sql.query<{ id: string; title: string; abstract: string }>(`SELECT id, title, abstract FROM papers ORDER BY id`);
    // The background and the calibration papers (the score's scale) as the job splits the recent ones.
    const { background, calibration } = splitRecent(topicId, await recentPaperIds(BACKGROUND_POOL, [...labelled]));
    const byId = new Map(paperRows.map((p) => [p.id, p]));
    const examples: Example[] = [{ kind: "positive", ...featurize(topicDocument(topic)) }];
    for (const p of paperRows) if (labelled.has(p.id)) examples.push({ kind: "positive", ...featurize(p) });
    for (const id of background) examples.push({ kind: "background", ...featurize(byId.get(id)!) });
    const { rows: dfRows } = await sql.query<{ dim: number; df: number }>(`SELECT dim, df FROM term_df`);
    const df = new Map(dfRows.map((r) => [r.dim, r.df]));
    const model = withQuantiles(
      fitModel(examples, (dim) => idf(df.get(0)!, df.get(dim) ?? 0)),
      examples.filter((e) => e.kind === "background"),
    );
    const stored = (await storedModel(topicId))!;
    // Too few papers to spare any for the scale: the background's own margins are it.
    expect(calibration).toEqual([]);
    expect(stored.positives + stored.background + stored.negatives + calibration.length).toBe(paperRows.length + 1);
    // Same optimum (the example order differs, so compare what it predicts, not bits), same scale.
    expect(stored.bias).toBeCloseTo(model.bias, 3);
    expect(stored.quantiles).toHaveLength(model.quantiles.length);
    stored.quantiles.forEach((q, i) => expect(q).toBeCloseTo(model.quantiles[i]!, 3));
    const features = await storedFeatures(dayKeys.map((k) => ids[k]!));
    for (const key of dayKeys) {
      const x = features.get(ids[key]!)!;
      const mine = x.dims.reduce((z, d, i) => {
        const j = model.dims.indexOf(d);
        return z + (j < 0 ? 0 : model.weights[j]! * x.values[i]!);
      }, model.bias);
      expect(storedMargin(stored, x), `margin of ${key}`).toBeCloseTo(mine, 3);
    }
  });

  test("(b) \"not interested\" sets that paper to 0 and, once retrained, lowers its unlabelled near-duplicate", async () => {
    const before = await ranked(alice, topicId);
    const marginsBefore = await checkScores(before, topicId, () => null);
    const dupBefore = scoreOf(before, "mdDup");
    // Both among the day's on-topic papers, above every other one.
    const offTopic = dayKeys.filter((k) => k.startsWith("off") || k.startsWith("coral"));
    for (const k of offTopic) expect(scoreOf(before, "md")).toBeGreaterThan(scoreOf(before, k));
    for (const k of offTopic) expect(dupBefore).toBeGreaterThan(scoreOf(before, k));

    const changedBefore = (await topicForTraining(topicId))!.labelsChangedAt;
    expect(await labelPaper(alice, topicId, ids.md!, "negative")).toBe("ok");
    const changedAfter = (await topicForTraining(topicId))!.labelsChangedAt;
    expect(changedAfter.getTime()).toBeGreaterThan(changedBefore.getTime());
    // At once (before retraining): the marked paper is 0, the model is stale.
    const marked = await ranked(alice, topicId);
    expect(scoreOf(marked, "md")).toBe(0);
    expect(marked.at(-1)!.id).toBe(ids.md);
    expect((await getTopic(alice, topicId))!.model.state).toBe("training");
    expect(await staleTopicIds()).toContain(topicId);

    const result = await trainTopic(topicId, noEmbedder);
    expect(result).toMatchObject({ trained: true, negatives: 1 });
    expect((await getTopic(alice, topicId))!.model).toMatchObject({ state: "ready", negatives: 1 });
    const after = await ranked(alice, topicId);
    const margins = await checkScores(after, topicId, () => null);
    expect(scoreOf(after, "md")).toBe(0);
    expect(after.find((p) => p.id === ids.md)!.relevance.label).toBe("negative");
    // The near-duplicate falls a lot, below every other on-topic paper; those move much less.
    const drop = (k: string) => marginsBefore.get(k)! - margins.get(k)!;
    expect(drop("md")).toBeGreaterThan(0.5);
    expect(drop("mdDup")).toBeGreaterThan(0.3);
    expect(scoreOf(after, "mdDup")).toBeLessThan(dupBefore);
    for (const k of ["on1", "on2", "on3"]) {
      expect(scoreOf(after, k), k).toBeGreaterThan(scoreOf(after, "mdDup"));
      expect(Math.abs(drop(k)), k).toBeLessThan(drop("mdDup") / 2);
    }
    // What it learned against: the words only the unwanted paper had.
    const learnedAgainst = (await getTopic(alice, topicId))!.model.learned.negative;
    expect(learnedAgainst.some((t) => /\bgpus?\b|\bmolecular dynamics\b/.test(t)), learnedAgainst.join(", ")).toBe(true);
  });

  test("(d) another reader can neither train, change nor read the topic or its model", async () => {
    const model = (await storedModel(topicId))!;
    const changedAt = (await topicForTraining(topicId))!.labelsChangedAt;
    expect(await labelPaper(bob, topicId, ids.on1!, "negative")).toBe("no-topic");
    expect(await labelPaper(bob, topicId, ids.on1!, null)).toBe("no-topic");
    expect(await updateTopic(bob, topicId, { name: "Mine now", description: "Birds", keywords: ["stork"], includeStarred: true }, null)).toBe(false);
    expect(await touchTopicLabels(bob, topicId)).toBe(false);
    expect(await deleteTopic(bob, topicId)).toBe(false);
    expect(await listScoredPapersForDay(bob, topicId, spec, listingDay)).toEqual({ papers: [], total: 0 });
    expect(await getTopic(bob, topicId)).toBeNull();
    expect((await listTopics(bob)).map((t) => t.id)).not.toContain(topicId);
    expect(await listTopicPapers(bob, topicId)).toEqual([]);
    // Bob's stars never train Alice's topic, even one that learns from stars.
    await starPaper(bob, ids.off2!);
    expect(await touchStarTrainedTopics(bob)).toEqual([]);
    const topic = (await topicForTraining(topicId))!;
    expect((await trainingLabels({ ...topic, includeStarred: true })).positive).not.toContain(ids.off2);
    // Nothing moved: same labels, same time, same model, not stale.
    expect((await topicForTraining(topicId))!.labelsChangedAt).toEqual(changedAt);
    expect(await storedModel(topicId)).toEqual(model);
    expect(await staleTopicIds()).not.toContain(topicId);
    expect((await listTopicPapers(alice, topicId)).find((p) => p.id === ids.on1)).toBeUndefined();
    expect((await getTopic(alice, topicId))!).toMatchObject({ name: "Protein folding", keywords: [], includeStarred: false });
  });

  test("(e) starred papers train the topic only when it says so; a starred paper marked not interested stays negative", async () => {
    await starPaper(alice, ids.st1!);
    await starPaper(alice, ids.st2!);
    await starPaper(alice, ids.md!);
    // Off: the stars are not positives; touching stars does not mark the topic changed.
    expect(await touchStarTrainedTopics(alice)).toEqual([]);
    let topic = (await topicForTraining(topicId))!;
    expect(topic.includeStarred).toBe(false);
    let labels = await trainingLabels(topic);
    expect(labels.positive.sort()).toEqual(Object.keys(seeds).map((k) => ids[k]!).sort());
    expect(labels.negative).toEqual([ids.md]);
    const off = await ranked(alice, topicId);
    const coralOff = scoreOf(off, "coral1");
    const marginsOff = await checkScores(off, topicId, () => null);

    // On: the setting is a change of what trains the topic.
    const input = { name: "Protein folding", description: "How proteins fold into their structures.", keywords: [] };
    expect(await updateTopic(alice, topicId, { ...input, includeStarred: true }, null)).toBe(true);
    expect((await getTopic(alice, topicId))!).toMatchObject({ includeStarred: true, model: { state: "training" } });
    expect(await staleTopicIds()).toContain(topicId);
    expect(await touchStarTrainedTopics(alice)).toEqual([topicId]);
    topic = (await topicForTraining(topicId))!;
    labels = await trainingLabels(topic);
    expect(labels.positive.sort()).toEqual([...Object.keys(seeds), "st1", "st2"].map((k) => ids[k]!).sort());
    // The starred paper marked "not interested" for this topic is a negative, not also a positive.
    expect(labels.negative).toEqual([ids.md]);
    const result = await trainTopic(topicId, noEmbedder);
    expect(result).toMatchObject({ trained: true, positives: 1 + Object.keys(seeds).length + 2, negatives: 1 });
    const on = await ranked(alice, topicId);
    const marginsOn = await checkScores(on, topicId, () => null);
    // The day's coral papers now look like the starred ones: up, above the other off-topic papers.
    for (const k of ["coral1", "coral2"]) {
      expect(marginsOn.get(k)! - marginsOff.get(k)!, k).toBeGreaterThan(1);
      for (const other of dayKeys.filter((o) => o.startsWith("off"))) expect(scoreOf(on, k)).toBeGreaterThan(scoreOf(on, other));
    }

    // Off again: back to the labelled papers only.
    expect(await updateTopic(alice, topicId, { ...input, includeStarred: false }, null)).toBe(true);
    expect(await trainTopic(topicId, noEmbedder)).toMatchObject({ trained: true, positives: 1 + Object.keys(seeds).length });
    expect(scoreOf(await ranked(alice, topicId), "coral1")).toBeCloseTo(coralOff, 5);
    // Saving the same settings again changes nothing to retrain.
    const at = (await topicForTraining(topicId))!.labelsChangedAt;
    expect(await updateTopic(alice, topicId, { ...input, includeStarred: false }, null)).toBe(true);
    expect((await topicForTraining(topicId))!.labelsChangedAt).toEqual(at);
    expect((await getTopic(alice, topicId))!.model.state).toBe("ready");
  });

  test("the model's counts say what it was trained on: positives include the topic's own text", async () => {
    // lib/queries/topics.ts TopicModelState: "Examples it was trained on (positives include the
    // topic's own text)"; app/topics/model-text.ts prints "on N positive examples (the topic's text
    // and the papers added)". Trained on the text and five papers, N must be 6.
    await trainTopic(topicId, noEmbedder);
    expect((await getTopic(alice, topicId))!.model.positives).toBe(1 + Object.keys(seeds).length);
  });
});

describe("(c) the weights of an embedding model meet only that model's vectors", () => {
  let topicId: string;
  const modelA = `model-a-${tag}`;
  const modelB = `model-b-${tag}`;
  const onTheme = new Set(["s1", "s2", "s3", "s4", "s5", "on1", "on2", "on3", "md", "mdDup"]);

  /** A unit vector: mostly axis 0 for protein papers, axis 1 for the others, a little of an axis of the paper's own. */
  function vectorFor(key: string, flip = false): Float32Array {
    const v = new Float32Array(EMBEDDING_DIMENSIONS);
    v[onTheme.has(key) !== flip ? 0 : 1] = 4;
    v[2 + Object.keys(texts).indexOf(key)] = 1;
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  }

  async function setVectors(keys: string[], model: string, flip = false) {
    for (const key of keys) await storeEmbedding(sql, ids[key]!, model, toPgVector(vectorFor(key, flip)));
  }

  const everything = () => Object.keys(texts);

  afterAll(async () => {
    await sql.query(`DELETE FROM paper_embeddings WHERE paper_id = ANY($1)`, [Object.values(ids)]);
  });

  test("trained with model-a vectors, the listing adds u·e for model-a vectors; model-b vectors are never multiplied", async () => {
    const created = await createTopic(bob, { name: "Protein folding with vectors", description: "Protein structure.", keywords: [] }, ["s1", "s2", "s3"].map((k) => ids[k]!));
    topicId = created.id;
    await setVectors(everything(), modelA);
    const result = await trainTopic(topicId, { embedder: { modelId: modelA } });
    expect(result).toMatchObject({ trained: true, embeddingModel: modelA });
    const model = (await storedModel(topicId))!;
    expect(model.embeddingModel).toBe(modelA);
    expect(model.dense).toHaveLength(EMBEDDING_DIMENSIONS);
    expect((await getTopic(bob, topicId))!.model.embeddingModel).toBe(modelA);

    const withA = await ranked(bob, topicId);
    const marginsA = await checkScores(withA, topicId, () => null);
    const features = await storedFeatures(withA.map((p) => p.id));
    const termsOnly = new Map(dayKeys.map((k) => [k, storedMargin(model, features.get(ids[k]!))]));
    // The dense part is really there (else this test could not tell the cases apart).
    const denseEffect = Math.max(...dayKeys.map((k) => Math.abs(marginsA.get(k)! - termsOnly.get(k)!)));
    expect(denseEffect).toBeGreaterThan(0.05);

    // Every paper's vector replaced by another model's (in another direction): terms only.
    await setVectors(everything(), modelB, true);
    const withB = await ranked(bob, topicId);
    for (const p of withB) {
      const key = keyOf(p.id);
      expect(p.relevance.modelPart, `model part of ${key} with model-b vectors`).toBeCloseTo(pct(model.quantiles, termsOnly.get(key)!), 5);
    }
    expect(Math.max(...withB.map((p) => Math.abs(p.relevance.modelPart! - pct(model.quantiles, marginsA.get(keyOf(p.id))!))))).toBeGreaterThan(0.005);

    // Half of them back to model-a: those get u·e, the others not.
    const half = dayKeys.filter((_, i) => i % 2 === 0);
    await setVectors(half, modelA);
    const mixed = await ranked(bob, topicId);
    await checkScores(mixed, topicId, () => null);
    for (const key of dayKeys) {
      const part = mixed.find((p) => p.id === ids[key])!.relevance.modelPart!;
      expect(part, key).toBeCloseTo(pct(model.quantiles, half.includes(key) ? marginsA.get(key)! : termsOnly.get(key)!), 5);
    }
  });

  test.skipIf(!ownDatabase)("training with model-a reads no model-b vector: the same model as if they did not exist", async () => {
    // Some papers (and the topic's text) have model-b vectors, the rest model-a ones.
    const keys = everything();
    const aKeys = keys.filter((_, i) => i % 3 === 0);
    const bKeys = keys.filter((_, i) => i % 3 !== 0);
    await setVectors(aKeys, modelA);
    await setVectors(bKeys, modelB);
    await sql.query(`UPDATE topics SET embedding = $1::vector, embedding_model = $2 WHERE id = $3::uuid`, [toPgVector(vectorFor("s1")), modelB, topicId]);
    expect(await trainTopic(topicId, { embedder: { modelId: modelA } })).toMatchObject({ trained: true, embeddingModel: modelA });
    const mixed = (await storedModel(topicId))!;
    // Without the model-b vectors at all.
    await sql.query(`DELETE FROM paper_embeddings WHERE model = $1`, [modelB]);
    await sql.query(`UPDATE topics SET embedding = NULL, embedding_model = NULL WHERE id = $1::uuid`, [topicId]);
    expect(await trainTopic(topicId, { embedder: { modelId: modelA } })).toMatchObject({ trained: true });
    const clean = (await storedModel(topicId))!;
    expect(mixed.weightsText).toBe(clean.weightsText);
    expect(mixed.bias).toBe(clean.bias);
    expect(mixed.denseText).toBe(clean.denseText);
    expect(mixed.quantiles).toEqual(clean.quantiles);

    // Only model-b vectors left: no dense block at all, and a terms-only model.
    await setVectors(keys, modelB);
    expect(await trainTopic(topicId, { embedder: { modelId: modelA } })).toMatchObject({ trained: true, embeddingModel: null });
    const noA = (await storedModel(topicId))!;
    expect(noA.dense).toBeNull();
    expect(noA.embeddingModel).toBeNull();
    await sql.query(`DELETE FROM paper_embeddings WHERE paper_id = ANY($1)`, [Object.values(ids)]);
    expect(await trainTopic(topicId, noEmbedder)).toMatchObject({ trained: true, embeddingModel: null });
    const termsOnly = (await storedModel(topicId))!;
    expect(noA.weightsText).toBe(termsOnly.weightsText);
    expect(noA.bias).toBe(termsOnly.bias);
    expect(noA.quantiles).toEqual(termsOnly.quantiles);
  });
});

describe("(f) cold start: the topic's own text", () => {
  let topicId: string;
  const KEYWORDS = ["coral", "bleaching"];
  // Keyword part by hand: per keyword 1 in the title, TEXT_WEIGHT in the abstract only.
  const keywordPart = (key: string) =>
    ({
      coral1: (1 + 1) / 2,
      coral2: (1 + 1) / 2,
    })[key] ?? 0;

  test("with no paper added, papers that use the topic's words rank first", async () => {
    const created = await createTopic(alice, { name: "Coral reefs", description: "Reef ecology and the bleaching of corals in warming oceans.", keywords: KEYWORDS });
    topicId = created.id;
    const result = await trainTopic(topicId, noEmbedder);
    // One positive: the topic's own text.
    expect(result).toMatchObject({ trained: true, negatives: 0, positives: 1 });
    const papers = await ranked(alice, topicId);
    await checkScores(papers, topicId, keywordPart);
    expect(papers.slice(0, 2).map((p) => p.id).sort()).toEqual([ids.coral1, ids.coral2].sort());
    // The model part alone (not only the keywords) puts them first.
    const parts = papers.map((p) => ({ key: keyOf(p.id), m: p.relevance.modelPart! }));
    const coralMin = Math.min(...parts.filter((p) => p.key.startsWith("coral")).map((p) => p.m));
    expect(coralMin).toBeGreaterThan(Math.max(...parts.filter((p) => !p.key.startsWith("coral")).map((p) => p.m)));
    expect(papers[0]!.relevance.matched).toEqual(KEYWORDS);
    expect(papers[0]!.relevance.terms.length).toBeGreaterThan(0);
    // No labelled paper: nothing to be "like".
    expect(papers.every((p) => p.relevance.similar === null)).toBe(true);
  });

  test("keywords still count once papers are labelled; similar names the labelled paper", async () => {
    expect(await labelPaper(alice, topicId, ids.st1!, "positive")).toBe("ok");
    expect(await labelPaper(alice, topicId, ids.off4!, "negative")).toBe("ok");
    expect(await trainTopic(topicId, noEmbedder)).toMatchObject({ trained: true, positives: 2, negatives: 1 });
    const papers = await ranked(alice, topicId);
    await checkScores(papers, topicId, keywordPart);
    const coral1 = papers.find((p) => p.id === ids.coral1)!.relevance;
    expect(coral1.keywordPart).toBe(1);
    expect(coral1.score).toBeCloseTo(1 - (1 - coral1.modelPart!) * (1 - KEYWORD_BOOST), 6);
    expect(coral1.score).toBeCloseTo(blend({ model: coral1.modelPart, keyword: 1 }), 12);
    expect(coral1.similar).toMatchObject({ id: ids.st1, title: texts.st1!.title });
    expect(coral1.similar!.shared).toEqual(expect.arrayContaining(["coral"]));
    expect(papers.find((p) => p.id === ids.off4)!.relevance.score).toBe(0);
    // TEXT_WEIGHT is what an abstract-only keyword counts (checked on a paper of another day here).
    expect(TEXT_WEIGHT).toBeGreaterThan(0);
    expect(TEXT_WEIGHT).toBeLessThan(1);
  });

  test("scored together in one statement (the inbox), each topic gets exactly the scores it gets alone", async () => {
    const mine = (await listTopics(alice)).map((t) => t.id);
    // Trained models with and without keywords, labels of both kinds: the joins must keep them apart.
    expect(mine.length).toBeGreaterThanOrEqual(2);
    const bobs = (await listTopics(bob)).map((t) => t.id);
    expect(bobs.length).toBeGreaterThan(0);
    const together = await listScoredPapersForTopics(alice, [...mine, ...bobs, "not-a-topic"], spec, listingDay);
    const view = (p: ScoredPaper) => ({
      id: p.id,
      title: p.title,
      announceType: p.announceType,
      tldr: p.tldr,
      score: p.relevance.score,
      modelPart: p.relevance.modelPart,
      keywordPart: p.relevance.keywordPart,
      matched: p.relevance.matched,
      label: p.relevance.label,
    });
    const byId = (papers: ScoredPaper[]) => papers.map(view).sort((a, b) => a.id.localeCompare(b.id));
    // Another reader's topics and ids that are not topic ids give nothing.
    expect(new Set(together.map((h) => h.topicId))).toEqual(new Set(mine));
    for (const topicId of mine) {
      const alone = (await listScoredPapersForDay(alice, topicId, spec, listingDay, { explain: false })).papers;
      expect(alone).toHaveLength(dayKeys.length);
      expect(byId(together.filter((h) => h.topicId === topicId).map((h) => h.paper)), `topic ${topicId}`).toEqual(byId(alone));
    }
    // A threshold keeps exactly the pairs at or above it.
    const scores = together.map((h) => h.paper.relevance.score).sort((a, b) => a - b);
    const cut = scores[Math.floor(scores.length / 2)]!;
    const pairs = (hits: typeof together) => hits.map((h) => `${h.topicId} ${h.paper.id}`).sort();
    const high = await listScoredPapersForTopics(alice, mine, spec, listingDay, { min: cut });
    expect(high.length).toBeGreaterThan(0);
    expect(high.length).toBeLessThan(together.length);
    expect(pairs(high)).toEqual(pairs(together.filter((h) => h.paper.relevance.score >= cut)));
  });
});

describe("(g) feature vectors and document frequencies", () => {
  async function df(dims: number[]): Promise<Map<number, number>> {
    const { rows } = await sql.query<{ dim: number; df: number }>(`SELECT dim, df FROM term_df WHERE dim = ANY($1::int[])`, [[0, ...dims]]);
    return new Map(rows.map((r) => [r.dim, r.df]));
  }

  test.skipIf(!ownDatabase)("every stored paper has the vector of its text, and term_df counts each paper once", async () => {
    const { rows } = await sql.query<{ id: string; title: string; abstract: string; latest_version: number }>(
      `SELECT id, title, abstract, latest_version FROM papers WHERE id = ANY($1)`,
      [Object.values(ids)],
    );
    const features = await storedFeatures(rows.map((r) => r.id));
    expect(features.size).toBe(rows.length);
    const counts = new Map<number, number>();
    for (const r of rows) {
      const f = featurize(r);
      const stored = features.get(r.id)!;
      expect(stored.version).toBe(r.latest_version);
      expect(stored.dims).toEqual([...f.indices]);
      stored.values.forEach((v, i) => expect(v).toBeCloseTo(f.values[i]!, 6));
      for (const d of f.indices) counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    // This database holds this file's papers only: term_df is exactly their document frequencies.
    const stored = await df([...counts.keys()]);
    expect(stored.get(0)).toBe(rows.length);
    for (const [d, n] of counts) expect(stored.get(d), `df of dim ${d}`).toBe(n);
    const { rows: total } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM term_df WHERE dim <> 0`);
    expect(total[0]!.n).toBe(counts.size);
  });

  test("storing the same papers again, even twice at once, counts nothing again; a new paper counts once", async () => {
    const keys = dayKeys.slice(0, 4);
    const dims = [...new Set(keys.flatMap((k) => [...featurize(texts[k]!).indices]))];
    const before = await df(dims);
    const { rows: createdBefore } = await sql.query(`SELECT paper_id, created_at FROM paper_features WHERE paper_id = ANY($1) ORDER BY paper_id`, [keys.map((k) => ids[k])]);
    await seedPapers(keys.map(asPaper), "cs.LG", listingDay);
    const again = keys.map((k) => ({ id: ids[k]!, version: 1, ...texts[k]! }));
    expect(await papersMissingFeatures(again.map((p) => p.id))).toEqual([]);
    expect(await Promise.all([storePaperFeatures(again), storePaperFeatures(again)])).toEqual([0, 0]);
    if (ownDatabase) expect(await df(dims)).toEqual(before);
    const { rows: createdAfter } = await sql.query(`SELECT paper_id, created_at FROM paper_features WHERE paper_id = ANY($1) ORDER BY paper_id`, [keys.map((k) => ids[k])]);
    expect(createdAfter).toEqual(createdBefore);

    // New papers stored by two writers at once: each counted once.
    const fresh = [
      { id: randomPaperId(), version: 1, title: "Kelp forests and sea urchins", abstract: "Urchin barrens replace kelp forests." },
      { id: randomPaperId(), version: 1, title: "Kelp forests under heatwaves", abstract: "Marine heatwaves thin kelp canopies." },
    ];
    await upsertEntries(fresh.map((p) => entry(p)));
    // Stored without a listing: no vector yet.
    expect((await papersMissingFeatures(fresh.map((p) => p.id))).map((p) => p.id).sort()).toEqual(fresh.map((p) => p.id).sort());
    const freshDims = [...new Set(fresh.flatMap((p) => [...featurize(p).indices]))];
    const beforeFresh = await df(freshDims);
    const written = await Promise.all([storePaperFeatures(fresh), storePaperFeatures(fresh)]);
    expect(written.reduce((a, b) => a + b, 0)).toBe(fresh.length);
    const afterFresh = await df(freshDims);
    // (Exact only where no other file stores papers meanwhile.)
    if (ownDatabase) {
      expect(afterFresh.get(0)).toBe(beforeFresh.get(0)! + fresh.length);
      for (const d of freshDims) {
        const n = fresh.filter((p) => featurize(p).indices.includes(d)).length;
        expect(afterFresh.get(d), `df of dim ${d}`).toBe((beforeFresh.get(d) ?? 0) + n);
      }
    }
    await db().paper.deleteMany({ where: { id: { in: fresh.map((p) => p.id) } } });
  });

  test("a new version replaces the vector (df counts papers, not versions); a labelled paper without a vector gets one when trained", async () => {
    const key = "off6";
    const v2 = { title: "Option pricing with rough volatility", abstract: "Rough Bergomi models fit implied volatility surfaces." };
    const oldDims = [...featurize(texts[key]!).indices];
    const newDims = [...featurize(v2).indices];
    const before = await df([...oldDims, ...newDims]);
    await seedListing([entry({ id: ids[key]!, version: 2, ...v2, primaryCategory: "cs.LG", categories: ["cs.LG"] })], ["cs.LG"], listingDay);
    const stored = (await storedFeatures([ids[key]!])).get(ids[key]!)!;
    expect(stored.version).toBe(2);
    const f = featurize(v2);
    expect(stored.dims).toEqual([...f.indices]);
    stored.values.forEach((v, i) => expect(v).toBeCloseTo(f.values[i]!, 6));
    if (ownDatabase) expect(await df([...oldDims, ...newDims])).toEqual(before);

    // A corrected text at the same version replaces the vector too.
    const v2b = { ...v2, abstract: `${v2.abstract} Corrected: tidal marsh sediment cores.` };
    await seedListing([entry({ id: ids[key]!, version: 2, ...v2b, primaryCategory: "cs.LG", categories: ["cs.LG"] })], ["cs.LG"], listingDay);
    const corrected = (await storedFeatures([ids[key]!])).get(ids[key]!)!;
    expect(corrected.version).toBe(2);
    expect(corrected.dims).toEqual([...featurize(v2b).indices]);
    expect(corrected.dims).not.toEqual([...f.indices]);
    texts[key] = v2b;

    // A paper stored without a listing (history), labelled for a topic: training gives it its vector.
    const history = { id: randomPaperId(), version: 1, title: "Reef fish counts from video", abstract: "Counting coral reef fish in underwater video." };
    await upsertEntries([entry(history)]);
    expect((await storedFeatures([history.id])).size).toBe(0);
    const topic = await createTopic(alice, { name: "Reef fish", description: "", keywords: [] }, [history.id]);
    expect(await trainTopic(topic.id, noEmbedder)).toMatchObject({ trained: true, positives: 2 });
    const got = (await storedFeatures([history.id])).get(history.id);
    expect(got?.dims).toEqual([...featurize(history).indices]);
    await deleteTopic(alice, topic.id);
    await db().paper.deleteMany({ where: { id: history.id } });
  });
});

describe("what trains a topic changes, its model goes stale", () => {
  // On the embedded engine there is no database of this file's own to reconfigure.
  test.skipIf(!ownDatabase)("labels_changed_at moves forward with every change, also on a server whose time zone is not UTC", async () => {
    const dbName = new URL(databaseUrl).pathname.slice(1);
    // A time zone ahead of UTC, as a server installed outside the UTC zone has; new sessions take it.
    await sql.query(`ALTER DATABASE ${dbName} SET timezone = 'Asia/Tokyo'`);
    await disconnectDb();
    try {
      const topic = await createTopic(alice, { name: `Time zones ${tag}`, description: "Folding.", keywords: [] }, [ids.s1!]);
      const at = async () => (await topicForTraining(topic.id))!.labelsChangedAt.getTime();
      const steps: { step: string; at: number }[] = [{ step: "created", at: await at() }];
      expect(await trainTopic(topic.id, noEmbedder)).toMatchObject({ trained: true });
      expect((await getTopic(alice, topic.id))!.model.state).toBe("ready");
      expect(await labelPaper(alice, topic.id, ids.s2!, "positive")).toBe("ok");
      steps.push({ step: "labelled", at: await at() });
      expect(await trainTopic(topic.id, noEmbedder)).toMatchObject({ trained: true });
      expect((await getTopic(alice, topic.id))!.model.state).toBe("ready");
      // The text changes after the model was trained: the model is stale until trained again.
      expect(await updateTopic(alice, topic.id, { name: `Time zones ${tag}`, description: "Folding of proteins.", keywords: [] }, null)).toBe(true);
      steps.push({ step: "text changed", at: await at() });
      for (let i = 1; i < steps.length; i++) expect(steps[i]!.at, `${steps[i]!.step} after ${steps[i - 1]!.step}: ${JSON.stringify(steps)}`).toBeGreaterThan(steps[i - 1]!.at);
      // Not later than now (a clock ahead would keep the next change from counting).
      for (const s of steps) expect(s.at, s.step).toBeLessThanOrEqual(Date.now());
      expect((await getTopic(alice, topic.id))!.model.state).toBe("training");
      expect(await staleTopicIds()).toContain(topic.id);
      await deleteTopic(alice, topic.id);
    } finally {
      await sql.query(`ALTER DATABASE ${dbName} RESET timezone`);
      await disconnectDb();
    }
  });

  test("deleting a topic deletes its model", async () => {
    const topic = await createTopic(alice, { name: `Deleted ${tag}`, description: "Protein folding.", keywords: [] }, [ids.s1!]);
    expect(await trainTopic(topic.id, noEmbedder)).toMatchObject({ trained: true });
    expect(await storedModel(topic.id)).not.toBeNull();
    expect(await deleteTopic(alice, topic.id)).toBe(true);
    expect(await storedModel(topic.id)).toBeNull();
    expect(await trainTopic(topic.id, noEmbedder)).toEqual({ trained: false, reason: "no such topic" });
    expect(await storedModel(topic.id)).toBeNull();
  });

  test("a topic with nothing to learn from says why", async () => {
    // A name of stop words only: no text to learn from, and no paper.
    const topic = await createTopic(alice, { name: "The", description: "", keywords: [] });
    expect(await trainTopic(topic.id, noEmbedder)).toEqual({ trained: false, reason: "nothing to learn from yet (no text and no added papers)" });
    const summary = (await getTopic(alice, topic.id))!;
    expect(summary.model).toMatchObject({ state: "none", note: "nothing to learn from yet (no text and no added papers)", trainedAt: null });
    // Scored by nothing: every paper 0, no model part.
    const papers = await ranked(alice, topic.id);
    expect(papers.every((p) => p.relevance.score === 0 && p.relevance.modelPart === null && p.relevance.keywordPart === null)).toBe(true);
    // A paper added: it learns, and the note is gone.
    expect(await labelPaper(alice, topic.id, ids.coral1!, "positive")).toBe("ok");
    expect(await trainTopic(topic.id, noEmbedder)).toMatchObject({ trained: true, positives: 1 });
    expect((await getTopic(alice, topic.id))!.model).toMatchObject({ state: "ready", note: null });
    await deleteTopic(alice, topic.id);
  });
});

test("the recent papers split into background and the score's scale by library size, the same for the same seed", () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
  const big = splitRecent("topic-a", ids(4_000));
  expect([big.background.length, big.calibration.length]).toEqual([BACKGROUND_SIZE, CALIBRATION_SIZE]);
  expect(new Set([...big.background, ...big.calibration]).size).toBe(BACKGROUND_SIZE + CALIBRATION_SIZE);
  const mid = splitRecent("topic-a", ids(600));
  expect([mid.background.length, mid.calibration.length]).toEqual([400, 200]);
  const small = splitRecent("topic-a", ids(MIN_SPLIT - 1));
  expect([small.background.length, small.calibration.length]).toEqual([MIN_SPLIT - 1, 0]);
  expect(splitRecent("topic-a", ids(4_000))).toEqual(big);
  expect(splitRecent("topic-b", ids(4_000)).calibration).not.toEqual(big.calibration);
});
