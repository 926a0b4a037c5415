// How an inbox visit keeps its start across reloads. Every view records its time
// (lib/queries/inbox.ts recordInboxVisit), so a reload would look "since a second ago" and find
// nothing: the first view of a visit hands the browser the start it used (the time of the view
// before, or "first"), in a cookie sent to /inbox only, and views while the cookie lives use that
// start again. The cookie lasts VISIT_SECONDS after the last view (the page refreshes it), names the
// reader (another account in the same browser starts its own visit) and is no secret: it only moves
// the reader's own window. Cookies of other paths never reach the page cache's pages.

/** The cookie's name; its path is /inbox. */
export const VISIT_COOKIE = "inbox-visit";
/** A visit ends this long after the reader's last inbox view. */
export const VISIT_SECONDS = 60 * 60;

/** The cookie's value for the reader and the start their visit uses (null: their first visit). */
export function visitValue(userId: string, since: Date | null): string {
  return `${userId}|${since ? since.toISOString() : "first"}`;
}

const MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The start kept by the cookie for this reader: a time, null (a first visit), or undefined when
 * there is none (no cookie, another reader's, a value this page did not write).
 */
export function readVisit(value: string | undefined, userId: string): Date | null | undefined {
  if (!value || value.length > 200) return undefined;
  const bar = value.lastIndexOf("|");
  if (bar < 0 || value.slice(0, bar) !== userId) return undefined;
  const start = value.slice(bar + 1);
  if (start === "first") return null;
  if (!MOMENT.test(start)) return undefined;
  const at = new Date(start);
  return Number.isNaN(at.getTime()) || at.getTime() > Date.now() + 60_000 ? undefined : at;
}
