// The frame of every page: skip link, header with navigation, theme toggle, main content, styles.
// The theme comes from a cookie so the server renders it (no flash, no inline script).
import type { Metadata, Viewport } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import "temml/dist/Temml-Local.css";
import { KeyboardNav } from "./components/keyboard-nav";
import { ReaderBehaviour } from "./components/reader-behaviour";
import { SiteFooter, SiteNav } from "./components/site-nav";
import { ThemeToggle, type Theme } from "./components/theme-toggle";
import { UserMenu } from "./components/user-menu";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Paper Triage", template: "%s · Paper Triage" },
  description: "Today's arXiv papers, triaged: relevance per topic, FAQ per paper, stars.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const saved = (await cookies()).get("theme")?.value;
  const theme: Theme = saved === "dark" || saved === "light" ? saved : "system";
  return (
    <html lang="en" data-theme={theme}>
      <body>
        <a href="#main" className="skip-link">Skip to content</a>
        <header className="site-header">
          <Link href="/" className="brand">
            Paper Triage
          </Link>
          <SiteNav>
            <UserMenu />
          </SiteNav>
          {/* Beside the brand on a phone, after the navigation on wider screens (globals.css). */}
          <ThemeToggle initial={theme} />
        </header>
        <main id="main" tabIndex={-1}>{children}</main>
        {/* One set of keys for every page (the footer promises "?" everywhere); j/k/s/t/n act on the page's paper cards, if any. */}
        <KeyboardNav />
        <ReaderBehaviour />
        <SiteFooter />
      </body>
    </html>
  );
}
