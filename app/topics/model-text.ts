// Words for a topic's learned model, shared by the topics pages: how long ago it was trained, the
// short state the topic list shows, and the sentence saying what it was trained on.
import type { TopicSummary } from "@/lib/queries/topics";

/** "just now", "12 min ago", "3 h ago", "2 days ago". */
export function ago(date: Date, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (seconds < 45) return "just now";
  if (seconds < 90 * 60) return `${Math.max(1, Math.round(seconds / 60))} min ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  const days = Math.round(seconds / 86_400);
  return `${days} day${days === 1 ? "" : "s"} ago`;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** For the topic list: "trained 2 min ago", "not trained: <why>" (the updating case is live, see TrainingStatus). */
export function modelStateText(model: TopicSummary["model"]): string {
  if (model.state === "ready") return model.trainedAt ? `trained ${ago(model.trainedAt)}` : "trained";
  if (model.state === "none") return `not trained yet${model.note ? `: ${model.note}` : ""}`;
  return "updating…";
}

/**
 * What the ready model learned from: "on 3 positive examples (the topic's text and the papers added,
 * starred papers), 1 marked not interested and 1000 other recent papers as background, with the
 * vectors of <model>".
 */
export function trainedOnText(topic: Pick<TopicSummary, "model" | "includeStarred">): string {
  const m = topic.model;
  const sources = topic.includeStarred ? "the topic's text, the papers added and starred papers" : "the topic's text and the papers added";
  return (
    `on ${count(m.positives, "positive example")} (${sources}), ${m.negatives} marked not interested and ` +
    `${count(m.background, "other recent paper")} as background` +
    (m.embeddingModel ? `, with the vectors of ${m.embeddingModel}` : ", from their words only (no embedding model was loaded)")
  );
}
