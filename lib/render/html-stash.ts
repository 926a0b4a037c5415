// Hands a large HTML string (a page's paper cards) from a server component to the server render of
// a client component, without putting it in the React Server Components payload. Why: a string passed
// as a prop is sent twice, once as the page's HTML and once, escaped, in the payload React reads to
// hydrate (a 25-card listing was 207 KB, 118 KB of it payload). The cards need no hydration (their
// behaviour is attached by delegation, app/components/card-actions.tsx), so the payload carries only
// a key; the HTML render of the same request takes the string by that key (both run in this process).
import { randomUUID } from "node:crypto";
import { STASH_KEY, type HtmlStash } from "./html-stash-key";

/** How long a string waits for its render (a render that never comes: the request was aborted). */
const UNCLAIMED_MS = 15_000;

function stash(): HtmlStash {
  const holder = globalThis as unknown as Record<symbol, HtmlStash | undefined>;
  return (holder[STASH_KEY] ??= new Map());
}

/** Keeps `html` for this request's HTML render and returns its key. */
export function stashHtml(html: string): string {
  const id = randomUUID();
  const entries = stash();
  entries.set(id, html);
  setTimeout(() => entries.delete(id), UNCLAIMED_MS).unref();
  return id;
}
