// The per-request part of a paper card that topics add (lib/render/card-html keeps the rest cached):
// the score badge with its explanation, and the buttons that label the paper for a topic. Every text
// is escaped; topic names are the reader's own free text.
import type { Relevance, TopicSummary } from "../queries/topics";
import { escapeHtml } from "../render/math";

/** A score or threshold (0..1) as the badges show it: a whole percent, "97" (also feeds, digests, `?min=`). */
export const pct = (x: number) => `${Math.round(x * 100)}`;

/** How an explanation writes a term and the labelled paper it is like (HTML for cards, text elsewhere). */
interface ExplanationFormat {
  term(word: string): string;
  plain(text: string): string;
  like(similar: { id: string; title: string }): string;
}

/** "Learned: a, b · Like: <title> (shared: x, y) · Keywords: c", or why there is nothing to say. */
function explanation(r: Relevance, f: ExplanationFormat): string {
  // Its score is 0 whatever the model says: the model's reasons would only contradict it.
  if (r.label === "negative") return "Marked not interested: scores 0 for this topic";
  const parts: string[] = [];
  if (r.terms.length) parts.push(`Learned: ${r.terms.map(f.term).join(", ")}`);
  if (r.similar) {
    const shared = r.similar.shared.length ? ` (shared: ${r.similar.shared.map(f.plain).join(", ")})` : "";
    parts.push(`Like: ${f.like(r.similar)}${shared}`);
  }
  if (r.matched.length) parts.push(`Keywords: ${r.matched.map(f.term).join(", ")}`);
  else if (r.keywordPart !== null) parts.push("No keyword matched");
  if (r.modelPart === null) parts.push(r.keywordPart === null ? "not scored yet: the topic is being trained" : "keywords only until the topic is trained");
  return parts.join(" · ");
}

const html: ExplanationFormat = {
  term: (w) => `<mark>${escapeHtml(w)}</mark>`,
  plain: escapeHtml,
  like: (p) => `<a href="/papers/${escapeHtml(p.id)}">${escapeHtml(p.title)}</a>`,
};
const text: ExplanationFormat = { term: (w) => w, plain: (t) => t, like: (p) => p.title };

/** The card's explanation, as HTML (every text escaped). */
export const explanationHtml = (r: Relevance): string => explanation(r, html);

/** The same explanation as plain text, for feeds and digests (each escapes it for where it goes). */
export const explanationText = (r: Relevance): string => explanation(r, text);

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

/**
 * Without a selected topic: a small menu adding the paper to any of the reader's topics (none
 * without topics). Its items would be the same on every card (a few hundred bytes per card and
 * topic), so the page carries only the disclosure; the browser fills it from /api/topics when it is
 * first opened (app/components/card-actions.tsx).
 */
export function topicMenuHtml(topics: Pick<TopicSummary, "id" | "name">[]): string {
  return topics.length ? `<details class="topic-menu"><summary>Add to topic</summary></details>` : "";
}
