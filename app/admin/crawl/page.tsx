// Re-crawl: pick categories and a source (RSS: the latest announcement, no date; API: a day or a
// range); the runs it starts show their progress live below (with the other recent admin re-crawls).
import type { Metadata } from "next";
import { adminPage } from "@/lib/admin/guard";
import { MAX_RECRAWL_DAYS, RECRAWL_REQUESTS_PER_MINUTE } from "@/lib/admin/recrawl";
import { toRunView } from "@/lib/admin/run-view";
import { listCrawlRuns } from "@/lib/queries/crawl-runs";
import { getFollowedCategories } from "@/lib/queries/settings";
import { LiveRuns, RecrawlForm } from "../admin-client";
import { recrawl } from "./actions";

export const metadata: Metadata = { title: "Re-crawl · Admin" };
export const dynamic = "force-dynamic";

export default async function RecrawlPage() {
  await adminPage("/admin/crawl");
  const [followed, recent] = await Promise.all([getFollowedCategories(), listCrawlRuns({ trigger: "admin" }, { limit: 20 })]);
  return (
    <>
      <h1>Re-crawl</h1>
      <RecrawlForm
        action={recrawl}
        followed={followed}
        today={new Date().toISOString().slice(0, 10)}
        maxDays={MAX_RECRAWL_DAYS}
        perMinute={RECRAWL_REQUESTS_PER_MINUTE}
      />
      <h2>Recent re-crawls</h2>
      <LiveRuns initial={recent.map(toRunView)} emptyText="No re-crawl has been started yet." />
    </>
  );
}
