// Home: the latest announced day of the followed categories. Without a listing yet, the most
// recently stored papers (from a history import or single fetches); without any paper, what to do.
// ?type= picks the tab (lib/query-params.ts homeQuery); another value gets a 400 page saying so.
// A signed-in reader with topics who opens "/" itself (no query) is sent to their inbox (as the web
// front does, lib/reader-pages.ts readerRedirect); "/?all=1" (any query) shows them the listing.
import { redirect } from "next/navigation";
import { parseListingSpec, formatListingSpec } from "@/lib/arxiv/categories";
import { getCurrentUser } from "@/lib/auth";
import { latestCrawlRun } from "@/lib/queries/crawl-runs";
import { readerHasTopics } from "@/lib/queries/inbox";
import { listingDays } from "@/lib/queries/listings";
import { countPapers, listRecentPapers } from "@/lib/queries/papers";
import { getFollowedCategories } from "@/lib/queries/settings";
import { homeQuery, readQuery } from "@/lib/query-params";
import { cardsHtml } from "@/lib/render/card-html";
import { BadQuery } from "./components/bad-query";
import { CardActions } from "./components/card-actions";
import { ListingView } from "./components/listing-view";
import { starredFor } from "./components/starred-for";
import { CrawlStatus } from "./crawl-status";

export const dynamic = "force-dynamic";

export default async function HomePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = await searchParams;
  if (Object.keys(query).length === 0) {
    const user = await getCurrentUser();
    if (user && (await readerHasTopics(user.id))) redirect("/inbox");
  }
  const read = readQuery(homeQuery, query);
  if (!read.ok) return <BadQuery problem={read.problem} back={{ href: "/", label: "Today's papers" }} />;
  const spec = parseListingSpec((await getFollowedCategories()).join(","));
  const days = await listingDays(spec);
  if (days[0]) {
    return <ListingView spec={spec} date={days[0]} days={days} tab={read.data.type} basePath={`/list/${encodeURIComponent(formatListingSpec(spec))}`} />;
  }

  const [papers, total, lastRun] = await Promise.all([listRecentPapers(50), countPapers(), latestCrawlRun()]);
  if (papers.length === 0) {
    return (
      <section className="empty-state" aria-labelledby="empty-title">
        <h1 id="empty-title">No papers yet</h1>
        <p>
          The database is empty. The workers crawl the followed categories on first start and then every day
          after arXiv&apos;s announcement; papers appear here as soon as a crawl has stored them.
        </p>
        <CrawlStatus run={lastRun} />
        <p>To crawl now, an admin runs:</p>
        <pre>
          <code>npm run crawl -- --category cs.CL</code>
        </pre>
        <p>
          The <a href="/api/health">status page</a> shows whether the database, the queue, the LLM and the embedding
          model are reachable.
        </p>
      </section>
    );
  }
  const starred = await starredFor(papers.map((p) => p.id));
  return (
    <section aria-labelledby="recent-title">
      <h1 id="recent-title">Recent papers</h1>
      <p className="muted">
        {`No day of ${formatListingSpec(spec)} is stored yet; showing the ${papers.length} most recently added of ${total.toLocaleString("en")} papers.`}
      </p>
      <CrawlStatus run={lastRun} />
      <ol className="paper-list" id="papers" dangerouslySetInnerHTML={{ __html: cardsHtml(papers, starred) }} />
      <CardActions />
    </section>
  );
}
