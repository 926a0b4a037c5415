// The one check every admin page, server action and route handler makes, on the server. A layout
// alone protects nothing: server actions and route handlers are reachable without rendering it.
//   pages:          const admin = await adminPage("/admin/queues");   (sign-in redirect, or 403)
//   server actions: return withAdmin(schema, raw, async (admin, input) => ...)
//   route handlers: const admin = await adminRoute(request); if (admin instanceof Response) return admin;
import { forbidden, redirect } from "next/navigation";
import type { z } from "zod";
import { AuthError, getCurrentUser, userFromHeaders, type CurrentUser } from "../auth";
import { childLogger } from "../logger";

export const NOT_ADMIN_MESSAGE = "Only an administrator can do this.";
export const SIGNED_OUT_MESSAGE = "Sign in as an administrator to do this.";

/** What every admin server action returns: a message for the page, or an error in words. */
export type ActionResult<T = undefined> =
  | { ok: true; message: string; data?: T }
  | { ok: false; error: string; status: 400 | 401 | 403 | 404 | 409 | 429 | 500 };

/** For admin pages: signed out → sign-in (and back); signed in without the role → 403 page. */
export async function adminPage(path: string): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(path)}`);
  if (user.role !== "admin") forbidden();
  return user;
}

/** For admin route handlers: the administrator, or the 401/403 answer to return as is. */
export async function adminRoute(request: Request): Promise<CurrentUser | Response> {
  const user = await userFromHeaders(request.headers);
  if (!user) return Response.json({ error: SIGNED_OUT_MESSAGE }, { status: 401, headers: { "cache-control": "no-store" } });
  if (user.role !== "admin") return Response.json({ error: NOT_ADMIN_MESSAGE }, { status: 403, headers: { "cache-control": "no-store" } });
  return user;
}

/**
 * Runs an admin server action: authorize first (before even looking at the input), then validate
 * with zod, then act. Expected failures come back as `{ ok: false, error }`; unexpected ones are
 * logged and reported in words instead of a bare 500.
 */
export async function withAdmin<S extends z.ZodType, T>(
  schema: S,
  raw: unknown,
  act: (admin: CurrentUser, input: z.infer<S>) => Promise<ActionResult<T>>,
): Promise<ActionResult<T>> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, error: SIGNED_OUT_MESSAGE, status: 401 };
  if (user.role !== "admin") return { ok: false, error: NOT_ADMIN_MESSAGE, status: 403 };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: issue?.message ?? "That request was not understood.", status: 400 };
  }
  try {
    return await act(user, parsed.data);
  } catch (error) {
    if (error instanceof AuthError) return { ok: false, error: error.message, status: error.status };
    childLogger("admin").error({ err: error }, "admin action failed");
    return { ok: false, error: `That did not work: ${(error as Error).message ?? String(error)}`, status: 500 };
  }
}
