// When digests are queued: after a crawl stored papers (workers/crawl.ts), for the latest announced
// day of the followed categories. One job per day at a time (deduplicated by the day, lib/queue.ts),
// however many crawls, retries and workers ask; it waits for that day's scores itself (workers/digest.ts).
import { parseListingSpec } from "../arxiv/categories";
import { latestListingDay } from "../queries/digests";
import { getFollowedCategories } from "../queries/settings";
import { enqueueDigest, type QueueConnection } from "../queue";

export async function enqueueLatestDigest(connection: QueueConnection): Promise<string | null> {
  const day = await latestListingDay(parseListingSpec((await getFollowedCategories()).join(",")));
  if (day) await enqueueDigest(connection, day);
  return day;
}
