// RSS 2.0 documents for listings and searches, so a reader can follow them in any feed reader.
import { publicUrl } from "./env";
import type { PaperRecord } from "./queries/papers";
import { escapeHtml } from "./render/math";

export type FeedItem = Pick<PaperRecord, "id" | "version" | "title" | "abstract" | "authors" | "categories"> & {
  date: Date | null;
  /** A line put before the abstract (a topic feed: the score and why). */
  note?: string;
};

/** XML text: the same five escapes as HTML, and no control characters (XML 1.0 forbids them). */
function xml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return escapeHtml(text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, ""));
}

/** `self`: the feed's own path when it is not `path` + "/feed" (a topic feed carries its token). */
export function rssDocument(channel: { title: string; path: string; description: string; self?: string }, items: FeedItem[]): string {
  const base = publicUrl();
  const body = items
    .map((item) => {
      const link = `${base}/papers/${item.id}`;
      return [
        "    <item>",
        `      <title>${xml(item.title)}</title>`,
        `      <link>${xml(link)}</link>`,
        `      <guid isPermaLink="false">arXiv:${xml(item.id)}v${item.version}</guid>`,
        `      <description>${xml(item.note ? `${item.note}\n\n${item.abstract}` : item.abstract)}</description>`,
        `      <dc:creator>${xml(item.authors.join(", "))}</dc:creator>`,
        ...item.categories.map((c) => `      <category>${xml(c)}</category>`),
        item.date ? `      <pubDate>${item.date.toUTCString()}</pubDate>` : "",
        "    </item>",
      ]
        .filter(Boolean)
        .join("\n");
    })
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>${xml(channel.title)}</title>
    <link>${xml(`${base}${channel.path}`)}</link>
    <atom:link href="${xml(`${base}${channel.self ?? `${channel.path}/feed`}`)}" rel="self" type="application/rss+xml"/>
    <description>${xml(channel.description)}</description>
${body}
  </channel>
</rss>
`;
}

export function rssResponse(document: string): Response {
  return new Response(document, {
    headers: { "content-type": "application/rss+xml; charset=utf-8", "cache-control": "public, max-age=300" },
  });
}
