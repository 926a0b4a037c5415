// The vector of a topic's text (name and description) when an embedding model is loaded; null
// without one, and the topic is then scored by its keywords and positive papers' vectors only.
// Each vector is stored with the model it came from. A topic saved while no model was loaded, or
// whose vector is of another model than the loaded one (the model was changed), gets a fresh vector
// on the reader's next visit or the topic's feed (embedMissingTopics), or from an embed run
// (embedStaleTopics, workers/embed.ts).
import { getEmbedder, type Embedder } from "../embed/embedder";
import { listStaleTopics, setMissingTopicEmbedding, type TopicSummary, type TopicVector } from "../queries/topics";

export function topicText(name: string, description: string): string {
  return description.trim() ? `${name.trim()}. ${description.trim()}` : name.trim();
}

async function warn(error: unknown, message: string): Promise<void> {
  const { childLogger } = await import("../logger");
  childLogger("topics").warn({ err: error }, message);
}

/**
 * The vector of a topic's text for saving it, or null: no model loaded, or the model failed on it
 * (logged). A topic is saved either way; one without a vector gets it later (embedMissingTopics).
 * `embedder` defaults to the process's.
 */
export async function embedTopic(
  name: string,
  description: string,
  embedder?: Embedder | null,
): Promise<TopicVector | null> {
  try {
    const model = embedder === undefined ? await getEmbedder() : embedder;
    if (!model) return null;
    const [vector] = await model.embed([topicText(name, description)]);
    return vector ? { vector, model: model.modelId } : null;
  } catch (error) {
    await warn(error, "embedding a topic's text failed; it is saved without a vector and embedded later");
    return null;
  }
}

/** Whether scores can use embeddings in this process (the UI says "keywords only" otherwise). */
export async function embeddingsAvailable(): Promise<boolean> {
  return (await getEmbedder()) !== null;
}

/** Whether a topic needs a (new) vector from the model `modelId`. */
export const needsEmbedding = (t: Pick<TopicSummary, "hasEmbedding" | "embeddingModel">, modelId: string) =>
  !t.hasEmbedding || t.embeddingModel !== modelId;

/**
 * The reader's topics, those without a vector of the loaded model (saved before a model was loaded,
 * or embedded by another model) embedded now, so they need not be saved again. Nothing to do (the
 * usual case) costs no query; a failure leaves them as they were and is logged.
 */
export async function embedMissingTopics(userId: string, topics: TopicSummary[]): Promise<TopicSummary[]> {
  if (!topics.length) return topics;
  const embedder = await getEmbedder();
  if (!embedder) return topics;
  const missing = topics.filter((t) => needsEmbedding(t, embedder.modelId));
  if (!missing.length) return topics;
  try {
    const vectors = await embedder.embed(missing.map((t) => topicText(t.name, t.description)));
    const stored = new Set<string>();
    for (const [i, t] of missing.entries()) {
      const vector = vectors[i];
      if (vector && (await setMissingTopicEmbedding(userId, t.id, t, { vector, model: embedder.modelId }))) stored.add(t.id);
    }
    return topics.map((t) => (stored.has(t.id) ? { ...t, hasEmbedding: true, embeddingModel: embedder.modelId } : t));
  } catch (error) {
    await warn(error, "embedding topics without a current vector failed");
    return topics;
  }
}

/**
 * Every reader's topics without a vector of `embedder`'s model, embedded (in rounds of `chunk`), so
 * that feeds read by no one in the app are current after a model change too. Returns how many were
 * stored (a topic saved again meanwhile keeps its new vector).
 */
export async function embedStaleTopics(embedder: Embedder, options: { chunk?: number; signal?: AbortSignal } = {}): Promise<number> {
  let stored = 0;
  let after: string | null = null;
  for (;;) {
    options.signal?.throwIfAborted();
    const topics = await listStaleTopics(embedder.modelId, after, options.chunk ?? 64);
    if (!topics.length) return stored;
    const vectors = await embedder.embed(topics.map((t) => topicText(t.name, t.description)));
    for (const [i, t] of topics.entries()) {
      const vector = vectors[i];
      if (vector && (await setMissingTopicEmbedding(t.userId, t.id, t, { vector, model: embedder.modelId }))) stored++;
    }
    after = topics.at(-1)!.id;
  }
}
