// GET /api/health: JSON status of database, queue, LLM and embedding model, for people and probes.
import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const health = await checkHealth();
  return Response.json(health, {
    status: health.status === "failing" ? 503 : 200,
    headers: { "cache-control": "no-store" },
  });
}
