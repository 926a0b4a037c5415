"use server";
// Server actions for topics: create/edit (with seed papers), delete, and labelling a paper for a
// topic (positive or "not interested"). Each validates with zod, takes the reader from the session
// only, and writes through lib/queries/topics, which scopes every statement by that reader.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth";
import { childLogger } from "@/lib/logger";
import { createTopic, deleteTopic, labelPaper, updateTopic } from "@/lib/queries/topics";
import { queueTraining } from "@/lib/relevance/queue-training";
import { embedTopic } from "@/lib/topics/embedding";
import { labelSchema, topicFormSchema, topicIdSchema } from "@/lib/topics/input";

export type TopicFormState = { error?: string; notice?: string; values?: Record<string, string> };

const field = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

/** Create (no `id` field) or edit a topic. On success goes to the topic list (create) or says so (edit). */
export async function saveTopic(_previous: TopicFormState, form: FormData): Promise<TopicFormState> {
  const values = {
    name: field(form, "name"),
    description: field(form, "description"),
    keywords: field(form, "keywords"),
    seeds: field(form, "seeds"),
    includeStarred: field(form, "includeStarred"),
  };
  const id = field(form, "id");
  // Whatever is wrong, the reader's text comes back into the form: nothing typed is lost.
  const parsed = topicFormSchema.safeParse(values);
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "That form was not understood.", values };
  if (id && !topicIdSchema.safeParse(id).success) return { error: "That topic does not exist.", values };
  const user = await getCurrentUser();
  if (!user) return { error: "Sign in to keep topics.", values };
  const { seeds, ...input } = parsed.data;
  let created: string | undefined;
  let missing: string[] = [];
  // A model that fails on the text gives null (logged): the topic is saved without a vector and
  // embedded on a later visit, rather than refused.
  const embedding = await embedTopic(input.name, input.description);
  try {
    if (id) {
      if (!(await updateTopic(user.id, id, input, embedding))) return { error: "That topic does not exist.", values };
      for (const paperId of seeds) if ((await labelPaper(user.id, id, paperId, "positive")) === "no-paper") missing.push(paperId);
    } else {
      ({ id: created, missing } = await createTopic(user.id, input, seeds, embedding));
    }
  } catch (error) {
    childLogger("topics").error({ err: error }, "saveTopic failed");
    return { error: "The topic could not be saved (the server could not reach its database). Try again.", values };
  }
  await queueTraining([created ?? id]);
  revalidatePath("/topics");
  const notMissing = missing.length ? ` Not in this library (yet), so not added: ${missing.join(", ")}.` : "";
  if (created) {
    if (missing.length) return { notice: `Topic created.${notMissing}` };
    redirect(`/topics?created=${created}`);
  }
  return { notice: `Saved.${notMissing}`, values: { ...values, seeds: "" } };
}

export async function removeTopic(form: FormData): Promise<void> {
  const parsed = topicIdSchema.safeParse(field(form, "id"));
  const user = await getCurrentUser();
  if (!user) redirect("/sign-in?next=/topics");
  if (parsed.success) await deleteTopic(user.id, parsed.data);
  revalidatePath("/topics");
  redirect("/topics");
}

export type LabelResult = { ok: true } | { error: string };

/** Labels a paper for one of the reader's topics: "positive", "negative" (not interested) or null (clear). */
export async function labelTopicPaper(topicId: string, paperId: string, label: "positive" | "negative" | null): Promise<LabelResult> {
  const parsed = labelSchema.safeParse({ topicId, paperId, label });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "That request was not understood." };
  try {
    const user = await getCurrentUser();
    if (!user) return { error: "Sign in to use topics." };
    const result = await labelPaper(user.id, parsed.data.topicId, parsed.data.paperId, parsed.data.label);
    if (result === "no-topic") return { error: "That topic does not exist." };
    if (result === "no-paper") return { error: `arXiv:${parsed.data.paperId} is not in this library.` };
    await queueTraining([parsed.data.topicId]);
  } catch (error) {
    childLogger("topics").error({ err: error }, "labelTopicPaper failed");
    return { error: "That could not be saved (the server could not reach its database). Try again." };
  }
  return { ok: true };
}

/** For the topic page's list of labelled papers: clear a label, then show the page again. */
export async function clearLabel(form: FormData): Promise<void> {
  const topicId = field(form, "topicId");
  await labelTopicPaper(topicId, field(form, "paperId"), null);
  revalidatePath(`/topics/${topicId}`);
}
