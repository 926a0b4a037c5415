"use client";
// The header's navigation and the footer: the same on every page, so client components, which the
// page's React payload carries as references instead of their trees. The account corner (a reader
// slot rendered on the server) comes in as children.
import Link from "next/link";
import type { ReactNode } from "react";

export function SiteNav({ children }: { children: ReactNode }) {
  return (
    <nav aria-label="Main">
      <Link href="/">Today</Link>
      <Link href="/popular">Popular</Link>
      <Link href="/search">Search</Link>
      <Link href="/topics">Topics</Link>
      <a href="/api/health" className="nav-wide">Status</a>
      {children}
    </nav>
  );
}

export function SiteFooter() {
  return (
    <footer className="site-footer muted">
      Press <kbd>?</kbd> for keyboard shortcuts. Data from <a href="https://arxiv.org">arXiv</a>.
    </footer>
  );
}
