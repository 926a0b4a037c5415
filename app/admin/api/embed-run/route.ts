// GET /admin/api/embed-run?id=embed-all-<uuid>: an embed-every-paper run's state and progress, polled
// by the overview's progress bar. Administrators only (checked here: route handlers skip layouts).
import { adminRoute } from "@/lib/admin/guard";
import { embedRunId, getEmbedRun } from "@/lib/admin/embed";
import { appQueue } from "@/lib/queue";

export const dynamic = "force-dynamic";

const headers = { "cache-control": "no-store" };

export async function GET(request: Request): Promise<Response> {
  const admin = await adminRoute(request);
  if (admin instanceof Response) return admin;
  const parsed = embedRunId.safeParse(new URL(request.url).searchParams.get("id") ?? "");
  if (!parsed.success) return Response.json({ error: parsed.error.issues[0]?.message ?? "Bad id." }, { status: 400, headers });
  const run = await getEmbedRun(appQueue(), parsed.data);
  if (!run) return Response.json({ error: `There is no embedding run ${parsed.data} (finished runs are kept for a week).` }, { status: 404, headers });
  return Response.json({ run }, { headers });
}
