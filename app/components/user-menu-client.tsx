"use client";
// The parts of the user menu that run in the browser: sign-in links that remember the page the
// reader is on, and the sign-out button.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { authClient } from "@/lib/auth-client";

export function SignInLinks() {
  const pathname = usePathname() ?? "/";
  // The account pages themselves are no place to come back to.
  const next = pathname === "/" || pathname === "/sign-in" || pathname === "/sign-up" ? "" : `?next=${encodeURIComponent(pathname)}`;
  return (
    <>
      <Link href={`/sign-in${next}`}>Sign in</Link>
      <Link href={`/sign-up${next}`}>Sign up</Link>
    </>
  );
}

export function SignOutButton() {
  const [state, setState] = useState<"idle" | "busy" | "failed">("idle");
  const signOut = async () => {
    setState("busy");
    const { error } = await authClient.signOut();
    if (error) {
      setState("failed");
      return;
    }
    // A full load: every server-rendered part of the page (stars, menu) must forget the reader.
    window.location.assign("/");
  };
  return (
    <>
      <button type="button" className="link-button" onClick={signOut} disabled={state === "busy"}>
        Sign out
      </button>
      {state === "failed" ? (
        <span role="alert" className="form-error">
          Sign-out failed. Try again.
        </span>
      ) : null}
    </>
  );
}
