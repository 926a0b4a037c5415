"use server";
// Overview server actions: followed categories, the daily schedule, and embedding every paper. Each
// one: authorize, validate (zod), write, audit.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { isKnownCategory } from "@/lib/arxiv/categories";
import { withAdmin, type ActionResult } from "@/lib/admin/guard";
import { embedAllInput, EmbedRunOpenError, startEmbedRun, type EmbedRunView } from "@/lib/admin/embed";
import { applyCrawlSchedule, cronPattern } from "@/lib/admin/schedule";
import { writeAudit } from "@/lib/queries/audit";
import { getCrawlSchedule, getFollowedCategories, setCrawlSchedule, setFollowedCategories } from "@/lib/queries/settings";
import { appQueue } from "@/lib/queue";

const categoriesInput = z.object({
  categories: z
    .string()
    .max(2000, "That list is too long.")
    .transform((v) => [...new Set(v.split(/[\s,]+/).map((c) => c.trim()).filter(Boolean))])
    .superRefine((list, ctx) => {
      if (list.length === 0) ctx.addIssue({ code: "custom", message: "Follow at least one category." });
      const unknown = list.filter((c) => !isKnownCategory(c));
      if (unknown.length) ctx.addIssue({ code: "custom", message: `Not an arXiv category: ${unknown.map((c) => `"${c}"`).join(", ")}.` });
    }),
});

export async function saveFollowedCategories(raw: unknown): Promise<ActionResult> {
  return withAdmin(categoriesInput, raw, async (admin, input) => {
    const before = await getFollowedCategories();
    await setFollowedCategories(input.categories);
    await writeAudit({ actorId: admin.id, action: "settings.categories", target: input.categories.join(","), details: { before, after: input.categories } });
    revalidatePath("/admin");
    return { ok: true, message: `Following ${input.categories.join(", ")}. The next daily crawl uses this list.` };
  });
}

const scheduleInput = z.object({ pattern: cronPattern });

export async function saveCrawlSchedule(raw: unknown): Promise<ActionResult> {
  return withAdmin(scheduleInput, raw, async (admin, input) => {
    const before = (await getCrawlSchedule()).pattern;
    await setCrawlSchedule(input.pattern);
    await applyCrawlSchedule(appQueue(), input.pattern);
    await writeAudit({ actorId: admin.id, action: "settings.schedule", target: input.pattern, details: { before, after: input.pattern } });
    revalidatePath("/admin");
    return { ok: true, message: `The daily check now runs at "${input.pattern}" (UTC).` };
  });
}

/** "Embed missing" / "Re-embed everything": one run at a time; its progress is polled from /admin/api/embed-run. */
export async function startEmbedAll(raw: unknown): Promise<ActionResult<{ run: EmbedRunView }>> {
  return withAdmin(embedAllInput, raw, async (admin, input) => {
    try {
      const run = await startEmbedRun(admin, input.scope, appQueue());
      revalidatePath("/admin");
      return {
        ok: true,
        message: input.scope === "all" ? "Re-embedding every paper: queued." : "Embedding the papers without a current vector: queued.",
        data: { run },
      };
    } catch (error) {
      if (error instanceof EmbedRunOpenError) return { ok: false, error: error.message, status: 409 };
      throw error;
    }
  });
}
