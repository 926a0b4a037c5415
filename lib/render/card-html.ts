// Paper cards as HTML strings: every text escaped, math rendered as MathML, built once per paper
// version and kept, so a listing of hundreds of papers costs string joins, not a React render per
// card per request. The per-reader part (the star) is put between the cached halves per request,
// and the counts of readers (popularity, the same for everyone and changing all day) at the end.
// Behaviour (star, copy, keyboard) is attached by the CardActions client component, by delegation.
import type { AnnounceType } from "../arxiv/types";
import type { PaperRecord } from "../queries/papers";
import type { Popularity } from "../popularity/sql";
import { escapeHtml, renderMathText } from "./math";
import { slot } from "./reader-slot";

export type CardPaper = PaperRecord;

export interface CardOptions {
  announceType?: AnnounceType;
  /** Replaces the rendered abstract (search results: the matching passage, already safe HTML). */
  abstractHtml?: string;
  /** The FAQ's one-line TL;DR, shown above the abstract once generated. */
  tldr?: string | null;
}

/** A reader's relation to a card: signed out (no star state) or signed in with it. */
export type StarState = { signedIn: false } | { signedIn: true; starred: boolean };

const AUTHORS_SHOWN = 40;
const TYPE_LABEL: Record<AnnounceType, string> = {
  new: "New",
  cross: "Cross-list",
  replace: "Replaced",
  "replace-cross": "Replaced cross-list",
};

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : undefined);
const attr = escapeHtml;

interface CardHalves {
  head: string;
  tail: string;
}

const cache = new Map<string, CardHalves>();
const CACHE_LIMIT = 10_000;

function build(paper: CardPaper, options: CardOptions): CardHalves {
  const key = `${paper.id}v${paper.version}`;
  const shown = paper.authors.slice(0, AUTHORS_SHOWN).map(escapeHtml).join(", ");
  const hidden = paper.authors.slice(AUTHORS_SHOWN);
  const submitted = day(paper.publishedAt);
  const revised = day(paper.versionAt);
  const meta = [
    options.announceType ? `<span class="badge badge-${options.announceType}">${TYPE_LABEL[options.announceType]}</span>` : "",
    ...paper.categories.map(
      (c) => `<a href="/list/${attr(encodeURIComponent(c))}" class="${c === paper.primaryCategory ? "cat cat-primary" : "cat"}">${escapeHtml(c)}</a>`,
    ),
    `<span>arXiv:${escapeHtml(key)}</span>`,
    submitted ? `<span>submitted ${submitted}</span>` : "",
    revised && revised !== submitted ? `<span>v${paper.version} ${revised}</span>` : "",
  ].join("");
  const notes = [paper.comments, paper.journalRef].filter(Boolean).map((t) => escapeHtml(t!)).join(" · ");
  const abs = `https://arxiv.org/abs/${attr(key)}`;
  const head =
    `<article class="paper-card" data-paper-id="${attr(paper.id)}" aria-labelledby="t-${attr(key)}">` +
    `<header class="paper-head"><h2 class="paper-title" id="t-${attr(key)}"><a href="/papers/${attr(paper.id)}">${renderMathText(paper.title)}</a></h2>`;
  const tail =
    `</header>` +
    `<div class="paper-authors" data-field="authors">${shown}` +
    (hidden.length ? ` <details class="more-authors"><summary>and ${hidden.length} more</summary>${hidden.map(escapeHtml).join(", ")}</details>` : "") +
    `</div>` +
    `<p class="paper-meta">${meta}</p>` +
    (options.tldr ? `<p class="paper-tldr"><strong>TL;DR</strong> ${renderMathText(options.tldr)}</p>` : "") +
    `<details class="paper-abstract" open><summary>Abstract</summary><p data-field="abstract">${options.abstractHtml ?? renderMathText(paper.abstract)}</p></details>` +
    (notes ? `<p class="paper-comments">${notes}</p>` : "") +
    `<div class="paper-links">` +
    `<a href="${abs}">arXiv</a><a href="https://arxiv.org/pdf/${attr(key)}">PDF</a>` +
    (paper.doi ? `<a href="https://doi.org/${attr(encodeURI(paper.doi))}">DOI</a>` : "") +
    `<button type="button" data-action="copy">Copy</button>` +
    `<button type="button" data-action="bibtex">BibTeX</button>`;
  return { head, tail };
}

