"use client";
// The list of paper cards, as server-made HTML. On a page load the HTML arrives by key
// (lib/render/html-stash.ts) and is rendered into the page's HTML only: React hydrates the list as
// an element whose inner HTML it leaves alone, so the cards are not sent a second time in the React
// payload. When the page is rendered in the browser (a client-side navigation or a refresh), the
// HTML comes as a prop. An empty list on a page that should have cards (a key whose HTML never
// arrived) loads them from `fallbackUrl`.
import { useEffect, useRef } from "react";
import { takeStashedHtml } from "@/lib/render/html-stash-key";

export function CardsHtml({ html, stashId, fallbackUrl }: { html?: string; stashId?: string; fallbackUrl?: string }) {
  const list = useRef<HTMLOListElement>(null);
  // On the server: the stashed string. In the browser while hydrating: "" (React keeps what the
  // server sent: it does not compare or reset inner HTML when hydrating).
  const inner = html ?? (stashId ? takeStashedHtml(stashId) : undefined) ?? "";
  useEffect(() => {
    const ol = list.current;
    if (html !== undefined || !fallbackUrl || !ol || ol.children.length > 0) return;
    const controller = new AbortController();
    fetch(fallbackUrl, { signal: controller.signal, headers: { accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : ""))
      .then((text) => {
        if (text && ol.children.length === 0) ol.innerHTML = text;
      })
      .catch(() => {});
    return () => controller.abort();
  }, [html, fallbackUrl]);
  return <ol ref={list} className="paper-list" id="papers" dangerouslySetInnerHTML={{ __html: inner }} suppressHydrationWarning />;
}
