// /search: ranked full-text search over titles, abstracts and authors, filtered by category and
// submission date, with the matching words marked and pages of 25. Parameters it cannot read
// (lib/query-params.ts searchQuery) are named under the form, with HTTP 400 from proxy.ts.
import type { Metadata } from "next";
import Link from "next/link";
import { RANK_WITHIN, searchPapers, SearchQueryError } from "@/lib/queries/search";
import { readQuery, searchQuery } from "@/lib/query-params";
import { escapeHtml } from "@/lib/render/math";
import { cardsHtml } from "@/lib/render/card-html";
import { BadQuery } from "../components/bad-query";
import { CardActions } from "../components/card-actions";
import { starredFor } from "../components/starred-for";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Search" };

const PAGE = 25;

/** The snippet from PostgreSQL marks matches with \u0001…\u0002: escape the text, then mark. */
function snippetHtml(snippet: string): string {
  return escapeHtml(snippet).replaceAll("\u0001", "<mark>").replaceAll("\u0002", "</mark>");
}

export default async function SearchPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = await searchParams;
  const usp = new URLSearchParams(Object.entries(raw).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v[0]! : v]])));
  const read = readQuery(searchQuery, usp);
  const form = (
    <form role="search" action="/search" className="search-form">
      <label className="grow">
        Search
        <input type="search" name="q" defaultValue={usp.get("q") ?? ""} maxLength={300} placeholder='diffusion models "image editing" -survey' autoFocus />
      </label>
      <label>
        Categories
        <input name="cat" defaultValue={usp.get("cat") ?? ""} placeholder="cs.CV,cs.LG" size={12} />
      </label>
      <label>
        From
        <input type="date" name="from" defaultValue={usp.get("from") ?? ""} />
      </label>
      <label>
        To
        <input type="date" name="to" defaultValue={usp.get("to") ?? ""} />
      </label>
      <button type="submit">Search</button>
    </form>
  );
  if (!read.ok) {
    return (
      <section>
        <h1>Search</h1>
        {form}
        <BadQuery problem={read.problem} back={{ href: "/search", label: "Start a new search" }} />
      </section>
    );
  }
  const params = { ...read.data, q: read.data.q ?? "", categories: read.data.cat ?? [], page: read.data.page ?? 1 };
  if (!params.q) {
    return (
      <section>
        <h1>Search</h1>
        {form}
        <p className="muted">Search titles, abstracts and authors. Use quotes for a phrase and a minus to leave a word out.</p>
      </section>
    );
  }
  let result;
  try {
    result = await searchPapers(params.q, { ...params, offset: (params.page - 1) * PAGE, limit: PAGE });
  } catch (error) {
    if (!(error instanceof SearchQueryError)) throw error;
    return (
      <section>
        <h1>Search</h1>
        {form}
        <p role="alert" className="crawl-error">{error.message}</p>
      </section>
    );
  }
  const starred = await starredFor(result.hits.map((h) => h.id));
  const pages = Math.ceil(result.total / PAGE);
  const pageHref = (n: number) => {
    const next = new URLSearchParams(usp);
    next.set("page", String(n));
    return `/search?${next}`;
  };
  const feed = `/search/feed?${new URLSearchParams({ q: params.q, ...(params.categories.length ? { cat: params.categories.join(",") } : {}) })}`;
  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Search</h1>
      {form}
      <p className="muted" role="status">
        {result.total === 0
          ? `No papers match "${params.q}".`
          : result.capped
            ? `More than ${RANK_WITHIN.toLocaleString("en")} papers match "${params.q}"; the newest ${RANK_WITHIN.toLocaleString("en")} are ranked${pages > 1 ? `, page ${params.page} of ${pages}` : ""}. Add dates or a category to reach older ones.`
            : `${result.total.toLocaleString("en")} papers match "${params.q}"${pages > 1 ? `, page ${params.page} of ${pages}` : ""}.`}{" "}
        {result.semantic ? <span title="Full-text and embedding results merged by reciprocal-rank fusion">Ranked by words and meaning. </span> : null}
        <a href={feed}>RSS</a>
      </p>
      <ol
        className="paper-list"
        id="papers"
        dangerouslySetInnerHTML={{ __html: cardsHtml(result.hits.map((hit) => ({ ...hit, abstractHtml: snippetHtml(hit.snippet) })), starred) }}
      />
      {pages > 1 ? (
        <nav className="pager" aria-label="Result pages">
          {params.page > 1 ? <Link href={pageHref(params.page - 1)} rel="prev">← Previous</Link> : null}
          {params.page < pages ? <Link href={pageHref(params.page + 1)} rel="next">Next →</Link> : null}
        </nav>
      ) : null}
      <CardActions />
    </section>
  );
}
