// /sign-up: a new account with e-mail and password. While there is no administrator, it says that
// this account will be the one.
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { adminExists, authConfigProblem, getCurrentUser, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, safeNextPath } from "@/lib/auth";
import { AccountsUnavailable } from "../components/accounts-unavailable";
import { SignUpForm } from "./sign-up-form";

export const metadata: Metadata = { title: "Sign up" };
export const dynamic = "force-dynamic";

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const next = safeNextPath((await searchParams).next);
  const problem = authConfigProblem();
  if (problem) return <AccountsUnavailable problem={problem} />;
  if (await getCurrentUser()) redirect(next);
  const firstAccount = !(await adminExists());
  const signInHref = next === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(next)}`;
  return (
    <section className="auth-page" aria-labelledby="sign-up-title">
      <h1 id="sign-up-title">Create an account</h1>
      <p className="muted">An account keeps your starred papers. Browsing needs none.</p>
      {firstAccount ? (
        <p className="auth-notice" role="note">
          This app has no administrator yet. The first account becomes the administrator.
        </p>
      ) : null}
      <SignUpForm next={next} limits={{ minPassword: PASSWORD_MIN_LENGTH, maxPassword: PASSWORD_MAX_LENGTH }} />
      <p className="auth-switch">
        Already have an account? <Link href={signInHref}>Sign in</Link>
      </p>
    </section>
  );
}
