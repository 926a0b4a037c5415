// Daily digests' storage: which topics want one and whether a day can be scored for them yet, the
// delivery rows that make sending idempotent (claimed before sending, one per topic, day and channel),
// the reader's digest settings (and how often a link confirming their address may be mailed), and
// the signed unsubscribe links' effect.
//
// A delivery row is claimed with one INSERT … ON CONFLICT: the first worker inserts it as `sending`;
// a second one (a racing worker, a retried or re-run job) finds it and sends nothing. A worker killed
// mid-send leaves its row `sending`: such a claim older than `staleMs` (created_at is the time the
// current claim was taken) may be taken over by the next run of the day's job, so a crash costs at
// worst one late (and, if the crash came after the server accepted it, one repeated) digest, never a
// lost one. The claim time fences the claims: a worker finishes or gives back a row only while it
// still carries its own claim time, so one that was slow, not dead, cannot touch the claim that took
// its row over. Rows that are `sent`, `failed` or `empty` are final.
import { randomUUID } from "node:crypto";
import type { ListingSpec } from "../arxiv/categories";
import { db } from "../db";
import type { DeliveryStatus, DigestChannel, WebhookFormat } from "../generated/prisma/client";
import { FEATURE_VERSION } from "../relevance/features";
import { listingDays, params as listingParams } from "./listings";
import { isTopicId } from "./topics";

export type { DeliveryStatus, DigestChannel, WebhookFormat };

/** The newest day with listings in the spec's categories (read now: the worker must see the day it just stored). */
export async function latestListingDay(spec: ListingSpec): Promise<string | null> {
  return (await listingDays(spec, 1, { fresh: true }))[0] ?? null;
}

/** A topic with a digest turned on, and whether `date` can be scored for it yet. */
export interface DigestTopic {
  id: string;
  userId: string;
  name: string;
  /** The owner's address (e-mail digests go there). */
  email: string;
  /** The e-mail digest is on and the address is confirmed. */
  digestEmail: boolean;
  webhookUrl: string | null;
  webhookFormat: WebhookFormat;
  /**
   * The day's scores are final: every paper of the day has its term vector and (when the topic's model
   * uses embeddings) its embedding, and the topic's model was trained after the day's papers arrived
   * for its current labels, or its last training ended without a model (keyword scores, nothing to wait for).
   */
  ready: boolean;
}

/**
 * Every topic of an active account with a digest channel on, with its readiness for the listing of
 * `date` (the spec's categories, less its excluded ones: the papers the digest is chosen from): one
 * statement. The e-mail digest counts as on only for a confirmed address (users.email_verified): an
 * address anyone can type in at sign-up is not mailed.
 */
export async function listDigestTopics(spec: ListingSpec, date: string): Promise<DigestTopic[]> {
  const listing = listingParams(spec, date);
  const rows = await db().$queryRawUnsafe<
    { id: string; user_id: string; name: string; email: string; digest_email: boolean; webhook_url: string | null; webhook_format: WebhookFormat; ready: boolean }[]
  >(
    `${listing.sql},
     day_features AS (
       SELECT max(f.created_at) AS stored_at,
              count(*) FILTER (WHERE f.paper_id IS NULL OR f.feature_version <> $4) AS missing
       FROM kept LEFT JOIN paper_features f ON f.paper_id = kept.paper_id
     )
     SELECT t.id::text, t.user_id, t.name, u.email, (t.digest_email AND u.email_verified) AS digest_email,
       t.webhook_url, t.webhook_format::text AS webhook_format,
       (df.missing = 0 AND (
          t.train_note IS NOT NULL
          OR (m.labels_at >= t.labels_changed_at AND m.feature_version = $4 AND m.trained_at >= coalesce(df.stored_at, m.trained_at)
              AND (m.embedding_model IS NULL OR NOT EXISTS (
                SELECT 1 FROM kept WHERE NOT EXISTS (
                  SELECT 1 FROM paper_embeddings e WHERE e.paper_id = kept.paper_id AND e.model = m.embedding_model)))))
       ) IS TRUE AS ready
     FROM topics t
     JOIN users u ON u.id = t.user_id
     LEFT JOIN topic_models m ON m.topic_id = t.id
     CROSS JOIN day_features df
     WHERE ((t.digest_email AND u.email_verified) OR t.webhook_url IS NOT NULL) AND NOT u.banned
     ORDER BY t.id`,
    ...listing.args,
    FEATURE_VERSION,
  );
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    name: r.name,
    email: r.email,
    digestEmail: r.digest_email,
    webhookUrl: r.webhook_url,
    webhookFormat: r.webhook_format,
    ready: r.ready,
  }));
}