function halves(paper: CardPaper, options: CardOptions): CardHalves {
  // Search snippets differ per query: those cards are not kept.
  if (options.abstractHtml !== undefined) return build(paper, options);
  const key = `${paper.id}v${paper.version}:${options.announceType ?? ""}:${paper.versionAt?.getTime() ?? ""}:${paper.title.length}:${paper.abstract.length}:${options.tldr ?? ""}`;
  let found = cache.get(key);
  if (!found) {
    found = build(paper, options);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, found);
  }
  return found;
}

/** The star: a toggle for a signed-in reader, a link to sign in otherwise. */
export function starHtml(paper: Pick<CardPaper, "id" | "title">, state: StarState): string {
  return starMarkup(attr(paper.title), state);
}

/** The star for a paper whose title is given already escaped (as the web front reads it from a card). */
export function starMarkup(title: string, state: StarState): string {
  if (!state.signedIn) {
    return `<span class="star"><a class="star-button star-signed-out" data-action="sign-in-to-star" href="/sign-in" aria-label="Sign in to star ${title}" title="Sign in to star papers"><span aria-hidden="true">☆</span></a></span>`;
  }
  const on = state.starred;
  return (
    `<span class="star"><button type="button" class="star-button" data-action="star" aria-pressed="${on}" ` +
    `aria-label="${on ? "Unstar" : "Star"} ${title}" title="${on ? "Unstar" : "Star"}"><span aria-hidden="true">${on ? "★" : "☆"}</span></button></span>`
  );
}

/** The escaped title a signed-out star names (the reverse of starMarkup's signed-out form). */
export function titleOfSignedOutStar(html: string): string | undefined {
  return /aria-label="Sign in to star ([^"]*)"/.exec(html)?.[1];
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The paper's counts across readers, at the end of its links: "★ 2 · 1 FAQ request · 3 opens",
 * each part only when not 0, nothing at all for a paper nobody touched (a 25-card page stays small).
 * Readers are counted once per part (lib/popularity/sql.ts).
 */
export function popularityHtml(p: Popularity | null | undefined): string {
  if (!p) return "";
  const parts = [p.stars ? `★ ${p.stars}` : "", p.faqs ? plural(p.faqs, "FAQ request", "FAQ requests") : "", p.opens ? plural(p.opens, "open", "opens") : ""];
  return `<span class="pop">${parts.filter(Boolean).join(" · ")}</span>`;
}

/**
 * One card (its <article>). `extraHtml` (safe HTML, per request: topic scores) follows the star;
 * `popularity` (the counts across readers) ends the card's links.
 */
export function cardHtml(paper: CardPaper, star: StarState, options: CardOptions = {}, extraHtml = "", popularity?: Popularity | null): string {
  const { head, tail } = halves(paper, options);
  // The star and what follows it are the reader's part of the card: a reader slot (reader-html.ts).
  return `${head}${slot("card", starHtml(paper, star) + extraHtml, paper.id)}${tail}${popularityHtml(popularity)}</div></article>`;
}

/** One card as a list item (cardHtml's arguments). */
export function cardItemHtml(...card: Parameters<typeof cardHtml>): string {
  return `<li>${cardHtml(...card)}</li>`;
}

/**
 * Cards for a list of papers; `starred` undefined means signed out; `extra` adds per-request HTML.
 * A paper's `popularity`, when given, shows its counts.
 */
export function cardsHtml<P extends CardPaper & { announceType?: AnnounceType; abstractHtml?: string; tldr?: string | null; popularity?: Popularity | null }>(
  papers: P[],
  starred: Set<string> | undefined,
  extra?: (paper: P) => string,
): string {
  return papers
    .map((p) =>
      cardItemHtml(
        p,
        starred ? { signedIn: true, starred: starred.has(p.id) } : { signedIn: false },
        { announceType: p.announceType, abstractHtml: p.abstractHtml, tldr: p.tldr },
        extra?.(p),
        p.popularity,
      ),
    )
    .join("");
}
