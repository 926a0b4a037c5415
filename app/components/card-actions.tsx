"use client";
// Behaviour for every server-rendered paper card on the page, by event delegation: the star (an
// optimistic toggle through the toggleStar server action, rolled back with the reason when it
// fails), sign-in-to-star links that come back here, and Copy / BibTeX to the clipboard. Keyboard
// shortcuts ask for a star toggle with a `paper:toggle-star` event on the card. Topic buttons label the
// paper for a topic ("Add to …", "Not interested"); starring on a listing ranked by a topic also adds
// the paper to it. A saved label (or a star that added to a topic) is announced with
// TOPIC_LABELLED_EVENT, so the listing's RetrainBanner follows the model's update and re-ranks.
// A card's "Add to topic" menu is filled with the reader's topics (GET /api/topics) when first opened.
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { toggleStar } from "@/app/stars/actions";
import { labelTopicPaper } from "@/app/topics/actions";
import { TOPIC_LABELLED_EVENT, type TopicLabelledDetail } from "@/app/topics/model-watch";

export const TOGGLE_STAR_EVENT = "paper:toggle-star";

function announceLabel(topicId: string, paperId: string) {
  document.dispatchEvent(new CustomEvent<TopicLabelledDetail>(TOPIC_LABELLED_EVENT, { detail: { topicId, paperId } }));
}

function setStar(button: HTMLButtonElement, on: boolean) {
  const title = button.getAttribute("aria-label")?.replace(/^(Unstar|Star) /, "") ?? "";
  button.setAttribute("aria-pressed", String(on));
  button.setAttribute("aria-label", `${on ? "Unstar" : "Star"} ${title}`);
  button.title = on ? "Unstar" : "Star";
  button.firstElementChild!.textContent = on ? "★" : "☆";
}

async function toggle(card: HTMLElement, after?: () => void) {
  const button = card.querySelector<HTMLButtonElement>("[data-action=star]");
  if (!button) {
    card.querySelector<HTMLAnchorElement>("[data-action=sign-in-to-star]")?.click();
    return;
  }
  if (button.dataset.pending) return;
  // The place for a failed star's reason is made when first needed (cards do not carry an empty one),
  // beside the button in its .star wrapper.
  const error = liveStatus(button.parentElement ?? card, "star-error");
  const wanted = button.getAttribute("aria-pressed") !== "true";
  setStar(button, wanted);
  button.dataset.pending = "1";
  error.textContent = "";
  let result: Awaited<ReturnType<typeof toggleStar>>;
  // A listing ranked by a topic: its buttons carry the topic, and a star adds the paper to it.
  const topicId = card.querySelector<HTMLElement>(".relevance ~ .topic-actions")?.dataset.topic;
  try {
    result = await toggleStar(card.dataset.paperId!, wanted, wanted ? topicId : undefined);
  } catch {
    result = { error: "The server could not be reached. Try again." };
  }
  delete button.dataset.pending;
  if ("error" in result) {
    setStar(button, !wanted);
    error.textContent = result.error;
  } else {
    setStar(button, result.starred);
    if (result.addedTo) {
      const positive = card.querySelector<HTMLButtonElement>(`.topic-actions[data-topic="${result.addedTo}"] [data-label=positive]`);
      if (positive) showLabel(card, positive.closest<HTMLElement>(".topic-actions")!, "positive");
      announceLabel(result.addedTo, card.dataset.paperId!);
    }
    after?.();
  }
}

function showLabel(card: HTMLElement, group: HTMLElement, label: "positive" | "negative" | null) {
  const name = group.dataset.topicName ?? "";
  for (const b of group.querySelectorAll<HTMLButtonElement>("[data-action=topic-label]")) {
    const on = b.dataset.label === label;
    b.setAttribute("aria-pressed", String(on));
    // Buttons of the "Add to topic" menu keep the topic's name; the selected topic's pair says its state.
    if (!group.closest(".topic-menu")) {
      b.textContent = b.dataset.label === "positive" ? (on ? `In ${name}` : `Add to ${name}`) : on ? "Marked not interested" : "Not interested";
    }
  }
  if (!group.closest(".topic-menu")) card.classList.toggle("not-interested", label === "negative");
}

async function label(card: HTMLElement, button: HTMLButtonElement) {
  const group = button.closest<HTMLElement>(".topic-actions");
  if (!group || button.dataset.pending) return;
  const status = card.querySelector(".topic-status");
  const wanted = button.dataset.label as "positive" | "negative";
  // Pressing a pressed button takes the label away again.
  const next = button.getAttribute("aria-pressed") === "true" ? null : wanted;
  button.dataset.pending = "1";
  let result: Awaited<ReturnType<typeof labelTopicPaper>>;
  try {
    result = await labelTopicPaper(group.dataset.topic!, card.dataset.paperId!, next);
  } catch {
    result = { error: "The server could not be reached. Try again." };
  }
  delete button.dataset.pending;
  const name = group.dataset.topicName ?? "";
  if ("error" in result) {
    if (status) status.textContent = result.error;
    return;
  }
  showLabel(card, group, next);
  announceLabel(group.dataset.topic!, card.dataset.paperId!);
  if (status) status.textContent = next === "positive" ? `Added to ${name}` : next === "negative" ? `Not interested (${name})` : `Removed from ${name}`;
}

