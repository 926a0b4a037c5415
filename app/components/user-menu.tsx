// The account corner of the header: "Sign in" / "Sign up" for visitors; the reader's address, their
// starred papers, an "Admin" badge and a link to the admin pages for administrators, and "Sign out" once signed in.
import Link from "next/link";
import { getCurrentUser, type CurrentUser } from "@/lib/auth";
import { childLogger } from "@/lib/logger";
import { SignInLinks, SignOutButton } from "./user-menu-client";

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
  if (!user) {
    return (
      <span className="user-menu">
        <SignInLinks />
      </span>
    );
  }
  return (
    <span className="user-menu">
      <span className="user-email" title={`Signed in as ${user.email}`}>
        {user.email}
      </span>
      {user.role === "admin" ? (
        <span className="role-badge" title="You are an administrator">
          Admin
        </span>
      ) : null}
      {user.role === "admin" ? <Link href="/admin">Admin</Link> : null}
      <Link href="/starred">Starred</Link>
      <SignOutButton />
    </span>
  );
}
