// Which of a page's papers the signed-in reader starred (one query), or undefined when signed out.
import { getCurrentUser } from "@/lib/auth";
import { starredAmong } from "@/lib/queries/stars";

export async function starredFor(paperIds: string[]): Promise<Set<string> | undefined> {
  const user = await getCurrentUser();
  if (!user) return undefined;
  return starredAmong(user.id, paperIds);
}
