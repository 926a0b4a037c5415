// Admin-editable settings stored in the database, falling back to the environment's defaults.
import { z } from "zod";
import { db } from "../db";
import { env } from "../env";

const categoriesSchema = z.array(z.string().regex(/^[a-z-]+(\.[A-Za-z-]+)?$/)).min(1);

/** The categories crawled every day: the admin's list when set, else ARXIV_CATEGORIES. */
export async function getFollowedCategories(): Promise<string[]> {
  const row = await db().setting.findUnique({ where: { key: "followed_categories" } });
  const parsed = categoriesSchema.safeParse(row?.value);
  return parsed.success ? parsed.data : env().ARXIV_CATEGORIES;
}

export async function setFollowedCategories(categories: string[]): Promise<void> {
  const value = categoriesSchema.parse(categories);
  await db().setting.upsert({ where: { key: "followed_categories" }, create: { key: "followed_categories", value }, update: { value } });
}

/** The daily check's cron pattern (UTC): the admin's when set, else CRAWL_SCHEDULE. */
export async function getCrawlSchedule(): Promise<{ pattern: string; fromSettings: boolean }> {
  const row = await db().setting.findUnique({ where: { key: "crawl_schedule" } });
  const parsed = z.string().min(9).safeParse(row?.value);
  return parsed.success ? { pattern: parsed.data, fromSettings: true } : { pattern: env().CRAWL_SCHEDULE, fromSettings: false };
}

/** Stores the schedule; the caller validates the pattern (lib/admin/schedule.ts) and updates the queue's scheduler. */
export async function setCrawlSchedule(pattern: string): Promise<void> {
  await db().setting.upsert({ where: { key: "crawl_schedule" }, create: { key: "crawl_schedule", value: pattern }, update: { value: pattern } });
}
