// Sends the daily digests of one announced day: for every topic with a digest on, the day's papers of
// the followed categories scoring at least the topic's threshold (the feed's, DEFAULT_FEED_THRESHOLD),
// by e-mail and/or to its webhook. Each (topic, day, channel) is claimed in the database before it is
// sent (lib/queries/digests.ts), so racing workers, retried jobs and restarts send it once. Only the
// latest announced day is sent: a re-crawl of an older day (history) sends nothing.
import { formatListingSpec, parseListingSpec, type ListingSpec } from "../arxiv/categories";
import { publicUrl } from "../env";
import { childLogger } from "../logger";
import {
  claimDelivery,
  finishDelivery,
  latestListingDay,
  listDigestTopics,
  releaseDelivery,
  settledChannels,
  type DeliveryClaim,
  type DeliveryStatus,
  type DigestChannel,
  type DigestTopic,
} from "../queries/digests";
import { getFollowedCategories } from "../queries/settings";
import { listScoredPapersForDay, type ScoredListing } from "../queries/topics";
import { DEFAULT_FEED_THRESHOLD } from "../topics/blend";
import { pct } from "../topics/card-html";
import { buildDigest, DIGEST_MAX_PAPERS, digestEmail, webhookBody } from "./build";
import type { Mailer } from "./mail";
import { unsubscribeUrl } from "./token";
import { describeWebhookError, webhookTarget, type WebhookSender } from "./webhook";

const log = childLogger("digest");

/** A claim older than this is taken to be a dead worker's and may be taken over (see lib/queries/digests.ts). */
export const STALE_CLAIM_MS = 15 * 60_000;

export interface DigestDeps {
  /** Null when SMTP_URL is not set: e-mail digests are off. */
  mailer: Pick<Mailer, "send"> | null;
  webhooks: Pick<WebhookSender, "post">;
  /** The listing the digest is of; default the followed categories. */
  spec?: ListingSpec;
  /** Default DEFAULT_FEED_THRESHOLD. */
  threshold?: number;
  staleClaimMs?: number;
  /** Aborted at shutdown: a send cut short gives its claim back, so the job's next run sends it. */
  shutdown?: AbortSignal;
}

export interface DayOutcome {
  date: string;
  /** Why nothing was looked at (not the latest day). */
  skipped?: string;
  /** Topics whose scores for the day are not final yet: their digests wait. */
  waiting: string[];
  deliveries: { topicId: string; channel: DigestChannel; status: DeliveryStatus | "taken" }[];
}

/**
 * Sends what is due for `date`. Topics whose scores are not final yet (the day's embeddings or the
 * topic's retraining still to come) are left for a later call and listed in `waiting`, unless
 * `sendUnready` (waited long enough: the scores there are, are sent).
 */
export async function sendDigestsForDay(date: string, deps: DigestDeps, options: { sendUnready?: boolean } = {}): Promise<DayOutcome> {
  const spec = deps.spec ?? parseListingSpec((await getFollowedCategories()).join(","));
  const outcome: DayOutcome = { date, waiting: [], deliveries: [] };
  const latest = await latestListingDay(spec);
  if (latest !== date) {
    outcome.skipped = `${date} is not the latest announced day of ${formatListingSpec(spec)} (${latest ?? "none stored"})`;
    return outcome;
  }
  const staleMs = deps.staleClaimMs ?? STALE_CLAIM_MS;
  const threshold = deps.threshold ?? DEFAULT_FEED_THRESHOLD;
  for (const topic of await listDigestTopics(spec, date)) {
    const settled = await settledChannels(topic.id, date, staleMs);
    const channels = channelsOf(topic, deps).filter((c) => !settled.has(c));
    if (!channels.length) continue;
    if (!topic.ready && !options.sendUnready) {
      outcome.waiting.push(topic.id);
      continue;
    }
    const listing = await listScoredPapersForDay(topic.userId, topic.id, spec, date, { min: threshold, limit: DIGEST_MAX_PAPERS });
    for (const channel of channels) {
      const status = await deliver(topic, channel, { date, spec, threshold, listing, staleMs }, deps);
      outcome.deliveries.push({ topicId: topic.id, channel, status });
    }
  }
  return outcome;
}

function channelsOf(topic: DigestTopic, deps: DigestDeps): DigestChannel[] {
  const channels: DigestChannel[] = [];
  if (topic.digestEmail && deps.mailer) channels.push("email");
  if (topic.webhookUrl) channels.push("webhook");
  return channels;
}

async function deliver(
  topic: DigestTopic,
  channel: DigestChannel,
  day: { date: string; spec: ListingSpec; threshold: number; listing: ScoredListing; staleMs: number },
  deps: DigestDeps,
): Promise<DeliveryStatus | "taken"> {
  const target = channel === "email" ? topic.email : webhookTarget(topic.webhookUrl!);
  const claim = await claimDelivery({ topicId: topic.id, date: day.date, channel, target, staleMs: day.staleMs });
  if (!claim) return "taken";
  const { papers, total } = day.listing;
  if (total === 0) {
    await finish(claim, { status: "empty", papers: 0, attempts: 0 }, topic, day.date, channel);
    return "empty";
  }
  const tries = { count: 0 };
  try {
    const digest = buildDigest({
      topic,
      date: day.date,
      threshold: day.threshold,
      total,
      papers,
      baseUrl: publicUrl(),
      listPath: `/list/${formatListingSpec(day.spec)}?date=${day.date}&topic=${topic.id}&min=${pct(day.threshold)}`,
      unsubscribeUrl: unsubscribeUrl(topic.id, channel),
    });
    if (channel === "email") await deps.mailer!.send(topic.email, digestEmail(digest), digest.unsubscribeUrl, tries);
    else await deps.webhooks.post(topic.webhookUrl!, webhookBody(digest, topic.webhookFormat), tries);
  } catch (error) {
    if (deps.shutdown?.aborted || tries.count === 0) {
      // Stopping, or it failed before anything was sent: the claim goes back, the job's next run sends it.
      await releaseDelivery(claim);
      throw error;
    }
    const message = channel === "email" ? (error as Error).message : describeWebhookError(error);
    await finish(claim, { status: "failed", papers: Math.min(total, DIGEST_MAX_PAPERS), attempts: tries.count, error: message }, topic, day.date, channel);
    log.warn({ topicId: topic.id, date: day.date, channel, target, attempts: tries.count, err: message }, "digest not delivered");
    return "failed";
  }
  await finish(claim, { status: "sent", papers: Math.min(total, DIGEST_MAX_PAPERS), attempts: tries.count }, topic, day.date, channel);
  log.info({ topicId: topic.id, date: day.date, channel, papers: total }, "digest sent");
  return "sent";
}

/** Records the outcome; a claim taken over meanwhile (this worker was slow, not dead) is the other worker's to record. */
async function finish(claim: DeliveryClaim, outcome: Parameters<typeof finishDelivery>[1], topic: DigestTopic, date: string, channel: DigestChannel) {
  if (!(await finishDelivery(claim, outcome))) {
    log.warn({ topicId: topic.id, date, channel, status: outcome.status }, "digest claim was taken over by another worker: its outcome is not recorded here");
  }
}
