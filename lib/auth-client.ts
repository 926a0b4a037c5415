// Accounts in the browser: the better-auth client (sign in, sign up, sign out against /api/auth on
// this origin) and the sentences a reader sees when one of those fails.
import { adminClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";

export const authClient = createAuthClient({
  // Same origin as the page: no baseURL, so the client never needs to know PUBLIC_URL.
  basePath: "/api/auth",
  plugins: [adminClient()],
});

export interface AuthFailure {
  code?: string | undefined;
  status: number;
  message?: string | undefined;
}

/** What went wrong, in words a reader can act on (better-auth's codes are for programs). */
export function describeAuthError(error: AuthFailure, limits: { minPassword: number; maxPassword: number }): string {
  switch (error.code) {
    case "INVALID_EMAIL_OR_PASSWORD":
      return "Wrong e-mail address or password. Check the password (capitals count) and try again.";
    case "USER_ALREADY_EXISTS":
    case "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":
      return "An account with this e-mail address already exists. Sign in instead, or use another address.";
    case "PASSWORD_TOO_SHORT":
      return `This password is too short: use at least ${limits.minPassword} characters.`;
    case "PASSWORD_TOO_LONG":
      return `This password is too long: use at most ${limits.maxPassword} characters.`;
    case "INVALID_EMAIL":
      return "That does not look like an e-mail address.";
    case "AUTH_NOT_CONFIGURED":
      return `Accounts are not available on this server yet: ${error.message ?? "it is not configured"}`;
    case "BANNED_USER":
      return error.message || "This account has been disabled by an administrator.";
    case "INVALID_ORIGIN":
    case "MISSING_OR_NULL_ORIGIN":
    case "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED":
      return "This page was opened at an address the app does not expect. Open the app at its usual address (its PUBLIC_URL) and try again.";
  }
  if (error.status === 429) return "Too many attempts from this address. Wait a minute, then try again.";
  if (error.status === 0 || error.status >= 500) return "The server could not be reached or failed. Try again in a moment.";
  return error.message ? `That did not work: ${error.message}.` : "That did not work. Try again.";
}
