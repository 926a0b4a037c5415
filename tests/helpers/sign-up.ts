// Signing up over HTTP, as the sign-up form does: better-auth's endpoint on a running server, with
// the Origin header a browser sends.
import { expect } from "vitest";

export interface SignedUp {
  /** The answer (for its other headers). */
  response: Response;
  /** The new session as a Cookie header ("name=value; name=value"). */
  cookie: string;
}

/** Signs up `email` on the server at `base`; the answer must be 200. */
export async function signUpOverHttp(base: string, email: string, options: { password: string; name: string; origin?: string }): Promise<SignedUp> {
  const response = await fetch(`${base}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: options.origin ?? base },
    body: JSON.stringify({ email, password: options.password, name: options.name }),
  });
  expect(response.status, `sign-up of ${email}: ${await response.clone().text()}`).toBe(200);
  return { response, cookie: response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") };
}
