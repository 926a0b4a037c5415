// Math rendering: formulas become MathML, everything else is escaped text, bad formulas stay text.
import { expect, test } from "vitest";
import { escapeHtml, renderMathText } from "../../lib/render/math";

test("inline and display math render as MathML; the text around them is escaped", () => {
  const html = renderMathText("Bounds for $\\alpha < 1$ & $$\\sum_i x_i$$ <b>bold</b>");
  expect(html.match(/<math>/g)).toHaveLength(1);
  expect(html).toContain('<math display="block" class="tml-display"');
  expect(html).toContain("&amp;");
  expect(html).toContain("&lt;b&gt;bold&lt;/b&gt;");
  expect(html).not.toContain("<b>");
});

test("a formula that cannot be parsed stays as its source text", () => {
  const html = renderMathText("broken $\\frac{1}{$ here and fine $x^2$");
  expect(html).toContain("$\\frac{1}{$");
  expect(html.match(/<math/g)).toHaveLength(1);
});

test("hostile text is inert: script tags, handlers and javascript: URLs inside and outside math", () => {
  const html = renderMathText(`<script>alert(1)</script> <img src=x onerror=alert(1)> $\\href{javascript:alert(1)}{x}$ $<img>$`);
  expect(html).not.toMatch(/<script|<img|href="javascript/i);
  expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
});

test("an escaped dollar is a dollar, and escapeHtml covers quotes", () => {
  expect(renderMathText("costs \\$5 and \\$6")).toBe("costs $5 and $6");
  expect(escapeHtml(`"'<>&`)).toBe("&quot;&#39;&lt;&gt;&amp;");
});

test("arXiv's \\( \\) and \\[ \\] delimiters render too", () => {
  const html = renderMathText("time operator \\(T_w = i\\hbar\\) and \\[E = mc^2\\] done");
  expect(html.match(/<math/g)).toHaveLength(2);
  expect(html).toContain('<math display="block"');
  expect(html).not.toContain("\\(");
});

test("text-mode accents outside math become letters; math is untouched", () => {
  expect(renderMathText(String.raw`Optical Schr\"odinger cat states and Cram\'er-Rao bounds, $\hat{x}$`).replace(/<math>.*<\/math>$/, "")).toBe(
    "Optical Schrödinger cat states and Cramér-Rao bounds, ",
  );
});
