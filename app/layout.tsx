// The frame of every page: header with navigation, main content, and the site's styles.
import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Paper Triage", template: "%s · Paper Triage" },
  description: "Today's arXiv papers, triaged: relevance per topic, FAQ per paper, stars.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            Paper Triage
          </Link>
          <nav aria-label="Main">
            <Link href="/">Today</Link>
            <a href="/api/health">Status</a>
          </nav>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
