// The per-request part of a paper card that topics add (lib/render/card-html keeps the rest cached):
// the score badge with its explanation, and the buttons that label the paper for a topic. Every text
// is escaped; topic names are the reader's own free text.
import type { Relevance, TopicSummary } from "../queries/topics";
import { escapeHtml } from "../render/math";

const pct = (x: number) => `${Math.round(x * 100)}`;

/** "Learned: a, b · Like: <title> (shared: x, y) · Keywords: c", or why there is nothing to say. */
export function explanationHtml(r: Relevance): string {
  // Its score is 0 whatever the model says: the model's reasons would only contradict it.
  if (r.label === "negative") return "Marked not interested: scores 0 for this topic";
  const parts: string[] = [];
  if (r.terms.length) parts.push(`Learned: ${r.terms.map((w) => `<mark>${escapeHtml(w)}</mark>`).join(", ")}`);
  if (r.similar) {
    const shared = r.similar.shared.length ? ` (shared: ${r.similar.shared.map(escapeHtml).join(", ")})` : "";
    parts.push(`Like: <a href="/papers/${escapeHtml(r.similar.id)}">${escapeHtml(r.similar.title)}</a>${shared}`);
  }
  if (r.matched.length) parts.push(`Keywords: ${r.matched.map((w) => `<mark>${escapeHtml(w)}</mark>`).join(", ")}`);
  else if (r.keywordPart !== null) parts.push("No keyword matched");
  if (r.modelPart === null) parts.push(r.keywordPart === null ? "not scored yet: the topic is being trained" : "keywords only until the topic is trained");
  return parts.join(" · ");
}

export function relevanceHtml(r: Relevance, topic: Pick<TopicSummary, "name">): string {
  const detail = [
    r.modelPart !== null ? `learned part ${r.modelPart.toFixed(2)}: higher than ${pct(r.modelPart)}% of recent papers` : "",
    r.keywordPart !== null ? `keyword part ${r.keywordPart.toFixed(2)}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return (
    `<p class="relevance" data-score="${r.score.toFixed(4)}">` +
    `<span class="score-badge" title="${escapeHtml(`Relevance to ${topic.name}: ${r.score.toFixed(2)}${detail ? ` (${detail})` : ""}`)}">${pct(r.score)}</span>` +
    `<span class="relevance-why">${explanationHtml(r)}</span></p>`
  );
}

/** Buttons for the selected topic: add (positive) and not interested (negative), showing the label. */
export function topicButtonsHtml(topic: Pick<TopicSummary, "id" | "name">, label: Relevance["label"]): string {
  const name = escapeHtml(topic.name);
  const id = escapeHtml(topic.id);
  const on = (l: string) => label === l;
  return (
    `<span class="topic-actions" data-topic="${id}" data-topic-name="${name}">` +
    `<button type="button" class="link-button" data-action="topic-label" data-label="positive" aria-pressed="${on("positive")}" title="Add to ${name} (t)">${on("positive") ? `In ${name}` : `Add to ${name}`}</button>` +
    `<button type="button" class="link-button" data-action="topic-label" data-label="negative" aria-pressed="${on("negative")}" title="Not interested, for ${name} (n)">${on("negative") ? "Marked not interested" : "Not interested"}</button>` +
    `<span class="topic-status" role="status" aria-live="polite"></span></span>`
  );
}

/** Without a selected topic: a small menu adding the paper to any of the reader's topics. */
export function topicMenuHtml(topics: Pick<TopicSummary, "id" | "name">[]): string {
  if (!topics.length) return "";
  return (
    `<details class="topic-menu"><summary>Add to topic</summary><span class="topic-menu-items">` +
    topics
      .map(
        (t) =>
          `<span class="topic-actions" data-topic="${escapeHtml(t.id)}" data-topic-name="${escapeHtml(t.name)}">` +
          `<button type="button" class="link-button" data-action="topic-label" data-label="positive" aria-pressed="false">${escapeHtml(t.name)}</button></span>`,
      )
      .join("") +
    `</span><span class="topic-status" role="status" aria-live="polite"></span></details>`
  );
}
