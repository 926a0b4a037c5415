// A topic's RSS feed is read by feed readers, which carry no session: it is authorised by a token in
// its URL, an HMAC of the topic id under the app's signing secret. Unguessable without the secret,
// stable (a subscribed reader keeps working), and nothing to store; changing AUTH_SECRET revokes all.
import { createHmac, timingSafeEqual } from "node:crypto";
import { authSecret } from "../auth";
import { env } from "../env";

export function topicFeedToken(topicId: string): string {
  return createHmac("sha256", authSecret(env())).update(`topic-feed:${topicId}`).digest("base64url");
}

export function isTopicFeedToken(topicId: string, token: string | null): boolean {
  if (!token) return false;
  const expected = Buffer.from(topicFeedToken(topicId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function topicFeedPath(topicId: string): string {
  return `/topics/${topicId}/feed?token=${topicFeedToken(topicId)}`;
}
