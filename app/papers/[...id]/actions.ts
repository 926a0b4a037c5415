"use server";
// Asking again for a paper whose fetch failed.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formatArxivId, normalizeArxivId } from "@/lib/arxiv/ids";
import { requestPaperFetch } from "@/lib/queries/crawl-runs";
import { appQueue, enqueueCrawl } from "@/lib/queue";

const schema = z.string().min(1).max(64);

export async function retryPaperFetch(raw: string): Promise<{ error?: string }> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { error: "That is not an arXiv id." };
  let id: string;
  try {
    id = formatArxivId(normalizeArxivId(parsed.data).id);
  } catch {
    return { error: "That is not an arXiv id." };
  }
  const { run, created } = await requestPaperFetch(id);
  if (created) await enqueueCrawl(appQueue(), run.id, { priority: 1 });
  revalidatePath(`/papers/${id}`);
  return {};
}