/** The channels of a topic's digest of `date` that are done or being sent now (by a claim younger than `staleMs`). */
export async function settledChannels(topicId: string, date: string, staleMs: number): Promise<Set<DigestChannel>> {
  const rows = await db().$queryRawUnsafe<{ channel: DigestChannel }[]>(
    `SELECT channel::text AS channel FROM digest_deliveries
     WHERE topic_id = $1::uuid AND date = $2::date
       AND (status <> 'sending' OR created_at >= timezone('UTC', now()) - make_interval(secs => $3))`,
    topicId,
    date,
    staleMs / 1000,
  );
  return new Set(rows.map((r) => r.channel));
}

/**
 * A claim on one delivery: the row and the claim's own time. A stale claim taken over keeps its row
 * but gets a new `created_at`, so the worker it was taken from (slow, not dead) finds its claim gone
 * and can neither finish nor give back the new one (the fence in finishDelivery and releaseDelivery).
 */
export interface DeliveryClaim {
  id: string;
  /** `created_at` when claimed, as the database wrote it (timestamp(3) text: compared exactly). */
  claimedAt: string;
}

/**
 * Claims the digest of `topicId` for `date` on `channel`: the claim when this caller is to send it,
 * null when another has it (sent, failed, empty, or being sent under a claim younger than `staleMs`).
 * Atomic: of callers racing for one delivery, exactly one gets it.
 */
export async function claimDelivery(claim: { topicId: string; date: string; channel: DigestChannel; target: string; staleMs: number }): Promise<DeliveryClaim | null> {
  const rows = await db().$queryRawUnsafe<{ id: string; claimed_at: string }[]>(
    `INSERT INTO digest_deliveries (id, topic_id, date, channel, status, target, created_at)
     VALUES (gen_random_uuid(), $1::uuid, $2::date, $3::digest_channel, 'sending', $4, timezone('UTC', now()))
     ON CONFLICT (topic_id, date, channel) DO UPDATE
       SET status = 'sending', target = EXCLUDED.target, error = NULL,
           -- A new claim time, never the old one's, even within one millisecond: it is the fence.
           created_at = greatest(EXCLUDED.created_at, digest_deliveries.created_at + interval '1 millisecond')
       WHERE digest_deliveries.status = 'sending'
         AND digest_deliveries.created_at < timezone('UTC', now()) - make_interval(secs => $5)
     RETURNING id::text, created_at::text AS claimed_at`,
    claim.topicId,
    claim.date,
    claim.channel,
    claim.target,
    claim.staleMs / 1000,
  );
  const row = rows[0];
  return row ? { id: row.id, claimedAt: row.claimed_at } : null;
}

/** Records how a claimed delivery ended, while the claim is still this caller's (not taken over). */
export async function finishDelivery(
  claim: DeliveryClaim,
  outcome: { status: Exclude<DeliveryStatus, "sending">; papers: number; attempts: number; error?: string | null },
): Promise<boolean> {
  const count = await db().$executeRawUnsafe(
    `UPDATE digest_deliveries
     SET status = $3::delivery_status, papers = $4, attempts = attempts + $5, error = $6,
         sent_at = CASE WHEN $3 = 'sent' THEN timezone('UTC', now()) END
     WHERE id = $1::uuid AND status = 'sending' AND created_at = $2::timestamp`,
    claim.id,
    claim.claimedAt,
    outcome.status,
    outcome.papers,
    outcome.attempts,
    outcome.error ? outcome.error.slice(0, 1_000) : null,
  );
  return count > 0;
}

/** Gives a claim back (the job failed before sending: its retry claims it again at once); not one taken over. */
export async function releaseDelivery(claim: DeliveryClaim): Promise<boolean> {
  const count = await db().$executeRawUnsafe(
    `DELETE FROM digest_deliveries WHERE id = $1::uuid AND status = 'sending' AND created_at = $2::timestamp`,
    claim.id,
    claim.claimedAt,
  );
  return count > 0;
}

