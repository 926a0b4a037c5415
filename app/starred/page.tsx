// /starred: the reader's starred papers, most recently starred first, a page at a time, with
// BibTeX and CSV exports. Signed out: to sign-in, and back here afterwards. A cursor that is not one
// this page handed out (lib/query-params.ts starredQuery) gets a 400 page saying so.
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth";
import { countStarred, listStarred } from "@/lib/queries/stars";
import { readQuery, starredQuery } from "@/lib/query-params";
import { cardsHtml } from "@/lib/render/card-html";
import { BadQuery } from "../components/bad-query";
import { CardActions } from "../components/card-actions";

export const metadata: Metadata = { title: "Starred" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 25;

export default async function StarredPage({ searchParams }: { searchParams: Promise<{ cursor?: string | string[] }> }) {
  const { cursor: rawCursor } = await searchParams;
  const cursor = Array.isArray(rawCursor) ? rawCursor[0] : rawCursor;
  const user = await getCurrentUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(cursor ? `/starred?cursor=${encodeURIComponent(cursor)}` : "/starred")}`);
  const read = readQuery(starredQuery, { cursor });
  if (!read.ok) return <BadQuery problem={read.problem} back={{ href: "/starred", label: "Your newest stars" }} />;

  const [page, total] = await Promise.all([listStarred(user.id, { limit: PAGE_SIZE, cursor }), countStarred(user.id)]);

  if (total === 0) {
    return (
      <section className="empty-state" aria-labelledby="starred-title">
        <h1 id="starred-title">Starred papers</h1>
        <p>You have not starred any papers yet.</p>
        <p>
          Press the <span aria-hidden="true">☆</span> star next to a paper&apos;s title (or <kbd>s</kbd> on the selected
          paper) to keep it here. Stars are private to your account and can be exported as BibTeX or CSV.
        </p>
        <p>
          <Link href="/">Browse today&apos;s papers</Link>
        </p>
      </section>
    );
  }

  return (
    <section aria-labelledby="starred-title">
      <div className="starred-head">
        <h1 id="starred-title">Starred papers</h1>
        <p className="export-links">
          Download all as
          <a href="/starred/export?format=bibtex" download>
            BibTeX
          </a>
          <a href="/starred/export?format=csv" download>
            CSV
          </a>
        </p>
      </div>
      <p className="muted">
        {cursor
          ? `Older stars (${page.papers.length} on this page, ${total.toLocaleString("en")} in all).`
          : `${total.toLocaleString("en")} starred ${total === 1 ? "paper" : "papers"}, most recently starred first.`}
      </p>
      {page.papers.length === 0 ? (
        <p>
          No more starred papers. <Link href="/starred">Back to the newest</Link>
        </p>
      ) : (
        <ol
          className="paper-list"
          id="papers"
          dangerouslySetInnerHTML={{ __html: cardsHtml(page.papers, new Set(page.papers.map((p) => p.id))) }}
        />
      )}
      {/* Unstarring here takes the paper off this page. */}
      <CardActions refreshAfterStar />
      <nav className="pager" aria-label="Pages of starred papers">
        {cursor ? <Link href="/starred">Newest</Link> : <span />}
        {page.nextCursor ? (
          <Link href={`/starred?cursor=${encodeURIComponent(page.nextCursor)}`} rel="next">
            More
          </Link>
        ) : null}
      </nav>
    </section>
  );
}
