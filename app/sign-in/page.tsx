// /sign-in: e-mail and password; afterwards back to the page the reader came from (?next=, same site only).
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { authConfigProblem, getCurrentUser, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, safeNextPath } from "@/lib/auth";
import { AccountsUnavailable } from "../components/accounts-unavailable";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const next = safeNextPath((await searchParams).next);
  const problem = authConfigProblem();
  if (problem) return <AccountsUnavailable problem={problem} />;
  if (await getCurrentUser()) redirect(next);
  const signUpHref = next === "/" ? "/sign-up" : `/sign-up?next=${encodeURIComponent(next)}`;
  return (
    <section className="auth-page" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p className="muted">Browsing needs no account; starring papers does.</p>
      <SignInForm next={next} limits={{ minPassword: PASSWORD_MIN_LENGTH, maxPassword: PASSWORD_MAX_LENGTH }} />
      <p className="auth-switch">
        No account yet? <Link href={signUpHref}>Sign up</Link>
      </p>
    </section>
  );
}
