// The name every cookie of the auth library starts with (better-auth's `advanced.cookiePrefix`),
// in a module of its own: the web front (lib/page-cache.ts, lib/reader-pages.ts) tells signed-in
// readers by it without loading the auth library.
export const COOKIE_PREFIX = "paper-triage";

/** Whether a cookie (`name=value`) is one of the auth library's. */
export function isSessionCookie(cookie: string): boolean {
  return cookie.startsWith(`${COOKIE_PREFIX}.`);
}
