// A topic's RSS feed is read by feed readers, which carry no session: it is authorised by a token in
// its URL, an HMAC of the topic id under the app's signing secret. Unguessable without the secret,
// stable (a subscribed reader keeps working), and nothing to store; changing AUTH_SECRET revokes all.
import { isSignedToken, signToken } from "../signed-token";

export function topicFeedToken(topicId: string): string {
  return signToken(`topic-feed:${topicId}`);
}

export function isTopicFeedToken(topicId: string, token: string | null): boolean {
  return isSignedToken(`topic-feed:${topicId}`, token);
}

export function topicFeedPath(topicId: string): string {
  return `/topics/${topicId}/feed?token=${topicFeedToken(topicId)}`;
}
