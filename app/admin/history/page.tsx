// Crawl history: every run with its trigger, time, duration, counts per announce type, outcome and
// error; filtered by category, date and outcome through the query string (lib/query-params.ts
// historyQuery: a filter it cannot read gets a 400 page naming it).
import type { Metadata } from "next";
import Link from "next/link";
import { adminPage } from "@/lib/admin/guard";
import { toRunView } from "@/lib/admin/run-view";
import { listCrawlRuns } from "@/lib/queries/crawl-runs";
import { historyQuery, readQuery, RUN_OUTCOMES } from "@/lib/query-params";
import { BadQuery } from "../../components/bad-query";

export const metadata: Metadata = { title: "Crawl history · Admin" };
export const dynamic = "force-dynamic";

const PAGE = 50;

function trigger(run: ReturnType<typeof toRunView>) {
  if (run.trigger === "admin") return `admin ${run.triggeredBy ?? ""}`.trim();
  if (run.trigger === "reader") return "reader request";
  return run.trigger;
}

function duration(seconds: number | null) {
  if (seconds === null) return "—";
  return seconds < 90 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds / 60)} min`;
}

export default async function HistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await adminPage("/admin/history");
  const read = readQuery(historyQuery, await searchParams);
  if (!read.ok) return <BadQuery problem={read.problem} back={{ href: "/admin/history", label: "Every crawl run" }} />;
  const filter = read.data;
  const rows = await listCrawlRuns({ category: filter.category, date: filter.date, status: filter.outcome }, { limit: PAGE + 1, before: filter.before });
  const runs = rows.slice(0, PAGE).map(toRunView);
  const next = rows.length > PAGE ? runs.at(-1)!.createdAt : undefined;
  const keep = new URLSearchParams(Object.entries({ category: filter.category, date: filter.date, outcome: filter.outcome }).filter((e): e is [string, string] => Boolean(e[1])));
  return (
    <>
      <h1>Crawl history</h1>
      <form className="filters" method="get" aria-label="Filter crawl runs">
        <label>
          Category
          <input name="category" defaultValue={filter.category ?? ""} placeholder="cs.AI" size={10} />
        </label>
        <label>
          Date
          <input type="date" name="date" defaultValue={filter.date ?? ""} />
        </label>
        <label>
          Outcome
          <select name="outcome" defaultValue={filter.outcome ?? ""}>
            <option value="">any</option>
            {RUN_OUTCOMES.map((o) => (
              <option key={o} value={o}>{o.replace("_", " ")}</option>
            ))}
          </select>
        </label>
        <button type="submit">Filter</button>
        {keep.size ? <Link href="/admin/history">Clear</Link> : null}
      </form>
      {runs.length === 0 ? (
        <p className="empty-state">{keep.size ? "No crawl run matches these filters." : "No crawl has run yet."}</p>
      ) : (
        <div className="table-wrap">
          <table className="admin-table crawl-history">
            <thead>
              <tr>
                <th>Started</th><th>Trigger</th><th>What</th><th>Outcome</th><th>Duration</th>
                <th className="num" title="new / cross-lists / replacements / replaced cross-lists">new · cross · repl · repl-cross</th>
                <th className="num">New papers · versions</th><th>Error</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id} data-run-id={run.id} data-status={run.status}>
                  <td><time dateTime={run.createdAt}>{run.createdAt.replace("T", " ").slice(0, 19)}</time></td>
                  <td>{trigger(run)}</td>
                  <td>
                    {run.categories.join(", ") || run.paperIds.join(", ")}
                    <br />
                    <span className="muted">
                      {run.source.toUpperCase()} {run.dateFrom ? (run.dateTo && run.dateTo !== run.dateFrom ? `${run.dateFrom} – ${run.dateTo}` : run.dateFrom) : ""}
                    </span>
                  </td>
                  <td><span className={`status-pill status-${run.status}`}>{run.status.replace("_", " ")}</span></td>
                  <td>{duration(run.durationSeconds)}</td>
                  <td className="num">{run.counts.new} · {run.counts.cross} · {run.counts.replace} · {run.counts.replace_cross}</td>
                  <td className="num">{run.newPapers} · {run.newVersions}</td>
                  <td className="error-text">
                    {run.error ?? (run.counts.note ? <span className="muted">{run.counts.note}</span> : "")}
                    {run.itemErrors.length ? <div className="muted">{run.itemErrors.length} item(s) skipped</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next ? (
        <p className="pager">
          <span />
          <Link href={`/admin/history?${new URLSearchParams([...keep, ["before", next]])}`}>Older runs →</Link>
        </p>
      ) : null}
    </>
  );
}
