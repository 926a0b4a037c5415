// The inbox's cards as HTML strings: the listing's card (lib/render/card-html.ts, cached per paper
// version) with the inbox's row above it: the topics the paper matched with their scores, "Updated"
// for a paper seen at an older version, and the seen state with its toggle. Every text is escaped;
// topic names are the reader's own free text.
import type { InboxPaper } from "@/lib/queries/inbox";
import { cardHtml } from "@/lib/render/card-html";
import { escapeHtml } from "@/lib/render/math";
import { pct, topicMenuHtml } from "@/lib/topics/card-html";

function rowHtml(p: InboxPaper): string {
  const topics = p.topics
    .map(
      (t) =>
        `<span class="inbox-topic" title="${escapeHtml(`Relevance to ${t.name}: ${t.score.toFixed(2)}`)}">` +
        `${escapeHtml(t.name)} <span class="score-badge">${pct(t.score)}</span></span>`,
    )
    .join("");
  return (
    `<div class="inbox-row">` +
    (p.updated ? `<span class="badge badge-updated" title="A new version (v${p.version}) was announced since you saw it">Updated</span>` : "") +
    topics +
    `<span class="inbox-seen-badge badge">Seen</span>` +
    `<button type="button" class="link-button inbox-seen-toggle" data-action="toggle-seen" title="Mark seen or unseen (x)">${p.seen ? "Mark unseen" : "Mark seen"}</button>` +
    `</div>`
  );
}

/**
 * The inbox's list items; `starred` holds the reader's starred papers among them, `topics` are theirs
 * (each card's "Add to topic" menu, as on listings).
 */
export function inboxCardsHtml(papers: InboxPaper[], starred: Set<string>, topics: { id: string; name: string }[]): string {
  const menu = topicMenuHtml(topics);
  return papers
    .map((p) => {
      const card = cardHtml(p, { signedIn: true, starred: starred.has(p.id) }, { tldr: p.tldr }, menu);
      // The inbox's row goes in front of the card, its state on the item.
      return `<li class="inbox-item${p.seen ? " is-seen" : ""}">${rowHtml(p)}${card}</li>`;
    })
    .join("");
}
