// Links that authorise without a session (a topic's feed, a digest's unsubscribe link) carry an HMAC
// of what they grant under the app's signing secret: unguessable without it, nothing stored, and all
// void once AUTH_SECRET changes. `message` names the purpose as well as the object, so a token made
// for one purpose never passes for another.
import { createHmac, timingSafeEqual } from "node:crypto";
import { authSecret } from "./auth";
import { env } from "./env";

export function signToken(message: string): string {
  return createHmac("sha256", authSecret(env())).update(message).digest("base64url");
}

/** Whether `given` is signToken(message), compared in constant time. */
export function isSignedToken(message: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const expected = Buffer.from(signToken(message));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
