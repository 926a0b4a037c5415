// The server side of CardsHtml: for a page load (the browser asked for HTML), the cards go by key
// into the page's HTML only; otherwise (the router fetching the page's payload) as a prop.
import { headers } from "next/headers";
import { stashHtml } from "@/lib/render/html-stash";
import { CardsHtml } from "./cards-html";

export async function CardList({ html, fallbackUrl }: { html: string; fallbackUrl?: string }) {
  const accept = (await headers()).get("accept") ?? "";
  if (!accept.includes("text/html")) return <CardsHtml html={html} fallbackUrl={fallbackUrl} />;
  return <CardsHtml stashId={stashHtml(html)} fallbackUrl={fallbackUrl} />;
}
