"use client";
// Keyboard navigation over the papers of a page: j/k move, s stars, o opens the paper, c copies,
// t adds it to the topic the listing is ranked by, n marks it "not interested" there, ? shows the
// keys. The star toggle is asked through the `paper:toggle-star` event on the card. Pages with a
// reading state of their own listen on their cards: LEAVE_CARD_EVENT when j/k move off a card, and
// TOGGLE_SEEN_EVENT for x (the inbox marks the card left seen, and x toggles it: app/inbox).
import { useEffect, useRef, useState } from "react";
import { TOGGLE_STAR_EVENT } from "./card-actions";

/** Dispatched (bubbling) on the card j/k move off. */
export const LEAVE_CARD_EVENT = "paper:leave";
/** Dispatched (bubbling) on the current card for x: seen ↔ unseen. */
export const TOGGLE_SEEN_EVENT = "paper:toggle-seen";

/** Each key, what it does, and what the page must have for it to do anything (a CSS selector). */
const KEYS: [string, string, string | null][] = [
  ["j / k", "next / previous paper", "article.paper-card"],
  ["s", "star or unstar", "article.paper-card"],
  ["t", "add to the topic the list is ranked by", ".relevance ~ .topic-actions"],
  ["n", "not interested (for that topic)", ".relevance ~ .topic-actions"],
  ["x", "mark seen / unseen (inbox)", ".inbox-item article.paper-card"],
  ["o", "open the paper", "article.paper-card"],
  ["a", "open on arXiv", "article.paper-card"],
  ["/ or Ctrl+F", "filter by keyword", ".keyword-filter"],
  ["?", "show these keys", null],
];

function cards(): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>("article.paper-card")].filter((c) => !c.closest("[hidden]"));
}

export function KeyboardNav() {
  const [help, setHelp] = useState(false);
  // The keys this page answers to, looked up when the list opens (the page may have changed since).
  const [available, setAvailable] = useState<Set<string> | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  const current = useRef<HTMLElement | null>(null);

  useEffect(() => {
    if (help) dialog.current?.showModal();
    else dialog.current?.close();
  }, [help]);

  useEffect(() => {
    const move = (delta: number) => {
      const list = cards();
      if (!list.length) return;
      const index = current.current ? list.indexOf(current.current) : -1;
      const next = list[Math.min(list.length - 1, Math.max(0, index + delta))]!;
      if (current.current && current.current !== next) current.current.dispatchEvent(new CustomEvent(LEAVE_CARD_EVENT, { bubbles: true }));
      current.current?.classList.remove("current");
      next.classList.add("current");
      next.tabIndex = -1; // focusable from script only (the cards come without it: bytes)
      next.focus({ preventScroll: true });
      next.scrollIntoView({ block: "nearest", behavior: "smooth" });
      current.current = next;
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.target instanceof HTMLElement && e.target.closest("input, textarea, select, [contenteditable]")) return;
      // The keys live in the layout, across client-side navigations: a card from the previous page no longer counts.
      if (current.current && !current.current.isConnected) current.current = null;
      // A card marked current by the page itself (a re-ranked listing brings the reader back to it).
      if (!current.current) current.current = document.querySelector<HTMLElement>("article.paper-card.current");
      const card = current.current;
      switch (e.key) {
        case "j":
          move(1);
          break;
        case "k":
          move(-1);
          break;
        case "s":
          card?.dispatchEvent(new CustomEvent(TOGGLE_STAR_EVENT, { bubbles: true }));
          break;
        case "t":
        case "n":
          card?.querySelector<HTMLButtonElement>(`.relevance ~ .topic-actions [data-label=${e.key === "t" ? "positive" : "negative"}]`)?.click();
          break;
        case "x":
          card?.dispatchEvent(new CustomEvent(TOGGLE_SEEN_EVENT, { bubbles: true }));
          break;
        case "o":
          card?.querySelector<HTMLAnchorElement>(".paper-title a")?.click();
          break;
        case "a":
          card?.querySelector<HTMLAnchorElement>(".paper-links a")?.click();
          break;
        case "?":
          setAvailable(new Set(KEYS.filter(([, , needs]) => !needs || document.querySelector(needs)).map(([k]) => k)));
          setHelp((h) => !h);
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    // Its list is made the first time "?" is pressed: a page does not carry it until then.
    <dialog ref={dialog} className="keys-dialog" aria-labelledby="keys-title" onClose={() => setHelp(false)}>
      {available ? <KeysList available={available} /> : null}
    </dialog>
  );
}

function KeysList({ available }: { available: Set<string> }) {
  return (
    <>
      <h2 id="keys-title">Keyboard shortcuts</h2>
      <dl>
        {KEYS.filter(([k]) => available.has(k)).map(([k, v]) => (
          <div key={k}>
            <dt><kbd>{k}</kbd></dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {available.size === 1 ? <p className="muted">This page has no papers to move through; listings, search and starred papers do.</p> : null}
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </>
  );
}
