// Home: the most recent papers in the database, or what to do when there are none.
import { latestCrawlRun } from "@/lib/queries/crawl-runs";
import { countPapers, listRecentPapers } from "@/lib/queries/papers";
import { CrawlStatus } from "./crawl-status";

export const dynamic = "force-dynamic";

export default async function HomePage() {
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
  return (
    <section aria-labelledby="recent-title">
      <h1 id="recent-title">Recent papers</h1>
      <p className="muted">
        {`Showing ${papers.length} of ${total.toLocaleString("en")} papers.`}
      </p>
      <ol className="paper-list">
        {papers.map((paper) => (
          <li key={paper.id} className="paper-card">
            <h2 className="paper-title">{paper.title}</h2>
            <p className="paper-meta">
              <a href={`https://arxiv.org/abs/${paper.id}v${paper.version}`}>
                {`arXiv:${paper.id}v${paper.version}`}
              </a>{" "}
              · {paper.primaryCategory}
              {paper.publishedAt ? ` · ${paper.publishedAt.toISOString().slice(0, 10)}` : ""}
            </p>
            <p className="paper-authors">{paper.authors.join(", ")}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}
