"use client";
// The in-page keyword filter: include and exclude keywords, an author filter, AND/OR, matches
// highlighted, non-matching papers hidden or dimmed. Its state lives in the URL (?kw=&kx=&ka=&km=&kh=)
// so a filtered view can be shared. Opened with Ctrl/Cmd+F or "/".
import { useCallback, useEffect, useRef, useState } from "react";
import { LOAD_ALL_EVENT } from "./more-papers";

interface FilterState {
  include: string;
  exclude: string;
  author: string;
  mode: "or" | "and";
  hide: boolean;
}

const EMPTY: FilterState = { include: "", exclude: "", author: "", mode: "or", hide: true };

/** Keywords are separated by commas; a keyword may be a phrase. */
export function splitKeywords(text: string): string[] {
  return text
    .split(",")
    .map((k) => k.trim().toLowerCase())
    .filter(Boolean);
}

function readUrl(): FilterState {
  const p = new URLSearchParams(window.location.search);
  return {
    include: p.get("kw") ?? "",
    exclude: p.get("kx") ?? "",
    author: p.get("ka") ?? "",
    mode: p.get("km") === "and" ? "and" : "or",
    hide: p.get("kh") !== "0",
  };
}

function writeUrl(state: FilterState) {
  const url = new URL(window.location.href);
  const set = (key: string, value: string, empty: string) => (value === empty ? url.searchParams.delete(key) : url.searchParams.set(key, value));
  set("kw", state.include, "");
  set("kx", state.exclude, "");
  set("ka", state.author, "");
  set("km", state.mode, "or");
  set("kh", state.hide ? "1" : "0", "1");
  window.history.replaceState(window.history.state, "", url);
}

