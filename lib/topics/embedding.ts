// The vector of a topic's text (name and description) when an embedding model is loaded; null
// without one, and the topic is then scored by its keywords and positive papers' vectors only.
import { getEmbedder } from "../embed/embedder";

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
