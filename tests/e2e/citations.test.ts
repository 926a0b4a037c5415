// Citation managers and the reader's own lists, against the real app: a paper page's citation_* meta
// tags read with a real HTML parser (htmlparser2) as Zotero's connector and Google Scholar read them,
// hostile title and authors included; one paper's RIS; then in Chromium, labels and a note put on
// stars from the Starred page, the page filtered by label, and the BibTeX / RIS / CSV exports (all,
// and one label's) holding them. One server for the file.
import { randomBytes } from "node:crypto";
import { Parser } from "htmlparser2";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createAccount, hasChromium, launchBrowser } from "../helpers/browser";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";

const tag = randomBytes(3).toString("hex");
const day = randomDay();
const HOSTILE_TITLE = `Quotes " and ' and <script>alert(1)</script> <img src=x onerror="alert(2)"> in a title (${tag})`;
const HOSTILE_AUTHOR = `Eve "<script>alert(3)</script>" Mallory`;
const hostile = { id: randomPaperId(), title: HOSTILE_TITLE, authors: ["Ada Lovelace", HOSTILE_AUTHOR, "Ludwig van Beethoven"] };
const plain = { id: randomPaperId(), title: `Sparse attention for long documents (${tag})` };
const third = { id: randomPaperId(), title: `Tokenizers and their discontents (${tag})` };

let web: WebServer;
let browser: Browser | undefined;

beforeAll(async () => {
  await seedListing(
    [
      entry({ id: hostile.id, title: hostile.title, authors: hostile.authors, journalRef: "J. Hostile Res. 1 (2025) 1", publishedAt: new Date("2025-03-04T18:00:00Z") }),
      entry({ id: plain.id, title: plain.title, authors: ["Grace Hopper"] }),
      entry({ id: third.id, title: third.title }),
    ],
    ["cs.CL"],
    day,
  );
  web = await startWeb();
  if (hasChromium) browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
});

interface Parsed {
  /** Named meta tags inside <head> (where readers that run no script look). */
  meta: { name: string; content: string }[];
  /** Elements a browser would run or load: scripts with their text, images with their src. */
  scripts: string[];
  images: string[];
}

/** The page as an HTML parser sees it (attribute values decoded, as a browser decodes them). */
function parse(html: string): Parsed {
  const out: Parsed = { meta: [], scripts: [], images: [] };
  let inScript = false;
  let inHead = false;
  const parser = new Parser({
    onopentag(name, attrs) {
      if (name === "head") inHead = true;
      if (name === "meta" && inHead && attrs.name !== undefined) out.meta.push({ name: attrs.name, content: attrs.content ?? "" });
      if (name === "img") out.images.push(attrs.src ?? "");
      if (name === "script") {
        inScript = true;
        out.scripts.push("");
      }
    },
    ontext(text) {
      if (inScript) out.scripts[out.scripts.length - 1] += text;
    },
    onclosetag(name) {
      if (name === "script") inScript = false;
      if (name === "head") inHead = false;
    },
  });
  parser.write(html);
  parser.end();
  return out;
}

const CHROME_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const metaValues = (parsed: Parsed, name: string) => parsed.meta.filter((m) => m.name === name).map((m) => m.content);

test("a paper page carries citation_* meta tags for Zotero and Scholar, hostile text kept as text", async () => {
  // As a browser asks for it (Next.js decides by the user agent whether metadata may stream after <head>).
  const response = await fetch(`${web.url}/papers/${hostile.id}`, { headers: { "user-agent": CHROME_UA } });
  expect(response.status).toBe(200);
  const parsed = parse(await response.text());
  expect(metaValues(parsed, "citation_title")).toEqual([HOSTILE_TITLE]);
  expect(metaValues(parsed, "citation_author")).toEqual(hostile.authors);
  expect(metaValues(parsed, "citation_date")).toEqual(["2025/03/04"]);
  expect(metaValues(parsed, "citation_arxiv_id")).toEqual([hostile.id]);
  expect(metaValues(parsed, "citation_pdf_url")).toEqual([`https://arxiv.org/pdf/${hostile.id}`]);
  expect(metaValues(parsed, "citation_abstract_html_url")).toEqual([`${web.url}/papers/${hostile.id}`]);
  // The hostile markup made no element: no script holding only its code, no image from its src.
  expect(parsed.scripts.filter((s) => /^\s*alert\(\d\)\s*$/.test(s))).toEqual([]);
  expect(parsed.images).not.toContain("x");

  // One paper's RIS file: the same paper, the same date.
  const ris = await fetch(`${web.url}/api/cite?id=${hostile.id}&format=ris`);
  expect(ris.status).toBe(200);
  expect(ris.headers.get("content-type")).toBe("application/x-research-info-systems; charset=utf-8");
  expect(ris.headers.get("content-disposition")).toBe(`attachment; filename="arXiv-${hostile.id}.ris"`);
  const record = await ris.text();
  expect(record.startsWith("TY  - JOUR\r\n")).toBe(true);
  expect(record.endsWith("ER  - \r\n")).toBe(true);
  expect(record).toContain(`\r\nTI  - ${HOSTILE_TITLE}\r\n`);
  expect(record).toContain(`\r\nAU  - Lovelace, Ada\r\nAU  - Mallory, Eve "<script>alert(3)</script>"\r\nAU  - van Beethoven, Ludwig\r\n`);
  expect(record).toContain("\r\nT2  - J. Hostile Res. 1 (2025) 1\r\n");
  expect(record).toContain("\r\nPY  - 2025\r\nDA  - 2025/03/04\r\n");

  // A format the endpoint does not know is answered in words, not with a 500.
  expect((await fetch(`${web.url}/api/cite?id=${hostile.id}&format=endnote`)).status).toBe(400);
});

