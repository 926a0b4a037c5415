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
