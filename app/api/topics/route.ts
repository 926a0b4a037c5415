// GET /api/topics: the signed-in reader's topics, id and name, in the order of their topics page,
// for the cards' "Add to topic" menus, which the browser fills when one is first opened
// (app/components/card-actions.tsx). Signed out: 401. Never cached.
import { userFromHeaders } from "@/lib/auth";
import { listTopicNames } from "@/lib/queries/topics";

export const dynamic = "force-dynamic";

const headers = { "cache-control": "private, no-store" };

export async function GET(request: Request): Promise<Response> {
  const user = await userFromHeaders(request.headers);
  if (!user) return Response.json({ error: "Sign in to see your topics." }, { status: 401, headers });
  return Response.json({ topics: await listTopicNames(user.id) }, { headers });
}
