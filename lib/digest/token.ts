// The unsubscribe link of a digest: a mail client's one-click POST (RFC 8058) and a reader reading
// their mail elsewhere carry no session, so the link itself says what to turn off and proves it came
// from us: `<topic id>.<channel>.<HMAC of both under the app's signing secret>` (lib/signed-token.ts,
// as the topic feed's token): nothing stored, valid as long as the secret.
import { publicUrl } from "../env";
import type { DigestChannel } from "../queries/digests";
import { isSignedToken, signToken } from "../signed-token";

const TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(email|webhook)\.([A-Za-z0-9_-]{43})$/;

const message = (topicId: string, channel: DigestChannel) => `digest-unsubscribe:${topicId}:${channel}`;

export function unsubscribeToken(topicId: string, channel: DigestChannel): string {
  return `${topicId}.${channel}.${signToken(message(topicId, channel))}`;
}

/** The topic and channel a token turns off, or null when it is malformed or not ours. */
export function readUnsubscribeToken(token: string | null | undefined): { topicId: string; channel: DigestChannel } | null {
  const m = token ? TOKEN.exec(token) : null;
  if (!m) return null;
  const [, topicId, channel, given] = m as unknown as [string, string, DigestChannel, string];
  return isSignedToken(message(topicId, channel), given) ? { topicId, channel } : null;
}

/** The absolute unsubscribe address put in digests (GET shows a confirmation, POST unsubscribes). */
export function unsubscribeUrl(topicId: string, channel: DigestChannel): string {
  return `${publicUrl()}/unsubscribe?token=${unsubscribeToken(topicId, channel)}`;
}
