// The counts of readers on a card: only the parts that are not 0, nothing for a paper nobody
// touched, a few dozen bytes at most (a 25-card page stays small), outside the reader's slot (the
// counts are the same for everyone), and the rest of the card as before.
import { expect, test } from "vitest";
import { SLOT_PATTERN } from "@/lib/render/reader-slot";
import { cardsHtml, popularityHtml } from "@/lib/render/card-html";
import { readQuery, listingCardsQuery, listingQuery, pageAddressProblem } from "@/lib/query-params";

const paper = (id: string) => ({
  id,
  version: 1,
  title: `Paper ${id}`,
  abstract: "An abstract.",
  authors: ["Ada Lovelace"],
  categories: ["cs.CL"],
  primaryCategory: "cs.CL",
  publishedAt: null,
  versionAt: null,
  comments: null,
  journalRef: null,
  doi: null,
});

test("counts: the parts that are not 0, in words", () => {
  expect(popularityHtml(null)).toBe("");
  expect(popularityHtml(undefined)).toBe("");
  expect(popularityHtml({ stars: 1, faqs: 0, opens: 0, readers: 1 })).toBe('<span class="pop">★ 1</span>');
  expect(popularityHtml({ stars: 0, faqs: 1, opens: 1, readers: 1 })).toBe('<span class="pop">1 FAQ request · 1 open</span>');
  const big = popularityHtml({ stars: 12, faqs: 3, opens: 140, readers: 150 });
  expect(big).toBe('<span class="pop">★ 12 · 3 FAQ requests · 140 opens</span>');
  expect(Buffer.byteLength(big)).toBeLessThanOrEqual(64);
});

test("a card with counts ends its links with them, outside the reader's slot; one without is as before", () => {
  const [a, b] = [paper("2501.00001"), paper("2501.00002")];
  const html = cardsHtml([{ ...a, popularity: { stars: 2, faqs: 0, opens: 3, readers: 4 } }, { ...b, popularity: null }], undefined);
  const cards = html.split("</li>");
  expect(cards[0]).toContain('<span class="pop">★ 2 · 3 opens</span></div></article>');
  expect(cards[1]).not.toContain('class="pop"');
  expect(cards[1]).toMatch(/<\/div><\/article>$/);
  for (const m of html.matchAll(SLOT_PATTERN)) expect(m[3]).not.toContain("pop");
  // The same card without counts: only the counts differ (the kept halves are shared).
  expect(cardsHtml([a], undefined)).toBe(cards[0]!.replace('<span class="pop">★ 2 · 3 opens</span>', "") + "</li>");
});

test("sort: arxiv or popular on the listing and its cards; anything else refused with words", () => {
  expect(readQuery(listingQuery, new URLSearchParams("sort=popular"))).toEqual({ ok: true, data: { sort: "popular" } });
  expect(readQuery(listingCardsQuery, new URLSearchParams("date=2025-04-28&sort=arxiv"))).toMatchObject({ ok: true, data: { sort: "arxiv" } });
  expect(readQuery(listingQuery, new URLSearchParams("sort=best"))).toEqual({
    ok: false,
    problem: { param: "sort", message: '"best" is not one of arxiv, popular.' },
  });
  expect(pageAddressProblem("/list/cs.CL", new URLSearchParams("sort=<script>"))).toEqual({ param: "sort", message: '"<script>" is not one of arxiv, popular.' });
});
