// What a topic form may hold, checked with zod: used by the server actions (app/topics/actions.ts)
// and the tests. Keywords and seed papers arrive as free text (one per line or comma-separated).
import { z } from "zod";
import { isArxivId, normalizeArxivId } from "../arxiv/ids";

export const NAME_MAX = 120;
export const DESCRIPTION_MAX = 4_000;
export const KEYWORD_MAX = 80;
export const KEYWORDS_MAX = 40;
export const SEEDS_MAX = 50;

const list = (text: string) =>
  text
    .split(/[\n,;]+/)
    .map((s) => s.trim().replace(/\s+/g, " "))
    .filter(Boolean);

export const topicFormSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Give the topic a name.")
    .max(NAME_MAX, `A name has at most ${NAME_MAX} characters.`),
  description: z.string().trim().max(DESCRIPTION_MAX, `A description has at most ${DESCRIPTION_MAX} characters.`),
  keywords: z
    .string()
    .max(10_000, "Too many keywords.")
    .transform((text, ctx) => {
      // The first spelling of a keyword wins; later ones differing only in case are dropped.
      const words = list(text).filter((w, i, all) => all.findIndex((o) => o.toLowerCase() === w.toLowerCase()) === i);
      const long = words.find((w) => w.length > KEYWORD_MAX);
      if (long) ctx.addIssue({ code: "custom", message: `"${long.slice(0, 30)}…" is longer than ${KEYWORD_MAX} characters.` });
      if (words.length > KEYWORDS_MAX) ctx.addIssue({ code: "custom", message: `At most ${KEYWORDS_MAX} keywords.` });
      return words;
    }),
  seeds: z
    .string()
    .max(10_000, "Too many seed papers.")
    .transform((text, ctx) => {
      const ids = text.split(/[\s,;]+/).filter(Boolean);
      const bad = ids.find((id) => !isArxivId(id));
      if (bad) ctx.addIssue({ code: "custom", message: `"${bad.slice(0, 40)}" is not an arXiv id (like 2104.12255).` });
      if (ids.length > SEEDS_MAX) ctx.addIssue({ code: "custom", message: `At most ${SEEDS_MAX} seed papers at once.` });
      return bad ? [] : [...new Set(ids.map((id) => normalizeArxivId(id).id))];
    }),
  /** A checkbox: "on" when ticked, absent (empty) otherwise. */
  includeStarred: z
    .string()
    .max(10)
    .optional()
    .transform((v) => v === "on" || v === "true"),
});

export type TopicForm = z.infer<typeof topicFormSchema>;

/** A form field holding an arXiv id: trimmed, checked, normalised to the id without a version. */
export const arxivIdField = z
  .string()
  .trim()
  .max(100)
  .refine(isArxivId, "That is not an arXiv id.")
  .transform((id) => normalizeArxivId(id).id);

export const topicIdSchema = z.uuid("That topic does not exist.");

export const labelSchema = z.object({
  topicId: topicIdSchema,
  paperId: arxivIdField,
  label: z.enum(["positive", "negative"]).nullable(),
});