function escapeRegExp(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function unmark(root: Element) {
  for (const mark of root.querySelectorAll("mark.kw")) mark.replaceWith(document.createTextNode(mark.textContent ?? ""));
  root.normalize();
}

/** Wraps matches of `pattern` in <mark class="kw"> inside `root`, outside rendered math. */
function markMatches(root: Element, pattern: RegExp) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (node.parentElement?.closest("math, mark.kw, button") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const nodes: Text[] = [];
  while (walker.nextNode()) nodes.push(walker.currentNode as Text);
  for (const node of nodes) {
    const text = node.data;
    pattern.lastIndex = 0;
    if (!pattern.test(text)) continue;
    pattern.lastIndex = 0;
    const fragment = document.createDocumentFragment();
    let last = 0;
    for (const m of text.matchAll(pattern)) {
      fragment.append(text.slice(last, m.index));
      const mark = document.createElement("mark");
      mark.className = "kw";
      mark.textContent = m[0];
      fragment.append(mark);
      last = m.index + m[0].length;
    }
    fragment.append(text.slice(last));
    node.replaceWith(fragment);
  }
}

function applyFilter(state: FilterState): { matched: number; total: number } {
  const include = splitKeywords(state.include);
  const exclude = splitKeywords(state.exclude);
  const authors = splitKeywords(state.author);
  const active = include.length + exclude.length + authors.length > 0;
  const cards = [...document.querySelectorAll<HTMLElement>("article.paper-card")];
  const pattern = include.length ? new RegExp(include.map(escapeRegExp).join("|"), "gi") : undefined;
  let matched = 0;
  for (const card of cards) {
    unmark(card);
    const text = (card.querySelector(".paper-title")?.textContent ?? "") + " " + (card.querySelector("[data-field=abstract]")?.textContent ?? "");
    const lower = text.toLowerCase();
    const authorText = (card.querySelector("[data-field=authors]")?.textContent ?? "").toLowerCase();
    const hits = include.filter((k) => lower.includes(k));
    const includeOk = include.length === 0 || (state.mode === "and" ? hits.length === include.length : hits.length > 0);
    const excludeOk = !exclude.some((k) => lower.includes(k));
    const authorOk = authors.length === 0 || authors.some((a) => authorText.includes(a));
    const ok = includeOk && excludeOk && authorOk;
    if (ok) matched += 1;
    const item = card.closest("li") ?? card;
    item.toggleAttribute("hidden", active && !ok && state.hide);
    card.classList.toggle("dimmed", active && !ok && !state.hide);
    if (ok && pattern) {
      for (const field of card.querySelectorAll(".paper-title, [data-field=abstract]")) markMatches(field, pattern);
    }
    if (ok && authors.length) {
      const field = card.querySelector("[data-field=authors]");
      if (field) markMatches(field, new RegExp(authors.map(escapeRegExp).join("|"), "gi"));
    }
  }
  return { matched, total: cards.length };
}

export function KeywordFilter({ total }: { total: number }) {
  const [open, setOpen] = useState(false);
  const [state, setState] = useState<FilterState>(EMPTY);
  // The count remembers the filter it was computed for: between a state change and the effect that
  // applies it, the previous filter's count must not be shown as this one's.
  const [result, setResult] = useState<{ matched: number; total: number; for: FilterState } | null>(null);
  const includeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const initial = readUrl();
    setState(initial);
    if (initial.include || initial.exclude || initial.author) setOpen(true);
  }, []);

  const run = useCallback((next: FilterState) => {
    setResult({ ...applyFilter(next), for: next });
    writeUrl(next);
    // A filter covers the whole day: bring in the papers not loaded yet.
    if (next.include || next.exclude || next.author) window.dispatchEvent(new Event(LOAD_ALL_EVENT));
  }, []);

  // Re-apply when more papers are appended to the list.
  useEffect(() => {
    run(state);
    const list = document.getElementById("papers");
    if (!list) return;
    const observer = new MutationObserver((changes) => {
      if (changes.some((c) => [...c.addedNodes].some((n) => n instanceof HTMLElement && n.tagName === "LI"))) setResult({ ...applyFilter(state), for: state });
    });
    observer.observe(list, { childList: true });
    return () => observer.disconnect();
  }, [state, run]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && e.target.closest("input, textarea, select, [contenteditable]");
      if (((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "f") || (e.key === "/" && !typing)) {
        e.preventDefault();
        setOpen(true);
        requestAnimationFrame(() => includeRef.current?.focus());
      } else if (e.key === "Escape" && open && typing) {
        setOpen(false);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);

  const update = (patch: Partial<FilterState>) => setState((s) => ({ ...s, ...patch }));
  const active = Boolean(state.include || state.exclude || state.author);

  return (
    <div className="keyword-filter">
      {!open ? (
        <button type="button" className="link-button" onClick={() => setOpen(true)} aria-keyshortcuts="Control+F /">
          Filter by keyword (Ctrl+F or /)
        </button>
      ) : (
        <form role="search" aria-label="Filter papers by keyword" onSubmit={(e) => e.preventDefault()} className="filter-form">
          <label>
            Keywords
            <input ref={includeRef} type="search" value={state.include} placeholder="llm, retrieval augmented" onChange={(e) => update({ include: e.target.value })} />
          </label>
          <label>
            Exclude
            <input type="search" value={state.exclude} placeholder="survey" onChange={(e) => update({ exclude: e.target.value })} />
          </label>
          <label>
            Author
            <input type="search" value={state.author} placeholder="Hinton" onChange={(e) => update({ author: e.target.value })} />
          </label>
          <fieldset className="filter-options">
            <legend className="visually-hidden">Match</legend>
            <label>
              <input type="radio" name="km" checked={state.mode === "or"} onChange={() => update({ mode: "or" })} /> any
            </label>
            <label>
              <input type="radio" name="km" checked={state.mode === "and"} onChange={() => update({ mode: "and" })} /> all
            </label>
            <label>
              <input type="checkbox" checked={state.hide} onChange={(e) => update({ hide: e.target.checked })} /> hide others
            </label>
          </fieldset>
          <button type="button" className="link-button" onClick={() => { setState(EMPTY); setOpen(false); }}>
            Clear
          </button>
          <p role="status" aria-live="polite" className="filter-result">
            {active && result?.for === state ? `${result.matched} of ${result.total < total ? `${result.total} loaded (${total})` : result.total} papers match` : `${total} papers`}
          </p>
        </form>
      )}
    </div>
  );
}
