// Audit log: who did what, to what, when; newest first, older pages by ?before= (lib/query-params.ts
// auditQuery: a value it cannot read gets a 400 page naming it).
import type { Metadata } from "next";
import Link from "next/link";
import { adminPage } from "@/lib/admin/guard";
import { listAudit } from "@/lib/queries/audit";
import { auditQuery, readQuery } from "@/lib/query-params";
import { BadQuery } from "../../components/bad-query";

export const metadata: Metadata = { title: "Audit log · Admin" };
export const dynamic = "force-dynamic";

const PAGE = 100;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await adminPage("/admin/audit");
  const read = readQuery(auditQuery, await searchParams);
  if (!read.ok) return <BadQuery problem={read.problem} back={{ href: "/admin/audit", label: "The newest entries" }} />;
  const rows = await listAudit({ limit: PAGE + 1, before: read.data.before });
  const entries = rows.slice(0, PAGE);
  const next = rows.length > PAGE ? entries.at(-1)!.createdAt.toISOString() : undefined;
  return (
    <>
      <h1>Audit log</h1>
      {entries.length === 0 ? (
        <p className="empty-state">No administrator action has been recorded yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="admin-table audit-table">
            <thead><tr><th>When (UTC)</th><th>Who</th><th>Action</th><th>Target</th><th>Details</th></tr></thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td><time dateTime={e.createdAt.toISOString()}>{e.createdAt.toISOString().replace("T", " ").slice(0, 19)}</time></td>
                  <td>{e.actorEmail ?? <span className="muted">(deleted account)</span>}</td>
                  <td>{e.action}</td>
                  <td>{e.target ?? ""}</td>
                  <td><code className="muted">{Object.keys(e.details).length ? JSON.stringify(e.details) : ""}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next ? (
        <p className="pager"><span /><Link href={`/admin/audit?before=${encodeURIComponent(next)}`}>Older entries →</Link></p>
      ) : null}
    </>
  );
}
