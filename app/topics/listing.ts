// What a listing shows for a topic, shared by the listing page and its "more cards" route: the
// reader's topics, the selected one (only the reader's own), its scored page of cards with the
// per-request score, explanation and topic buttons. One query for the topics, one for the page.
import type { AnnounceType } from "@/lib/arxiv/types";
import type { CurrentUser } from "@/lib/auth";
import { listTopics, type ScoredPaper, type TopicSummary } from "@/lib/queries/topics";
import { cardsHtml } from "@/lib/render/card-html";
import { pct, relevanceHtml, topicButtonsHtml, topicMenuHtml } from "@/lib/topics/card-html";
import { embedMissingTopics } from "@/lib/topics/embedding";
import { queueTraining } from "@/lib/relevance/queue-training";
import type { CardPaper } from "@/lib/render/card-html";

/** The threshold (0..1) as `?min=` writes it: a score in percent, as the badges show it (read in lib/query-params.ts). */
export const thresholdParam = pct;

/**
 * The reader's topics (none signed out); one saved before a model was loaded is embedded now, and one
 * whose learned model is stale is queued for training (again: a job lost with a queue outage).
 */
export async function readerTopics(user: CurrentUser | null): Promise<TopicSummary[]> {
  if (!user) return [];
  const topics = await embedMissingTopics(user.id, await listTopics(user.id));
  const stale = topics.filter((t) => t.model.state === "training").map((t) => t.id);
  if (stale.length) await queueTraining(stale);
  return topics;
}

/** Cards with the topic's score and buttons (selected topic), or the "Add to topic" menu (none selected). */
export function topicCardsHtml<P extends CardPaper & { announceType?: AnnounceType }>(
  papers: P[],
  starred: Set<string> | undefined,
  topics: TopicSummary[],
  selected: TopicSummary | undefined,
): string {
  if (selected) {
    return cardsHtml(papers as (P & Partial<Pick<ScoredPaper, "relevance">>)[], starred, (p) =>
      p.relevance ? relevanceHtml(p.relevance, selected) + topicButtonsHtml(selected, p.relevance.label) : "",
    );
  }
  const menu = topicMenuHtml(topics);
  return cardsHtml(papers, starred, menu ? () => menu : undefined);
}