test.skipIf(!hasChromium)("labels and a note from the Starred page, the label filter, and exports that keep them", { timeout: 120_000 }, async () => {
  const context = await browser!.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await createAccount(page, web.url, `cite-${tag}@example.org`, "a long enough password");

  // Star the three papers on their listing.
  await page.goto(`${web.url}/list/cs.CL?date=${day}`);
  for (const p of [hostile, plain, third]) {
    await page.getByRole("button", { name: `Star ${p.title}`, exact: true }).click();
    await page.getByRole("button", { name: `Unstar ${p.title}`, exact: true }).waitFor();
  }
  await page.waitForFunction(() => !document.querySelector(".star-button[data-pending]"));

  // ── labels and a note on the first paper: Enter adds, "Add" adds, commas split ──
  await page.goto(`${web.url}/starred`);
  await page.getByRole("button", { name: `Add labels or a note for ${plain.title}` }).click();
  const form = page.getByRole("form", { name: `Labels and note for ${plain.title}` });
  const input = form.getByRole("combobox", { name: "New label" });
  await input.fill("to read");
  await input.press("Enter");
  await input.fill("  cite   in thesis ,  TO READ");
  await form.getByRole("button", { name: "Add", exact: true }).click();
  await expect(form.locator(".label-chip").allTextContents()).resolves.toEqual(["to read×", "cite in thesis×"]);
  // A label too long is refused with the rule, before anything is sent.
  await input.fill("x".repeat(41));
  await input.press("Enter");
  await expect(form.getByRole("alert").innerText()).resolves.toContain("a label has at most 40");
  await input.fill("");
  await form.getByRole("textbox", { name: "Private note" }).fill("Compare with §3.\nThe \"baseline\" <b>is weak</b>.");
  await form.getByRole("button", { name: "Save" }).click();
  await form.waitFor({ state: "detached" });
  const item = page.locator("li.starred-item", { has: page.locator(`[data-paper-id="${plain.id}"]`) });
  await expect(item.locator(".label-chips a").allInnerTexts()).resolves.toEqual(["to read", "cite in thesis"]);
  await expect(item.locator(".star-note").innerText()).resolves.toContain('The "baseline" <b>is weak</b>.');

  // ── the second paper: the existing label offered, another spelling joins it; a label is removed again ──
  await page.getByRole("button", { name: `Add labels or a note for ${HOSTILE_TITLE}` }).click();
  const second = page.getByRole("form", { name: `Labels and note for ${HOSTILE_TITLE}` });
  // The page refreshes after a save: the reader's labels are offered from then on.
  await expect.poll(() => page.locator("#star-label-options option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(["cite in thesis", "to read"]);
  const secondInput = second.getByRole("combobox", { name: "New label" });
  await secondInput.fill("To Read");
  await secondInput.press("Enter");
  await secondInput.fill("drop me");
  await secondInput.press("Enter");
  await second.getByRole("button", { name: "Remove label drop me" }).click();
  await second.getByRole("button", { name: "Save" }).click();
  await second.waitFor({ state: "detached" });
  // The server spelled it as the reader already does.
  await page.reload();
  const hostileItem = page.locator("li.starred-item", { has: page.locator(`[data-paper-id="${hostile.id}"]`) });
  await expect(hostileItem.locator(".label-chips a").allInnerTexts()).resolves.toEqual(["to read"]);

  // ── the label list with counts, and the filter ──
  const labels = page.getByRole("navigation", { name: "Your labels" });
  await expect(labels.getByRole("link").allTextContents()).resolves.toEqual(["All 3", "to read 2", "cite in thesis 1"]);
  await labels.getByRole("link", { name: "cite in thesis 1" }).click();
  await page.waitForURL(`${web.url}/starred?label=cite%20in%20thesis`);
  await expect(page.locator("article[data-paper-id]").evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.paperId))).resolves.toEqual([plain.id]);
  await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Starred papers labelled “cite in thesis”");
  await page.goto(`${web.url}/starred?label=TO%20READ`);
  await expect(page.locator("article[data-paper-id]").evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.paperId).sort())).resolves.toEqual(
    [plain.id, hostile.id].sort(),
  );
  // A label the reader does not have: an empty list that says so, not an error.
  const unknown = await page.goto(`${web.url}/starred?label=${encodeURIComponent("<script>alert(9)</script>")}`);
  expect(unknown!.status()).toBe(200);
  await page.getByText("None of your stars is labelled “<script>alert(9)</script>”.").waitFor();

  // ── exports: links for all and for the label shown; labels and notes in each format ──
  await page.goto(`${web.url}/starred?label=to%20read`);
  const hrefs = await page.locator(".export-links a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  expect(hrefs).toEqual([
    "/starred/export?format=bibtex",
    "/starred/export?format=ris",
    "/starred/export?format=csv",
    "/starred/export?label=to%20read&format=bibtex",
    "/starred/export?label=to%20read&format=ris",
    "/starred/export?label=to%20read&format=csv",
  ]);
  const get = async (href: string) => {
    const answer = await context.request.get(`${web.url}${href}`);
    expect(answer.status(), href).toBe(200);
    return { text: await answer.text(), disposition: answer.headers()["content-disposition"] };
  };
  const ris = await get("/starred/export?format=ris");
  expect(ris.disposition).toBe('attachment; filename="starred-papers.ris"');
  const records = ris.text.split("ER  - \r\n").filter(Boolean);
  expect(records).toHaveLength(3);
  const plainRecord = records.find((r) => r.includes(plain.id))!;
  expect(plainRecord).toContain("\r\nKW  - to read\r\nKW  - cite in thesis\r\n");
  expect(plainRecord).toContain('\r\nN1  - Compare with §3. The "baseline" <b>is weak</b>.\r\n');
  const labelRis = await get("/starred/export?label=to%20read&format=ris");
  expect(labelRis.disposition).toBe('attachment; filename="starred-to-read.ris"');
  expect(labelRis.text.split("ER  - \r\n").filter(Boolean)).toHaveLength(2);
  expect(labelRis.text).not.toContain(third.id);

  const bib = await get("/starred/export?label=cite%20in%20thesis&format=bibtex");
  expect(bib.text).toContain(`eprint = {${plain.id}}`);
  expect(bib.text).toContain("keywords = {to read, cite in thesis}");
  expect(bib.text).toContain('annote = {Compare with §3. The "baseline" <b>is weak</b>.}');
  expect(bib.text).not.toContain(hostile.id);

  const csv = await get("/starred/export?format=csv");
  const rows = csv.text.trim().split("\r\n");
  expect(rows[0]).toBe("id,version,title,authors,categories,published,url,labels,note");
  expect(rows.find((r) => r.startsWith(plain.id))).toMatch(/,to read; cite in thesis,"Compare with §3\.\nThe ""baseline"" <b>is weak<\/b>\."$/);

  // ── the paper page shows the same labels and note, with the editor ──
  await page.goto(`${web.url}/papers/${plain.id}`);
  await expect(page.locator(".paper-cite .label-chips a").allInnerTexts()).resolves.toEqual(["to read", "cite in thesis"]);
  await page.getByRole("button", { name: `Edit labels and note for ${plain.title}` }).click();
  const onPaper = page.getByRole("form", { name: `Labels and note for ${plain.title}` });
  await onPaper.getByRole("button", { name: "Remove label cite in thesis" }).click();
  await onPaper.getByRole("button", { name: "Save" }).click();
  await onPaper.waitFor({ state: "detached" });
  await page.reload();
  await expect(page.locator(".paper-cite .label-chips a").allInnerTexts()).resolves.toEqual(["to read"]);
  expect(errors).toEqual([]);
  await context.close();
});
