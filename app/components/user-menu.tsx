// The account corner of the header: "Sign in" / "Sign up" for visitors; the reader's address, their
// starred papers, an "Admin" badge and a link to the admin pages for administrators, and "Sign out"
// once signed in. A reader slot (lib/render/reader-html.ts): the web front may fill it for the reader
// in a page rendered for nobody; its links and button work through ReaderBehaviour.
import { getCurrentUser, type CurrentUser } from "@/lib/auth";
import { childLogger } from "@/lib/logger";
import { slot, userMenuHtml } from "@/lib/render/reader-html";

async function currentUserOrNull(): Promise<CurrentUser | null> {
  try {
    return await getCurrentUser();
  } catch (error) {
    // A database hiccup must not take every page down with the header (the page itself reports it
    // through app/error.tsx). A missing AUTH_SECRET is no error here: getCurrentUser says "nobody".
    childLogger("auth").warn({ err: error }, "could not read the session; showing the signed-out menu");
    return null;
  }
}

export async function UserMenu() {
  const user = await currentUserOrNull();
  return <span className="user-menu" dangerouslySetInnerHTML={{ __html: slot("menu", userMenuHtml(user)) }} suppressHydrationWarning />;
}
