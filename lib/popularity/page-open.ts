// The paper page's one call for popularity: a signed-in reader's view of a stored paper counts as an
// open (lib/popularity/opens.ts buffers it; the page does not wait). Signed-out views are not
// counted: nothing tells their readers apart, and "each reader once" could not hold. Next.js's
// router prefetches are not views. The pending write is handed to after(), so a server stopping
// (SIGTERM, Ctrl+C) writes it before it exits.
import { after } from "next/server";
import { headers } from "next/headers";
import { getCurrentUser } from "../auth";
import { recordOpen } from "./opens";

export async function countPaperOpen(paper: { id: string; version: number }): Promise<void> {
  if ((await headers()).get("next-router-prefetch")) return;
  const reader = await getCurrentUser();
  if (reader) after(recordOpen(reader.id, paper.id, paper.version));
}
