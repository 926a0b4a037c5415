// The paper's full text for FAQ prompts (FAQ_FULL_TEXT=true): its PDF's text, extracted with unpdf
// and cut to a token budget (FAQ_MAX_INPUT_TOKENS) so every question fits the model's context.
// When the PDF cannot be had (arXiv error after retries, timeout, a PDF without extractable text),
// the FAQ is made from the title and abstract instead, and says so (Faq.sourceNote): a reader gets
// answers rather than an error, and knows what they rest on.
//
// Tokens are estimated, not counted: the model's tokenizer is not known for an arbitrary
// OpenAI-compatible endpoint. One token per CJK (Han, kana, Hangul, full-width) character and one
// per 4 other characters, which is close to (slightly above) what GPT-style BPE tokenizers give for
// English prose and LaTeX-heavy text; the budget therefore errs on the safe side.
import { extractText, getDocumentProxy } from "unpdf";

/** Characters a tokenizer typically spends one token each on. */
const WIDE = /[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/u;

/** Estimated tokens of `text` (see the file comment). */
export function estimateTokens(text: string): number {
  let wide = 0;
  let other = 0;
  for (const ch of text) {
    if (WIDE.test(ch)) wide += 1;
    else other += 1;
  }
  return wide + Math.ceil(other / 4);
}

export interface FittedText {
  text: string;
  /** Estimated tokens of `text`. */
  tokens: number;
  truncated: boolean;
}

/**
 * The longest start of `text` whose estimate stays within `maxTokens`, cut at a word boundary when
 * one is near (the last 200 characters), so no word is split.
 */
export function fitToBudget(text: string, maxTokens: number): FittedText {
  if (maxTokens < 1) throw new RangeError(`token budget must be at least 1, got ${maxTokens}`);
  const total = estimateTokens(text);
  if (total <= maxTokens) return { text, tokens: total, truncated: false };
  let wide = 0;
  let other = 0;
  let end = 0;
  for (const ch of text) {
    if (WIDE.test(ch)) wide += 1;
    else other += 1;
    if (wide + Math.ceil(other / 4) > maxTokens) break;
    end += ch.length;
  }
  let cut = text.slice(0, end);
  const space = cut.search(/\s\S*$/);
  if (space > 0 && end - space < 200) cut = cut.slice(0, space);
  cut = cut.trimEnd();
  return { text: cut, tokens: estimateTokens(cut), truncated: true };
}

/** Whitespace tidied: runs of spaces collapsed, words hyphenated across lines joined, at most one blank line. */
function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t\f\v\u00a0]+/g, " ")
    .replace(/(\p{L})-\n(\p{Ll})/gu, "$1$2")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The text of a PDF, page after page. Throws when it is not a PDF pdf.js can read. */
export async function extractPdfText(pdf: Uint8Array): Promise<{ text: string; pages: number }> {
  // An error page or a captcha served with status 200 is not worth handing to pdf.js.
  const head = Buffer.from(pdf.subarray(0, 1024)).toString("latin1");
  if (!head.includes("%PDF-")) throw new Error(`not a PDF (it starts with ${JSON.stringify(head.slice(0, 40))})`);
  // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy. Verbosity 0: its
  // warnings about damaged files go nowhere (a failure still throws).
  const document = await getDocumentProxy(new Uint8Array(pdf), { verbosity: 0 });
  try {
    const { totalPages, text } = await extractText(document, { mergePages: false });
    return { text: tidy(text.join("\n\n")), pages: totalPages };
  } finally {
    // Ends the document and its (in-process) pdf.js worker side.
    await document.loadingTask.destroy();
  }
}

export type PaperSource =
  | { kind: "full-text"; text: string; pages: number; tokens: number; truncated: boolean; note: string }
  | { kind: "abstract"; note: string };

export interface FullTextDeps {
  /** The PDF of a version (ArxivClient.fetchPdf: politeness, time limit and @retry included). */
  fetchPdf: (id: string, version: number) => Promise<Uint8Array>;
  /** FAQ_MAX_INPUT_TOKENS. */
  maxInputTokens: number;
  /** Shutdown: an aborted fetch is rethrown (the job goes back to the queue), never a fallback. */
  signal?: AbortSignal;
}

const tokensLabel = (n: number) => `~${n.toLocaleString("en-US")} tokens`;

/** The paper text a FAQ is made from: the PDF's text fitted to the budget, or why it is not used. */
export async function loadPaperSource(paperId: string, version: number, deps: FullTextDeps): Promise<PaperSource> {
  let bytes: Uint8Array;
  try {
    bytes = await deps.fetchPdf(paperId, version);
  } catch (error) {
    if (deps.signal?.aborted) throw error;
    return { kind: "abstract", note: `Made from the title and abstract only: the PDF could not be downloaded (${reason(error)}).` };
  }
  let extracted: { text: string; pages: number };
  try {
    extracted = await extractPdfText(bytes);
  } catch (error) {
    return { kind: "abstract", note: `Made from the title and abstract only: the PDF could not be read (${reason(error)}).` };
  }
  if (extracted.text.length < 200) {
    return {
      kind: "abstract",
      note: "Made from the title and abstract only: the PDF has almost no extractable text (a scan?).",
    };
  }
  const fitted = fitToBudget(extracted.text, deps.maxInputTokens);
  const pages = `${extracted.pages} page${extracted.pages === 1 ? "" : "s"}`;
  const note = fitted.truncated
    ? `Made from the full text of the PDF (${pages}), cut to its first ${tokensLabel(fitted.tokens)} of ${tokensLabel(estimateTokens(extracted.text))} (FAQ_MAX_INPUT_TOKENS).`
    : `Made from the full text of the PDF (${pages}, ${tokensLabel(fitted.tokens)}).`;
  return { kind: "full-text", text: fitted.text, pages: extracted.pages, tokens: fitted.tokens, truncated: fitted.truncated, note };
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}
