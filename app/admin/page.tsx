// Admin overview: counts, the LLM and embedding status (from health), embedding every paper (with
// live progress), and the editable settings (followed categories, daily schedule).
import type { Metadata } from "next";
import { currentEmbedRun } from "@/lib/admin/embed";
import { adminPage } from "@/lib/admin/guard";
import { env } from "@/lib/env";
import { checkHealth } from "@/lib/health";
import { adminStats } from "@/lib/queries/admin-stats";
import { getCrawlSchedule, getFollowedCategories } from "@/lib/queries/settings";
import { appQueue } from "@/lib/queue";
import { saveCrawlSchedule, saveFollowedCategories, startEmbedAll } from "./actions";
import { EmbedPanel, SettingForm } from "./admin-client";

export const metadata: Metadata = { title: "Admin" };
export const dynamic = "force-dynamic";

const STATUS_WORDS = { ok: "ok", failing: "failing", not_configured: "not configured" } as const;

export default async function AdminOverview() {
  await adminPage("/admin");
  const [stats, health, followed, schedule, embedRun] = await Promise.all([
    adminStats(),
    checkHealth(),
    getFollowedCategories(),
    getCrawlSchedule(),
    currentEmbedRun(appQueue()),
  ]);
  const components = [
    ["Database", health.components.database],
    ["Queue", health.components.queue],
    ["arXiv", health.components.arxiv],
    ["LLM", health.components.llm],
    ["Embedding model", health.components.embedding],
  ] as const;
  return (
    <>
      <h1>Administration</h1>
      <section aria-label="Counts" className="stat-grid">
        <div className="stat"><b>{stats.papers.toLocaleString("en")}</b>papers</div>
        <div className="stat"><b>{stats.embeddings.toLocaleString("en")}</b>embeddings</div>
        <div className="stat"><b>{stats.faqs.toLocaleString("en")}</b>FAQs</div>
        <div className="stat"><b>{stats.users.toLocaleString("en")}</b>users ({stats.admins} admin{stats.admins === 1 ? "" : "s"}{stats.disabledUsers ? `, ${stats.disabledUsers} disabled` : ""})</div>
        <div className="stat"><b>{stats.crawlRuns.toLocaleString("en")}</b>crawl runs</div>
      </section>

      <h2>Configuration status</h2>
      <div className="table-wrap">
        <table className="admin-table">
          <thead><tr><th>Part</th><th>Status</th><th>Detail</th></tr></thead>
          <tbody>
            {components.map(([name, c]) => (
              <tr key={name}>
                <td>{name}</td>
                <td className={`health-${c.status}`}>{STATUS_WORDS[c.status]}</td>
                <td>{c.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted">
        LLM model: {env().LLM_MODEL}. These are set in the environment (see .env.example); the full report is at{" "}
        <a href="/api/health">/api/health</a>.
      </p>

      <h2>Embeddings</h2>
      {health.components.embedding.status === "ok" ? null : (
        <p className="muted embed-model-note">
          This server has no embedding model (see “Embedding model” above). The worker needs one too: without it a run
          ends as “skipped” and topics keep learning from the papers' words only.
        </p>
      )}
      <EmbedPanel action={startEmbedAll} initial={embedRun} />

      <h2>Settings</h2>
      <section className="admin-section">
        <SettingForm
          action={saveFollowedCategories}
          field="categories"
          label="Followed categories"
          initial={followed.join(", ")}
          hint="Crawled every day; comma-separated arXiv categories or archives (cs.AI, math.NA, hep-th)."
          multiline
        />
        <SettingForm
          action={saveCrawlSchedule}
          field="pattern"
          label="Daily check schedule (cron, UTC)"
          initial={schedule.pattern}
          hint={`minute hour day-of-month month day-of-week. ${schedule.fromSettings ? "Set here." : "From CRAWL_SCHEDULE."} arXiv announces around 00:00 US Eastern (04:00–05:00 UTC); the final check (CRAWL_FINAL_CHECK) stays as configured.`}
        />
      </section>
    </>
  );
}