type TopicName = { id: string; name: string };
let topicNames: Promise<TopicName[]> | null = null;

/** The reader's topics, asked for once per page (again after a failure; CardActions forgets them on each page). */
function readerTopicNames(): Promise<TopicName[]> {
  topicNames ??= fetch("/api/topics", { cache: "no-store" })
    .then(async (response) => {
      const body = (await response.json().catch(() => ({}))) as { topics?: TopicName[]; error?: string };
      if (!response.ok || !body.topics) throw new Error(body.error ?? `the server answered ${response.status}`);
      return body.topics;
    })
    .catch((error: Error) => {
      topicNames = null;
      throw error;
    });
  return topicNames;
}

/**
 * Fills a card's "Add to topic" menu when it is first opened: one button per topic of the reader
 * (the page carries only the disclosure, lib/topics/card-html.ts topicMenuHtml).
 */
async function fillTopicMenu(menu: HTMLDetailsElement) {
  if (menu.dataset.filled) return;
  menu.dataset.filled = "1";
  for (const stale of menu.querySelectorAll(".topic-menu-items, .topic-status")) stale.remove();
  const items = document.createElement("span");
  items.className = "topic-menu-items";
  menu.append(items);
  const status = liveStatus(menu, "topic-status");
  status.textContent = "Loading your topics…";
  try {
    const topics = await readerTopicNames();
    for (const topic of topics) {
      const group = document.createElement("span");
      group.className = "topic-actions";
      group.dataset.topic = topic.id;
      group.dataset.topicName = topic.name;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.dataset.action = "topic-label";
      button.dataset.label = "positive";
      button.setAttribute("aria-pressed", "false");
      button.textContent = topic.name;
      group.append(button);
      items.append(group);
    }
    status.textContent = topics.length ? "" : "You have no topics any more.";
  } catch (error) {
    delete menu.dataset.filled;
    status.textContent = `Your topics could not be read (${(error as Error).message}). Close and open the menu to try again.`;
  }
}

/** A polite live region (role=status) of this class in `parent`, made the first time it is needed. */
function liveStatus(parent: Element, className: string): HTMLElement {
  let status = parent.querySelector<HTMLElement>(`:scope > .${className}`);
  if (!status) {
    status = document.createElement("span");
    status.className = className;
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    parent.append(status);
  }
  return status;
}

async function copy(card: HTMLElement, format: "text" | "bibtex") {
  // The card's "Copied" line (a page of cards does not carry one each).
  const links = card.querySelector(".paper-links");
  const status = links ? liveStatus(links, "copied") : null;
  try {
    const response = await fetch(`/api/cite?id=${encodeURIComponent(card.dataset.paperId!)}&format=${format}`);
    if (!response.ok) throw new Error(await response.text());
    await navigator.clipboard.writeText(await response.text());
    if (status) status.textContent = format === "bibtex" ? "BibTeX copied" : "Copied";
  } catch {
    if (status) status.textContent = "Copy failed: select the text instead";
  }
  setTimeout(() => status && (status.textContent = ""), 2_000);
}

/**
 * `refreshAfterStar`: re-render the page from the server after a star changes (the Starred page,
 * where an unstarred paper leaves). Elsewhere the page is left alone: a listing keeps the papers
 * it loaded while scrolling.
 */
export function CardActions({ refreshAfterStar = false }: { refreshAfterStar?: boolean }) {
  const router = useRouter();
  useEffect(() => {
    const after = refreshAfterStar ? () => router.refresh() : undefined;
    const onClick = (event: MouseEvent) => {
      const target = (event.target as HTMLElement).closest<HTMLElement>("[data-action]");
      const card = target?.closest<HTMLElement>("article.paper-card");
      if (!target || !card) return;
      switch (target.dataset.action) {
        case "star":
          event.preventDefault();
          void toggle(card, after);
          break;
        case "sign-in-to-star":
          (target as HTMLAnchorElement).href = `/sign-in?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
          break;
        case "topic-label":
          event.preventDefault();
          void label(card, target as HTMLButtonElement);
          break;
        case "copy":
        case "bibtex":
          void copy(card, target.dataset.action === "copy" ? "text" : "bibtex");
          break;
      }
    };
    const onToggle = (event: Event) => {
      const card = (event.target as HTMLElement).closest<HTMLElement>("article.paper-card");
      if (card) void toggle(card, after);
    };
    // "toggle" does not bubble: listened for while it goes down to the <details>.
    const onDisclosure = (event: Event) => {
      const menu = event.target as HTMLElement;
      if (menu instanceof HTMLDetailsElement && menu.open && menu.matches("article.paper-card .topic-menu")) void fillTopicMenu(menu);
    };
    document.addEventListener("click", onClick);
    document.addEventListener(TOGGLE_STAR_EVENT, onToggle);
    document.addEventListener("toggle", onDisclosure, true);
    // A page reached by client-side navigation reads them again (a topic may have been made since).
    topicNames = null;
    // A menu opened before the page's script was ready.
    for (const menu of document.querySelectorAll<HTMLDetailsElement>("article.paper-card details.topic-menu[open]")) void fillTopicMenu(menu);
    return () => {
      document.removeEventListener("click", onClick);
      document.removeEventListener(TOGGLE_STAR_EVENT, onToggle);
      document.removeEventListener("toggle", onDisclosure, true);
    };
  }, [refreshAfterStar, router]);
  return null;
}
