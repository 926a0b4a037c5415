// /api/auth/*: better-auth's endpoints (sign-up, sign-in, sign-out, session, admin) for the browser client.
import { authConfigProblem, getAuth } from "@/lib/auth";

// Resolved per request rather than with toNextJsHandler(auth) at import: `next build` imports this
// module, and the auth instance needs the database and the secret only when a request comes.
async function handle(request: Request): Promise<Response> {
  const problem = authConfigProblem();
  if (problem) return Response.json({ code: "AUTH_NOT_CONFIGURED", message: problem }, { status: 503 });
  return getAuth().handler(request);
}

export const GET = handle;
export const POST = handle;
