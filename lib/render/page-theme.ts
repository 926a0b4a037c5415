// The site's palette and the reader's theme for the pages written out as strings, outside React's
// layout: the web front's "database unreachable" page (lib/database-down.ts) and the unsubscribe
// pages (app/unsubscribe/page-html.ts). The same colours as app/globals.css.

export type PageTheme = "light" | "dark" | "system";

/** The reader's saved theme from a Cookie header, as the layout reads it. */
export function themeFromCookie(cookieHeader: string | null | undefined): PageTheme {
  const saved = /(?:^|;\s*)theme=(light|dark)(?:;|$)/.exec(cookieHeader ?? "")?.[1];
  return saved === "light" || saved === "dark" ? saved : "system";
}

const DARK = "color-scheme:dark;--bg:#121316;--fg:#e8e8ea;--muted:#a0a4ab;--card:#1b1d22;--border:#2d3038;--accent:#ff6b6b;--link:#8ab4f8;";

/** The colour variables for light, dark and the system's choice (the page's `data-theme`), and the font. */
export const PALETTE_CSS = `
:root{color-scheme:light;--bg:#fbfbfa;--fg:#1d1d1f;--muted:#5f6368;--card:#fff;--border:#e2e2e0;--accent:#b31b1b;--link:#1a56b0;
  font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
@media (prefers-color-scheme:dark){:root[data-theme="system"]{${DARK}}}
:root[data-theme="dark"]{${DARK}}`;
