// The unsubscribe route's pages, written out here rather than rendered by React: the route must answer
// a mail client's POST and a forged link with its own status (400, 404), which a page cannot set. They
// carry the site's colours, the reader's theme (the `theme` cookie, else the system's), and work on a
// phone and with the keyboard alone. Every text from the database is escaped.
import { escapeHtml } from "@/lib/render/math";
import { PALETTE_CSS, type PageTheme } from "@/lib/render/page-theme";

const STYLE = `${PALETTE_CSS}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.5}
a{color:var(--link)}
header{padding:.75rem 1.25rem;border-bottom:1px solid var(--border);background:var(--card)}
.brand{font-weight:700;color:var(--accent);text-decoration:none}
main{max-width:36rem;margin:0 auto;padding:1.25rem}
.box{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:1.25rem}
h1{font-size:1.3rem;margin:0 0 .5rem;overflow-wrap:anywhere}
p{overflow-wrap:anywhere}
.muted{color:var(--muted)}
button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
:root[data-theme="dark"] button{color:#121316}
@media (prefers-color-scheme:dark){:root[data-theme="system"] button{color:#121316}}
:focus-visible{outline:2px solid var(--link);outline-offset:2px}
`;

/** A whole page: a title, paragraphs (already escaped HTML), and optionally the confirmation form. */
export function unsubscribePage(options: { theme: PageTheme; title: string; paragraphs: string[]; form?: { action: string; button: string } }): string {
  const form = options.form
    ? `<form method="post" action="${escapeHtml(options.form.action)}">` +
      `<input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${escapeHtml(options.form.button)}</button></form>`
    : "";
  return `<!doctype html>
<html lang="en" data-theme="${options.theme}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(options.title)} · Paper Triage</title><style>${STYLE}</style></head>
<body><header><a class="brand" href="/">Paper Triage</a></header>
<main id="main"><div class="box"><h1>${escapeHtml(options.title)}</h1>
${options.paragraphs.map((p) => `<p>${p}</p>`).join("\n")}
${form}</div></main></body></html>
`;
}
