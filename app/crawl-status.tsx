// One line about the latest crawl, shown while there are no papers: running, failed (and why), or quiet.
import type { CrawlRun } from "@/lib/generated/prisma/client";
import type { CrawlCounts } from "@/lib/queries/crawl-runs";
import { NoPageCache } from "./components/no-page-cache";

function ago(date: Date): string {
  const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

export function CrawlStatus({ run }: { run: CrawlRun | null }) {
  if (!run) return <p>No crawl has run yet. The workers start one when the app starts.</p>;
  const counts = run.counts as unknown as CrawlCounts;
  const what = `${run.categories.join(", ")} (${run.trigger}, ${ago(run.createdAt)})`;
  switch (run.status) {
    case "queued":
    case "running":
      return (
        <div role="status">
          <NoPageCache />
          <p>
            Crawling {what}: {counts.stored ?? 0} papers stored so far.
            {run.error ? ` The last attempt failed (${run.error}); it is tried again.` : ""}
          </p>
          <progress max={100} value={counts.percent ?? 0} aria-label="Crawl progress" />
        </div>
      );
    case "failed":
      return (
        <p role="alert" className="crawl-error">
          The last crawl of {what} failed: {run.error}. arXiv is tried again on schedule; check that this machine
          can reach it (ARXIV_RSS_URL, ARXIV_API_URL).
        </p>
      );
    case "no_announcement":
      return <p>The last crawl of {what} found no announcement: {counts.note ?? "nothing new"}.</p>;
    case "succeeded":
      return <p>The last crawl of {what} stored {counts.stored} papers.</p>;
  }
}
