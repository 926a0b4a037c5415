// Token estimates and the budget cut used for FAQ_FULL_TEXT prompts (lib/faq/full-text.ts), and
// text extraction from a real (generated) PDF.
import { expect, test } from "vitest";
import { estimateTokens, extractPdfText, fitToBudget } from "../../lib/faq/full-text";
import { buildPdf } from "../helpers/pdf";

test("estimateTokens: one per 4 characters, one per CJK character", () => {
  expect(estimateTokens("")).toBe(0);
  expect(estimateTokens("abcd")).toBe(1);
  expect(estimateTokens("abcde")).toBe(2);
  expect(estimateTokens("神经网络")).toBe(4);
  expect(estimateTokens("神经 net")).toBe(2 + 1);
});

test("fitToBudget keeps text that fits and cuts longer text at a word boundary within the budget", () => {
  expect(fitToBudget("short text", 100)).toEqual({ text: "short text", tokens: 3, truncated: false });
  const words = Array.from({ length: 500 }, (_, i) => `word${i}`).join(" ");
  const fitted = fitToBudget(words, 100);
  expect(fitted.truncated).toBe(true);
  expect(fitted.tokens).toBeLessThanOrEqual(100);
  expect(fitted.tokens).toBeGreaterThan(90);
  expect(words.startsWith(fitted.text)).toBe(true);
  expect(words[fitted.text.length]).toBe(" "); // cut before a space, not inside a word
  const chinese = "这是一个很长的中文句子。".repeat(50);
  const cut = fitToBudget(chinese, 30);
  expect(cut.tokens).toBeLessThanOrEqual(30);
  expect(cut.text.length).toBeGreaterThan(25);
  expect(() => fitToBudget("x", 0)).toThrow(RangeError);
});

test("extractPdfText reads every page of a PDF and rejects what is not one", async () => {
  const pdf = buildPdf(["First page, with (parentheses)\nand a second line", "Second page says hello"]);
  const { text, pages } = await extractPdfText(pdf);
  expect(pages).toBe(2);
  expect(text).toContain("First page, with (parentheses)");
  expect(text).toContain("Second page says hello");
  expect(text.indexOf("First page")).toBeLessThan(text.indexOf("Second page"));
  await expect(extractPdfText(Buffer.from("<html>not a pdf</html>"))).rejects.toThrow(/not a PDF/);
});
