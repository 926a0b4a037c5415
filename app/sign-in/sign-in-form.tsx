"use client";
// The sign-in form: posts to better-auth through the browser client (so its rate limit and origin
// checks apply), shows failures in words, and goes on to `next` (already checked by the page).
import { useState, type FormEvent } from "react";
import { authClient, describeAuthError } from "@/lib/auth-client";

export function SignInForm({ next, limits }: { next: string; limits: { minPassword: number; maxPassword: number } }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    if (!email || !password) {
      setError(!email ? "Enter your e-mail address." : "Enter your password.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { error: failure } = await authClient.signIn.email({ email, password });
      if (failure) {
        setError(describeAuthError(failure, limits));
        setBusy(false);
        return;
      }
    } catch {
      setError("The server could not be reached. Check your connection and try again.");
      setBusy(false);
      return;
    }
    // A full load, so every server-rendered part (menu, stars) sees the new session.
    window.location.assign(next);
  };

  return (
    <form className="auth-form" onSubmit={submit} noValidate aria-describedby={error ? "sign-in-error" : undefined}>
      <label>
        E-mail address
        <input name="email" type="email" autoComplete="email" required autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error ? (
        <p id="sign-in-error" className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="primary-button" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
