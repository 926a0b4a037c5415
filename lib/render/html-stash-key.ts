// The one name under which lib/render/html-stash.ts keeps its strings on globalThis, read by the
// client component app/components/cards-html.tsx during its server render (no Node modules here:
// this file is also bundled for the browser, where the stash is never present).
export const STASH_KEY = Symbol.for("paper-triage.html-stash");
export type HtmlStash = Map<string, string>;

/** The string kept under `id`, taken out (each is rendered once); undefined in the browser. */
export function takeStashedHtml(id: string): string | undefined {
  if (typeof window !== "undefined") return undefined;
  const entries = (globalThis as unknown as Record<symbol, HtmlStash | undefined>)[STASH_KEY];
  const html = entries?.get(id);
  entries?.delete(id);
  return html;
}
