// GET /admin/api/crawl-runs?ids=<uuid>,<uuid>: the runs' status and counts, polled by the re-crawl
// page for live progress. Administrators only (checked here: route handlers skip layouts).
import { z } from "zod";
import { adminRoute } from "@/lib/admin/guard";
import { toRunView } from "@/lib/admin/run-view";
import { getCrawlRuns } from "@/lib/queries/crawl-runs";

export const dynamic = "force-dynamic";

const idsSchema = z
  .string()
  .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(z.uuid({ error: "Each id must be a crawl run id (a UUID)." })).min(1, "Give at least one run id.").max(100, "At most 100 runs at once."));

export async function GET(request: Request): Promise<Response> {
  const admin = await adminRoute(request);
  if (admin instanceof Response) return admin;
  const parsed = idsSchema.safeParse(new URL(request.url).searchParams.get("ids") ?? "");
  if (!parsed.success) {
    return Response.json({ error: parsed.error.issues[0]?.message ?? "Bad ids." }, { status: 400, headers: { "cache-control": "no-store" } });
  }
  const runs = await getCrawlRuns(parsed.data);
  return Response.json({ runs: runs.map(toRunView) }, { headers: { "cache-control": "no-store" } });
}
