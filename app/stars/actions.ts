"use server";
// Server actions for stars and the labels and note a reader files them with. The reader comes from
// the session cookie only: an action takes a paper id and the wanted state, never a user id, so
// nobody can read or touch another reader's stars.
import { z } from "zod";
import { getCurrentUser } from "@/lib/auth";
import { childLogger } from "@/lib/logger";
import { setStarLabels as storeStarLabels, setStarNote as storeStarNote, starPaper, unstarPaper } from "@/lib/queries/stars";
import { touchStarTrainedTopics } from "@/lib/queries/relevance";
import { isTopicId, labelPaper } from "@/lib/queries/topics";
import { queueTraining } from "@/lib/relevance/queue-training";
import { labelsField, noteField } from "@/lib/star-labels";
import { arxivIdField } from "@/lib/topics/input";

export type ToggleStarResult = { starred: boolean; addedTo?: string } | { error: string };

const input = z.object({
  paperId: arxivIdField,
  starred: z.boolean(),
  topicId: z.string().refine(isTopicId, "That topic does not exist.").optional(),
});

/**
 * Stars (starred = true) or unstars a paper for the signed-in reader; idempotent either way. Starring
 * with `topicId` (a listing ranked by one of the reader's topics) also adds the paper to that topic.
 */
export async function toggleStar(paperId: string, starred: boolean, topicId?: string): Promise<ToggleStarResult> {
  const parsed = input.safeParse({ paperId, starred, topicId });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "That request was not understood." };
  try {
    const user = await getCurrentUser();
    if (!user) return { error: "Sign in to star papers" };
    // Topics that learn from the reader's stars are retrained, with the topic the star added to.
    const retrain = async (extra: string[]) => queueTraining([...extra, ...(await touchStarTrainedTopics(user.id))]);
    if (parsed.data.starred) {
      const found = await starPaper(user.id, parsed.data.paperId);
      if (!found) return { error: `arXiv:${parsed.data.paperId} is not in this library.` };
      if (parsed.data.topicId && (await labelPaper(user.id, parsed.data.topicId, parsed.data.paperId, "positive")) === "ok") {
        await retrain([parsed.data.topicId]);
        return { starred: true, addedTo: parsed.data.topicId };
      }
      await retrain([]);
    } else {
      await unstarPaper(user.id, parsed.data.paperId);
      await retrain([]);
    }
  } catch (error) {
    childLogger("stars").error({ err: error, paperId: parsed.data.paperId }, "toggleStar failed");
    return { error: "The star could not be saved (the server could not reach its database). Try again." };
  }
  // No revalidatePath: that would re-render the page the reader is on, and a listing would lose the
  // papers it loaded while scrolling. The Starred page refreshes itself (CardActions), and every
  // page is rendered per request, so nothing else holds a stale star.
  return { starred: parsed.data.starred };
}

export type StarLabelsResult = { labels: string[] } | { error: string };
export type StarNoteResult = { note: string | null } | { error: string };

const NOT_STARRED = (paperId: string) => `Star arXiv:${paperId} first: labels and notes belong to your stars.`;
const SAVE_FAILED = "That could not be saved (the server could not reach its database). Try again.";

const labelsInput = z.object({ paperId: arxivIdField, labels: labelsField });
const noteInput = z.object({ paperId: arxivIdField, note: noteField });

/**
 * Files the signed-in reader's star on a paper under `labels` (replacing the ones it had): trimmed,
 * spaces collapsed, at most 20 of at most 40 characters, one of each whatever its case, each spelled
 * as the reader already spells it. Only the reader's own star: another reader's is never reached.
 */
export async function setStarLabels(paperId: string, labels: string[]): Promise<StarLabelsResult> {
  const parsed = labelsInput.safeParse({ paperId, labels });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "That request was not understood." };
  try {
    const user = await getCurrentUser();
    if (!user) return { error: "Sign in to label your stars." };
    const stored = await storeStarLabels(user.id, parsed.data.paperId, parsed.data.labels);
    return stored ? { labels: stored } : { error: NOT_STARRED(parsed.data.paperId) };
  } catch (error) {
    childLogger("stars").error({ err: error, paperId: parsed.data.paperId }, "setStarLabels failed");
    return { error: SAVE_FAILED };
  }
}

/** Sets the private note on the signed-in reader's star (at most 4,000 characters; empty clears it). */
export async function setStarNote(paperId: string, note: string): Promise<StarNoteResult> {
  const parsed = noteInput.safeParse({ paperId, note });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "That request was not understood." };
  try {
    const user = await getCurrentUser();
    if (!user) return { error: "Sign in to write notes on your stars." };
    const saved = await storeStarNote(user.id, parsed.data.paperId, parsed.data.note);
    return saved ? { note: parsed.data.note } : { error: NOT_STARRED(parsed.data.paperId) };
  } catch (error) {
    childLogger("stars").error({ err: error, paperId: parsed.data.paperId }, "setStarNote failed");
    return { error: SAVE_FAILED };
  }
}
