// The vector of a topic's text (name and description) when an embedding model is loaded; null
// without one, and the topic is then scored by its keywords and positive papers' vectors only.
// A topic saved while no model was loaded gets its vector once one is (embedMissingTopics).
import { getEmbedder } from "../embed/embedder";
import { setMissingTopicEmbedding, type TopicSummary } from "../queries/topics";

export function topicText(name: string, description: string): string {
  return description.trim() ? `${name.trim()}. ${description.trim()}` : name.trim();
}

export async function embedTopic(name: string, description: string): Promise<Float32Array | null> {
  const embedder = await getEmbedder();
  if (!embedder) return null;
  const [vector] = await embedder.embed([topicText(name, description)]);
  return vector ?? null;
}

/** Whether scores can use embeddings in this process (the UI says "keywords only" otherwise). */
export async function embeddingsAvailable(): Promise<boolean> {
  return (await getEmbedder()) !== null;
}

/**
 * The reader's topics, those without a vector (saved before a model was loaded) embedded now when a
 * model is loaded, so they need not be saved again. Nothing to do (the usual case) costs no query;
 * a failure leaves them as they were (scored without the description) and is logged.
 */
export async function embedMissingTopics(userId: string, topics: TopicSummary[]): Promise<TopicSummary[]> {
  const missing = topics.filter((t) => !t.hasEmbedding);
  if (!missing.length) return topics;
  const embedder = await getEmbedder();
  if (!embedder) return topics;
  try {
    const vectors = await embedder.embed(missing.map((t) => topicText(t.name, t.description)));
    const stored = new Set<string>();
    for (const [i, t] of missing.entries()) {
      if (vectors[i] && (await setMissingTopicEmbedding(userId, t.id, t, vectors[i]))) stored.add(t.id);
    }
    return topics.map((t) => (stored.has(t.id) ? { ...t, hasEmbedding: true } : t));
  } catch (error) {
    const { childLogger } = await import("../logger");
    childLogger("topics").warn({ err: error }, "embedding topics saved without a model failed");
    return topics;
  }
}
