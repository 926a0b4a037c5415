// The unsubscribe link of a digest: a mail client's one-click POST (RFC 8058) and a reader reading
// their mail elsewhere carry no session, so the link itself says what to turn off and proves it came
// from us: `<topic id>.<channel>.<HMAC of both under the app's signing secret>`. Like the topic feed's
// token (lib/topics/feed-token.ts): nothing stored, unguessable without the secret, valid as long as
// the secret (changing AUTH_SECRET voids every link sent before).
import { createHmac, timingSafeEqual } from "node:crypto";
import { authSecret } from "../auth";
import { env, publicUrl } from "../env";
import type { DigestChannel } from "../queries/digests";

const CHANNELS: readonly DigestChannel[] = ["email", "webhook"];
const TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(email|webhook)\.([A-Za-z0-9_-]{43})$/;

const mac = (topicId: string, channel: DigestChannel) =>
  createHmac("sha256", authSecret(env())).update(`digest-unsubscribe:${topicId}:${channel}`).digest("base64url");

export function unsubscribeToken(topicId: string, channel: DigestChannel): string {
  return `${topicId}.${channel}.${mac(topicId, channel)}`;
}

/** The topic and channel a token turns off, or null when it is malformed or not ours. */
export function readUnsubscribeToken(token: string | null | undefined): { topicId: string; channel: DigestChannel } | null {
  const m = token ? TOKEN.exec(token) : null;
  if (!m) return null;
  const [, topicId, channel, given] = m as unknown as [string, string, DigestChannel, string];
  if (!CHANNELS.includes(channel)) return null;
  const expected = Buffer.from(mac(topicId, channel));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? { topicId, channel } : null;
}

/** The absolute unsubscribe address put in digests (GET shows a confirmation, POST unsubscribes). */
export function unsubscribeUrl(topicId: string, channel: DigestChannel): string {
  return `${publicUrl()}/unsubscribe?token=${unsubscribeToken(topicId, channel)}`;
}
