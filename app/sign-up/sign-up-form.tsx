"use client";
// The sign-up form: checks what it can before asking the server (same limits as the server), creates
// the account through the browser client (signed in at once), and goes on to `next`.
import { useState, type FormEvent } from "react";
import { authClient, describeAuthError } from "@/lib/auth-client";

export function SignUpForm({ next, limits }: { next: string; limits: { minPassword: number; maxPassword: number } }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "").trim();
    if (!email) return setError("Enter your e-mail address.");
    if (password.length < limits.minPassword) return setError(describeAuthError({ code: "PASSWORD_TOO_SHORT", status: 400 }, limits));
    if (password.length > limits.maxPassword) return setError(describeAuthError({ code: "PASSWORD_TOO_LONG", status: 400 }, limits));
    setBusy(true);
    setError(null);
    try {
      // better-auth requires a name; the part before the @ stands in when none is given.
      const { error: failure } = await authClient.signUp.email({ email, password, name: name || email.split("@")[0] || email });
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
    window.location.assign(next);
  };

  return (
    <form className="auth-form" onSubmit={submit} noValidate aria-describedby={error ? "sign-up-error" : undefined}>
      <label>
        E-mail address
        <input name="email" type="email" autoComplete="email" required autoFocus />
      </label>
      <label>
        <span>
          Name <span className="muted">(optional)</span>
        </span>
        <input name="name" type="text" autoComplete="name" maxLength={100} />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          required
          aria-describedby="password-hint"
        />
        <span id="password-hint" className="field-hint">{`At least ${limits.minPassword} characters.`}</span>
      </label>
      {error ? (
        <p id="sign-up-error" className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="primary-button" disabled={busy}>
        {busy ? "Creating the account…" : "Create account"}
      </button>
    </form>
  );
}
