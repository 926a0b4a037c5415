// The parts of a page that belong to one reader, as HTML strings: the account corner of the header,
// the topic picker above a listing, and each card's star and "Add to topic" menu. Each sits in a
// "reader slot" between two HTML comments, so the same page serves every reader: Next.js renders
// a slot with the reader's part (or the signed-out one), and the web front (lib/reader-pages.ts)
// can take a page rendered once for nobody and put one reader's parts into its slots, without
// rendering the page again. React leaves a slot's content alone when it hydrates (each slot is the
// inner HTML of an element, app/components/reader-slot.tsx), and the buttons in it work by
// delegation (app/components/reader-behaviour.tsx, card-actions.tsx).
import type { CurrentUser } from "../auth";
import { escapeHtml } from "./math";
import { starMarkup } from "./card-html";
import { slot } from "./reader-slot";

export { slot };

/** What a slot shows for one reader: nothing of it comes from another reader. */
export interface ReaderState {
  user: Pick<CurrentUser, "email" | "role"> | null;
  /** The reader's topics, in the order of their topics page. */
  topics: { id: string; name: string }[];
  /** Which of the page's papers the reader starred. */
  starred: Set<string>;
}

/** What the topic picker needs of its page (the rest is the reader's). */
export interface PickerContext {
  date: string;
  /** The tab: all, new, cross or replace. */
  type: string;
  /** The listing's address, where the picker's GET form goes. */
  action: string;
}

/** The header's account corner: sign-in links, or the reader's address, Admin, Inbox, Starred and Sign out. */
export function userMenuHtml(user: ReaderState["user"]): string {
  if (!user) return `<a href="/sign-in" data-action="sign-in">Sign in</a><a href="/sign-up" data-action="sign-in">Sign up</a>`;
  const email = escapeHtml(user.email);
  const admin = user.role === "admin";
  return (
    `<span class="user-email" title="Signed in as ${email}">${email}</span>` +
    (admin ? `<span class="role-badge" title="You are an administrator">Admin</span><a href="/admin">Admin</a>` : "") +
    `<a href="/inbox">Inbox</a>` +
    `<a href="/starred">Starred</a>` +
    `<button type="button" class="link-button" data-action="sign-out">Sign out</button>` +
    `<span class="sign-out-error form-error" role="alert" hidden>Sign-out failed. Try again.</span>`
  );
}

export interface PickerOptions extends PickerContext {
  topics: { id: string; name: string }[];
  selected?: string;
  /** The ?topic= asked for, to say so when it is not one of the reader's. */
  requested?: string;
  /** Threshold 0..1. */
  min?: number;
  keywordsOnly?: boolean;
  total?: { shown: number; of: number };
}

/**
 * The topic picker above a listing: sort the day by one of the reader's topics and keep only papers
 * scoring at least a threshold. A plain GET form (works without JavaScript); changing the topic
 * submits it at once (reader-behaviour.tsx). Nothing for a signed-out reader.
 */
export function topicPickerHtml(user: ReaderState["user"], o: PickerOptions): string {
  if (!user) return "";
  if (!o.topics.length) {
    return `<p class="topic-picker muted"><a href="/topics">Create a topic</a> to rank this list by what you care about.</p>`;
  }
  const min = Math.round((o.min ?? 0) * 100);
  const option = (value: string, label: string) =>
    `<option value="${escapeHtml(value)}"${(o.selected ?? "") === value ? " selected" : ""}>${escapeHtml(label)}</option>`;
  return (
    `<form class="topic-picker" method="get" action="${escapeHtml(o.action)}" aria-label="Topic ranking">` +
    `<input type="hidden" name="date" value="${escapeHtml(o.date)}">` +
    (o.type !== "all" ? `<input type="hidden" name="type" value="${escapeHtml(o.type)}">` : "") +
    `<label for="topic-select">Rank by</label>` +
    `<select id="topic-select" name="topic" data-action="rank-by">${option("", "arXiv order (no topic)")}${o.topics.map((t) => option(t.id, t.name)).join("")}</select>` +
    `<label for="topic-min">Minimum score</label>` +
    `<input id="topic-min" type="number" name="min" min="0" max="100" step="5" value="${min}"${o.selected ? "" : " disabled"}>` +
    `<button type="submit">Apply</button>` +
    (o.total ? `<span class="muted" role="status">${o.total.shown} of ${o.total.of} papers</span>` : "") +
    (o.keywordsOnly
      ? `<span class="muted">No embedding model is loaded: the topic learns from the papers&#39; words (and the vectors papers already have).</span>`
      : "") +
    (o.requested && !o.selected ? `<span class="form-error" role="alert">That topic is not one of yours; showing arXiv order.</span>` : "") +
    `<a href="/topics">Manage topics</a></form>`
  );
}

/** A card's slot content for a reader: the star (or the sign-in link) and the "Add to topic" menu. */
export function cardReaderHtml(id: string, escapedTitle: string, state: ReaderState, topicMenu: string): string {
  if (!state.user) return starMarkup(escapedTitle, { signedIn: false });
  return starMarkup(escapedTitle, { signedIn: true, starred: state.starred.has(id) }) + topicMenu;
}
