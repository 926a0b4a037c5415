// A kept page with one reader's parts put in (lib/reader-pages.ts): the compressed page made from
// pieces compressed once is the same page as the uncompressed one; a page filled for nobody is the
// page as rendered; hostile paper text cannot open or close a reader slot.
import { crc32, gunzipSync, gzipSync } from "node:zlib";
import { expect, test } from "vitest";
import { crcCombine, crcShift, pageFor, readerTemplate } from "@/lib/reader-pages";
import { cardsHtml } from "@/lib/render/card-html";
import { slot, topicPickerHtml, userMenuHtml, type ReaderState } from "@/lib/render/reader-html";
import type { PaperRecord } from "@/lib/queries/papers";

const paper = (id: string, title: string, abstract = "An abstract."): PaperRecord => ({
  id,
  version: 1,
  title,
  abstract,
  authors: ["Ada Lovelace"],
  categories: ["cs.DL"],
  primaryCategory: "cs.DL",
  comments: null,
  journalRef: null,
  doi: null,
  publishedAt: new Date("2025-01-02T00:00:00Z"),
  versionAt: null,
});

const hostile = `Evil --> <!--/reader--> <!--reader:menu--> "quotes" & <script>alert(1)</script>`;
const papers = [paper("2501.00001", "First paper"), paper("2501.00002", hostile, hostile), paper("2501.00003", "Third $x^2$ paper")];
const picker = { date: "2025-01-02", type: "all", action: "/list/cs.DL" };
// A page as rendered for nobody: the menu, the picker and the cards, with text around them (and
// a long stretch, so that the deflate pieces hold more than one block).
const anonymous = [
  `<!DOCTYPE html><html><body><header><span class="user-menu">${slot("menu", userMenuHtml(null))}</span></header>`,
  `<div class="reader-slot">${slot("picker", topicPickerHtml(null, { ...picker, topics: [] }), picker)}</div>`,
  `<ol>${cardsHtml(papers, undefined)}</ol>`,
  `<p>${"filler text ".repeat(20_000)}</p></body></html>`,
].join("");

const reader: ReaderState = {
  user: { email: "reader@example.org", role: "user" },
  topics: [{ id: "t1", name: "Digital <libraries>" }],
  starred: new Set(["2501.00002"]),
};

test("the slots are found, hostile text inside a card does not open or close one", () => {
  const template = readerTemplate(Buffer.from(anonymous), false);
  expect(template.slots.map((s) => s.kind)).toEqual(["menu", "picker", "card", "card", "card"]);
  expect(template.paperIds).toEqual(["2501.00001", "2501.00002", "2501.00003"]);
});

test("filled for nobody, the page is the page as rendered", () => {
  expect(pageFor(readerTemplate(Buffer.from(anonymous), false), { user: null, topics: [], starred: new Set() }).toString()).toBe(anonymous);
});

test("a reader's page: their menu, picker, stars and topic menus, the same compressed or not", () => {
  const plain = pageFor(readerTemplate(Buffer.from(anonymous), false), reader).toString();
  const zipped = pageFor(readerTemplate(gzipSync(anonymous), true), reader);
  expect(zipped.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  expect(gunzipSync(zipped).toString()).toBe(plain);
  expect(plain).toContain(`<!--reader:menu--><span class="user-email" title="Signed in as reader@example.org">`);
  expect(plain).toContain(`<option value="t1">Digital &lt;libraries&gt;</option>`);
  expect(plain).toContain(`aria-pressed="false" aria-label="Star First paper"`);
  expect(plain).toContain(`aria-pressed="true" aria-label="Unstar Evil --&gt; &lt;!--/reader--&gt;`);
  // Each card's "Add to topic" menu (its items come from /api/topics in the browser).
  expect(plain.match(/<details class="topic-menu"><summary>Add to topic<\/summary><\/details>/g)).toHaveLength(3);
  expect(plain).not.toContain("<script>alert(1)</script>");
  expect(plain).not.toContain("Sign in to star");
  // Filled again (a page is kept with its slots marked): the same.
  expect(pageFor(readerTemplate(Buffer.from(plain), false), reader).toString()).toBe(plain);
});

test("the page's CRC-32 from its parts' CRCs is the CRC-32 of the whole, at any lengths", () => {
  for (const [a, b] of [[0, 0], [0, 7], [7, 0], [1, 1], [100, 3_000], [70_000, 12_345], [3, 1 << 17]] as const) {
    const left = Buffer.alloc(a, "left half; ");
    const right = Buffer.alloc(b, "and the right one ");
    expect(crcCombine(crc32(left), crc32(right), crcShift(b)), `${a} + ${b} bytes`).toBe(crc32(Buffer.concat([left, right])));
  }
});

test("readers served from one kept page one after another each get their own stars and menus, as from a page of their own", () => {
  // Another reader with a topic (so the same menu as `reader`) and other stars; one with no topic.
  const other: ReaderState = { user: { email: "other@example.org", role: "admin" }, topics: [{ id: "t2", name: "Other" }], starred: new Set(["2501.00001"]) };
  const plain: ReaderState = { user: { email: "plain@example.org", role: "user" }, topics: [], starred: new Set() };
  const nobody: ReaderState = { user: null, topics: [], starred: new Set() };
  for (const gzip of [false, true]) {
    const body = gzip ? gzipSync(anonymous) : Buffer.from(anonymous);
    const shared = readerTemplate(body, gzip);
    const read = (page: Buffer) => (gzip ? gunzipSync(page) : page).toString();
    // Each state twice, interleaved, from the one template: the same as from a template made for it alone.
    for (const state of [reader, other, plain, nobody, other, reader, nobody, plain]) {
      expect(read(pageFor(shared, state))).toBe(read(pageFor(readerTemplate(body, gzip), state)));
    }
    const [mine, theirs, none] = [read(pageFor(shared, reader)), read(pageFor(shared, other)), read(pageFor(shared, plain))];
    expect(mine).toContain(`aria-pressed="false" aria-label="Star First paper"`);
    expect(mine).toContain(`aria-pressed="true" aria-label="Unstar Evil`);
    expect(theirs).toContain(`aria-pressed="true" aria-label="Unstar First paper"`);
    expect(theirs).toContain(`aria-pressed="false" aria-label="Star Evil`);
    expect(theirs).toContain("Add to topic");
    expect(none).not.toContain("Add to topic");
    expect(none).not.toContain("aria-pressed=\"true\"");
    expect(theirs).not.toContain("reader@example.org");
  }
});
