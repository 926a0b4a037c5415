// One TeX formula to MathML with Temml, for the server (cards, paper pages) and the browser (FAQ
// answers) alike. MathML is drawn by the browser itself: no web fonts or layout CSS to load, read
// by screen readers, and about a quarter of the bytes of KaTeX's HTML for the same formula.
// Untrusted input: \href, \class, \style and the like are refused (trust: false), macro expansion
// is capped, and a formula Temml cannot parse returns undefined so the caller shows its source.
import temml from "temml";

export function renderFormula(tex: string, displayMode: boolean): string | undefined {
  try {
    return temml.renderToString(tex, { displayMode, throwOnError: true, trust: false, strict: false, maxExpand: 1000 });
  } catch {
    return undefined;
  }
}
