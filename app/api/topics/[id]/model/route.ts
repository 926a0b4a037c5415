// GET /api/topics/<id>/model: where the signed-in reader's topic model stands, polled by the topic
// page and by a listing ranked by the topic while the model is retrained (app/topics/model-watch.ts):
// { state: "none" | "training" | "ready", trainedAt, positives, negatives, background, note }.
// Signed out: 401; another reader's topic, a missing one or an id that is not a topic id: 404 (the
// same answer, so nobody learns which topics exist). Never cached: the state changes in seconds.
import { z } from "zod";
import { userFromHeaders } from "@/lib/auth";
import { childLogger } from "@/lib/logger";
import { getTopic } from "@/lib/queries/topics";

export const dynamic = "force-dynamic";

const headers = { "cache-control": "no-store" };
const idSchema = z.uuid();

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const user = await userFromHeaders(request.headers);
  if (!user) return Response.json({ error: "Sign in to see your topics." }, { status: 401, headers });
  const { id } = await params;
  const parsed = idSchema.safeParse(id);
  if (!parsed.success) return Response.json({ error: "There is no such topic." }, { status: 404, headers });
  let topic;
  try {
    topic = await getTopic(user.id, parsed.data);
  } catch (error) {
    childLogger("topics").error({ err: error, topicId: parsed.data }, "reading a topic's model state failed");
    return Response.json({ error: "The server could not reach its database. Try again." }, { status: 503, headers });
  }
  if (!topic) return Response.json({ error: "There is no such topic." }, { status: 404, headers });
  const { state, trainedAt, positives, negatives, background, note } = topic.model;
  return Response.json({ state, trainedAt: trainedAt?.toISOString() ?? null, positives, negatives, background, note }, { headers });
}