export interface DeliveryRow {
  date: string;
  channel: DigestChannel;
  status: DeliveryStatus;
  papers: number;
  attempts: number;
  error: string | null;
  target: string | null;
  sentAt: Date | null;
}

/** The reader's topic's latest deliveries, newest day first (none for another reader's topic). */
export async function listDeliveries(userId: string, topicId: string, limit = 10): Promise<DeliveryRow[]> {
  if (!isTopicId(topicId)) return [];
  return db().$queryRawUnsafe<DeliveryRow[]>(
    `SELECT to_char(d.date, 'YYYY-MM-DD') AS date, d.channel::text AS channel, d.status::text AS status, d.papers, d.attempts,
            d.error, d.target, d.sent_at AS "sentAt"
     FROM digest_deliveries d JOIN topics t ON t.id = d.topic_id
     WHERE d.topic_id = $1::uuid AND t.user_id = $2
     ORDER BY d.date DESC, d.channel LIMIT $3`,
    topicId,
    userId,
    limit,
  );
}

export interface DigestSettings {
  digestEmail: boolean;
  webhookUrl: string | null;
  webhookFormat: WebhookFormat;
}

/** The reader's topic's digest settings and whether the reader's address is confirmed, or null (not theirs, or no such topic). */
export async function getDigestSettings(userId: string, topicId: string): Promise<(DigestSettings & { emailVerified: boolean }) | null> {
  if (!isTopicId(topicId)) return null;
  const topic = await db().topic.findFirst({
    where: { id: topicId, userId },
    select: { digestEmail: true, webhookUrl: true, webhookFormat: true, user: { select: { emailVerified: true } } },
  });
  if (!topic) return null;
  const { user, ...settings } = topic;
  return { ...settings, emailVerified: user.emailVerified };
}

const confirmationKey = (userId: string) => `digest-address-confirmation:${userId}`;

/**
 * Whether a link confirming the reader's address may be mailed now: at most one per `intervalMs`, so
 * Save cannot be used to flood an address (which may not be the reader's). Noted in better-auth's
 * `verifications` table (a row per reader, replaced each time), under a lock so two Saves at once send one.
 */
export async function takeConfirmationTurn(userId: string, intervalMs: number): Promise<boolean> {
  const identifier = confirmationKey(userId);
  return db().$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, identifier);
    const recent = await tx.verification.findFirst({ where: { identifier, expiresAt: { gt: new Date() } }, select: { id: true } });
    if (recent) return false;
    await tx.verification.deleteMany({ where: { identifier } });
    await tx.verification.create({ data: { id: randomUUID(), identifier, value: "sent", expiresAt: new Date(Date.now() + intervalMs) } });
    return true;
  });
}

/** Gives the turn back (the mail could not be sent: the next Save may try at once). */
export async function returnConfirmationTurn(userId: string): Promise<void> {
  await db().verification.deleteMany({ where: { identifier: confirmationKey(userId) } });
}

/** Saves the reader's topic's digest settings; false when it is not theirs. */
export async function setDigestSettings(userId: string, topicId: string, settings: DigestSettings): Promise<boolean> {
  if (!isTopicId(topicId)) return false;
  const { count } = await db().topic.updateMany({ where: { id: topicId, userId }, data: settings });
  return count > 0;
}

/** What an unsubscribe link shows: the topic's name and whether the channel is still on. */
export async function digestSubscription(topicId: string, channel: DigestChannel): Promise<{ name: string; on: boolean } | null> {
  if (!isTopicId(topicId)) return null;
  const topic = await db().topic.findUnique({ where: { id: topicId }, select: { name: true, digestEmail: true, webhookUrl: true } });
  if (!topic) return null;
  return { name: topic.name, on: channel === "email" ? topic.digestEmail : topic.webhookUrl !== null };
}

/** Turns a topic's digest off on one channel (the webhook's address is forgotten); null when there is no such topic. */
export async function unsubscribeDigest(topicId: string, channel: DigestChannel): Promise<{ name: string } | null> {
  if (!isTopicId(topicId)) return null;
  const data = channel === "email" ? { digestEmail: false } : { webhookUrl: null };
  const rows = await db().topic.updateManyAndReturn({ where: { id: topicId }, data, select: { name: true } });
  return rows[0] ?? null;
}
