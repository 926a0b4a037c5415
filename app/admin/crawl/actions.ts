"use server";
// Re-crawl server action: authorize, validate (lib/admin/recrawl.ts), rate-limit, create runs, enqueue.
import { withAdmin, type ActionResult } from "@/lib/admin/guard";
import { RateLimitError, recrawlInput, startRecrawl } from "@/lib/admin/recrawl";
import { appQueue } from "@/lib/queue";

export async function recrawl(raw: unknown): Promise<ActionResult<{ runIds: string[] }>> {
  return withAdmin(recrawlInput, raw, async (admin, input) => {
    try {
      const runs = await startRecrawl(admin, input, appQueue());
      const what = input.source === "rss" ? "the latest announcement" : input.from === input.to ? input.from : `${input.from} to ${input.to}`;
      return {
        ok: true,
        message: `Queued ${runs.length} crawl job${runs.length === 1 ? "" : "s"} for ${input.categories.join(", ")} (${what}, ${input.source.toUpperCase()}).`,
        data: { runIds: runs.map((r) => r.id) },
      };
    } catch (error) {
      if (error instanceof RateLimitError) return { ok: false, error: error.message, status: 429 };
      throw error;
    }
  });
}
