"use client";
// What the reader slots' HTML does in the browser (lib/render/reader-html.ts), by delegation: a slot
// may have been filled by the web front after React rendered the page, so no handler is bound to
// its elements. Sign in / Sign up remember the page the reader is on; Sign out signs out and
// reloads from "/"; changing "Rank by" submits the topic picker at once.
import { useEffect } from "react";
import { authClient } from "@/lib/auth-client";

/** The account pages themselves are no place to come back to. */
const ACCOUNT_PAGES = new Set(["/", "/sign-in", "/sign-up"]);

export function ReaderBehaviour() {
  useEffect(() => {
    const onClick = async (event: MouseEvent) => {
      const target = (event.target as Element | null)?.closest<HTMLElement>("[data-action=sign-in], [data-action=sign-out]");
      if (!target) return;
      if (target.dataset.action === "sign-in") {
        const here = window.location.pathname;
        if (ACCOUNT_PAGES.has(here) || !(target instanceof HTMLAnchorElement)) return;
        const url = new URL(target.href);
        url.searchParams.set("next", here);
        target.href = url.pathname + url.search;
        return;
      }
      const button = target as HTMLButtonElement;
      const failed = button.parentElement?.querySelector<HTMLElement>(".sign-out-error");
      button.disabled = true;
      if (failed) failed.hidden = true;
      const { error } = await authClient.signOut().catch(() => ({ error: true }));
      if (error) {
        button.disabled = false;
        if (failed) failed.hidden = false;
        return;
      }
      // A full load: every part of the page that was the reader's (stars, menu) must forget them.
      window.location.assign("/");
    };
    const onChange = (event: Event) => {
      const select = event.target as HTMLSelectElement | null;
      if (select?.dataset?.action === "rank-by") select.form?.requestSubmit();
    };
    document.addEventListener("click", onClick);
    document.addEventListener("change", onChange);
    return () => {
      document.removeEventListener("click", onClick);
      document.removeEventListener("change", onChange);
    };
  }, []);
  return null;
}
