"use server";
// The topic page's "Daily digest" form: e-mail on or off, a webhook address and its format. Validated
// with zod; the webhook address must be http(s) and (unless WEBHOOK_ALLOW_PRIVATE) resolve to public
// addresses only (lib/digest/ssrf.ts; checked again when each digest is sent). The reader comes from
// the session; another reader's topic is "does not exist". E-mail digests go to confirmed addresses
// only: ticking the box with an address not confirmed yet mails the reader a link to confirm it.
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { getAuth, getCurrentUser, type CurrentUser } from "@/lib/auth";
import { checkWebhookUrl, WebhookAddressError, WEBHOOK_URL_MAX } from "@/lib/digest/ssrf";
import { env } from "@/lib/env";
import { childLogger } from "@/lib/logger";
import { getDigestSettings, returnConfirmationTurn, setDigestSettings, takeConfirmationTurn } from "@/lib/queries/digests";
import { topicIdSchema } from "@/lib/topics/input";

export type DigestFormState = { error?: string; notice?: string; values?: { digestEmail: boolean; webhookUrl: string; webhookFormat: string } };

const digestFormSchema = z.object({
  topicId: topicIdSchema,
  /** A checkbox: "on" when ticked, absent otherwise. */
  digestEmail: z.string().max(10).optional().transform((v) => v === "on"),
  webhookUrl: z.string().trim().max(WEBHOOK_URL_MAX, `A webhook address has at most ${WEBHOOK_URL_MAX} characters.`),
  webhookFormat: z.enum(["json", "slack", "discord"], { error: "Pick a format: JSON, Slack or Discord." }),
});

const field = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : undefined;
};

export async function saveDigest(_previous: DigestFormState, form: FormData): Promise<DigestFormState> {
  const raw = {
    topicId: field(form, "topicId") ?? "",
    digestEmail: field(form, "digestEmail"),
    webhookUrl: field(form, "webhookUrl") ?? "",
    webhookFormat: field(form, "webhookFormat") ?? "json",
  };
  const values = { digestEmail: raw.digestEmail === "on", webhookUrl: raw.webhookUrl, webhookFormat: raw.webhookFormat };
  const parsed = digestFormSchema.safeParse(raw);
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "That form was not understood.", values };
  const user = await getCurrentUser();
  if (!user) return { error: "Sign in to change digests.", values };
  const { topicId, webhookUrl, webhookFormat } = parsed.data;
  let confirm = false;
  try {
    const current = await getDigestSettings(user.id, topicId);
    if (!current) return { error: "That topic does not exist.", values };
    if (webhookUrl) await checkWebhookUrl(webhookUrl, { allowPrivate: env().WEBHOOK_ALLOW_PRIVATE });
    // Without SMTP the box is not offered (nor sent): the reader's choice is kept for when it is.
    const digestEmail = env().SMTP_URL ? parsed.data.digestEmail : current.digestEmail;
    await setDigestSettings(user.id, topicId, { digestEmail, webhookUrl: webhookUrl || null, webhookFormat });
    confirm = Boolean(env().SMTP_URL) && digestEmail && !current.emailVerified;
  } catch (error) {
    if (error instanceof WebhookAddressError) return { error: error.message, values };
    childLogger("topics").error({ err: error }, "saveDigest failed");
    return { error: "The digest settings could not be saved (the server could not reach its database). Try again.", values };
  }
  revalidatePath(`/topics/${topicId}`);
  if (confirm) return { ...(await askToConfirm(user, topicId)), values };
  return { notice: "Saved.", values };
}

/** Between two confirmation links to one reader (each Save with the box ticked asks for one). */
const CONFIRMATION_INTERVAL_MS = 10 * 60_000;

/**
 * The e-mail digest waits for the reader's address to be confirmed: mails the link (better-auth's
 * email verification through SMTP_URL, lib/auth.ts), at most once per CONFIRMATION_INTERVAL_MS.
 */
async function askToConfirm(user: CurrentUser, topicId: string): Promise<Pick<DigestFormState, "error" | "notice">> {
  const waiting = "the digest starts once it is confirmed";
  let turn = false;
  try {
    turn = await takeConfirmationTurn(user.id, CONFIRMATION_INTERVAL_MS);
    if (!turn) {
      return { notice: `Saved. A link to confirm ${user.email} was sent less than ${CONFIRMATION_INTERVAL_MS / 60_000} minutes ago: check your inbox (and spam folder); ${waiting}.` };
    }
    await getAuth().api.sendVerificationEmail({ body: { email: user.email, callbackURL: `/topics/${topicId}` }, headers: await headers() });
  } catch (error) {
    if (turn) await returnConfirmationTurn(user.id).catch(() => undefined);
    childLogger("topics").error({ err: error, userId: user.id }, "address confirmation not sent");
    return { error: `Saved, but the e-mail confirming ${user.email} could not be sent (the mail server did not take it). Save again in a few minutes to try again.` };
  }
  return { notice: `Saved. Check your inbox at ${user.email} to confirm your address; ${waiting}.` };
}
