// POST /api/faq {paperId, language, regenerate?}: asks for a paper's FAQ. A cached one comes back at
// once (signed out too); otherwise one generation is queued for the worker (never run here) and the
// answer says where it stands: { faqId, status, position }. Expected refusals are { error } JSON.
import { z } from "zod";
import { formatArxivId, normalizeArxivId } from "@/lib/arxiv/ids";
import { userFromHeaders } from "@/lib/auth";
import { requestFaq } from "@/lib/faq/request";
import { readJsonBody } from "@/lib/request-limits";

export const dynamic = "force-dynamic";

const bodySchema = z.object({
  paperId: z.string().trim().min(1).max(64),
  language: z.string().trim().min(1).max(8).default("en"),
  regenerate: z.boolean().optional(),
  /** False for prefetching without a reader waiting (lower priority). */
  interactive: z.boolean().optional(),
});

export async function POST(request: Request): Promise<Response> {
  // Read with a cap: proxy.ts refuses declared lengths over 1 MB, a chunked body is measured here.
  const read = await readJsonBody(request, () =>
    Response.json({ error: "Send a JSON body such as {\"paperId\": \"2104.12255\", \"language\": \"en\"}." }, { status: 400 }),
  );
  if ("refused" in read) return read.refused;
  const parsed = bodySchema.safeParse(read.body);
  if (!parsed.success) {
    return Response.json({ error: "Send a paperId (an arXiv id) and a language (en or zh)." }, { status: 400 });
  }
  let paperId: string;
  try {
    paperId = formatArxivId(normalizeArxivId(parsed.data.paperId).id);
  } catch {
    return Response.json({ error: `"${parsed.data.paperId.slice(0, 80)}" is not an arXiv id.` }, { status: 400 });
  }
  const user = await userFromHeaders(request.headers);
  const result = await requestFaq({
    paperId,
    language: parsed.data.language,
    userId: user?.id ?? null,
    interactive: parsed.data.interactive ?? true,
    regenerate: parsed.data.regenerate,
  });
  if ("error" in result) {
    const headers = result.retryAfterSeconds ? { "retry-after": String(result.retryAfterSeconds) } : undefined;
    return Response.json({ error: result.error }, { status: result.status, headers });
  }
  const { faq, position } = result;
  return Response.json({ faqId: faq.id, status: faq.status, position, version: faq.version });
}
