// POST /api/seen {paperIds: [...], seen: true|false}: marks papers seen (at their latest version) or
// unseen for the signed-in reader, as the inbox sends them in batches while the reader scrolls and
// moves with j/k/x (app/inbox/inbox-client.tsx). Unknown paper ids are ignored. Refused: a request
// from another site (403: the reader's cookies would go with it), signed out (401), a body that is
// not {paperIds: 1–200 ids, seen: boolean} (400, saying what to send).
import { z } from "zod";
import { userFromHeaders } from "@/lib/auth";
import { publicUrl } from "@/lib/env";
import { markSeen, markUnseen, MAX_SEEN_BATCH } from "@/lib/queries/inbox";
import { readJsonBody } from "@/lib/request-limits";

export const dynamic = "force-dynamic";

const headers = { "cache-control": "no-store" };
const EXAMPLE = `Send JSON such as {"paperIds": ["2104.12255"], "seen": true}`;

const bodySchema = z.object(
  {
    paperIds: z
      .array(z.string({ error: "Each paper id is a string such as 2104.12255." }).trim().min(1, "A paper id is empty.").max(64, "A paper id is at most 64 characters."), {
        error: "paperIds must be a list of arXiv ids.",
      })
      .min(1, "paperIds is empty: give at least one paper id.")
      .max(MAX_SEEN_BATCH, `At most ${MAX_SEEN_BATCH} paper ids at once.`),
    seen: z.boolean({ error: "seen must be true (mark seen) or false (mark unseen)." }),
  },
  { error: EXAMPLE },
);

/**
 * Whether the request comes from a page of another site. Browsers send Origin with every POST (and
 * Sec-Fetch-Site); it must name this host, as Next.js checks for server actions. A client that is no
 * browser sends neither and carries no one else's cookies.
 */
function fromAnotherSite(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return true;
  const origin = request.headers.get("origin");
  if (origin === null) return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return true; // "null" (a sandboxed frame, a file) or garbage
  }
  const hosts = [request.headers.get("x-forwarded-host"), request.headers.get("host"), new URL(publicUrl()).host];
  return !hosts.includes(host);
}

export async function POST(request: Request): Promise<Response> {
  if (fromAnotherSite(request)) return Response.json({ error: "Seen marks are sent from this site's pages only." }, { status: 403, headers });
  const user = await userFromHeaders(request.headers);
  if (!user) return Response.json({ error: "Sign in to keep track of the papers you have seen." }, { status: 401, headers });
  const read = await readJsonBody(request, () => Response.json({ error: `The body is not JSON. ${EXAMPLE}.` }, { status: 400, headers }));
  if ("refused" in read) return read.refused;
  const parsed = bodySchema.safeParse(read.body);
  if (!parsed.success) return Response.json({ error: parsed.error.issues[0]?.message ?? EXAMPLE }, { status: 400, headers });
  const ids = [...new Set(parsed.data.paperIds)];
  const changed = parsed.data.seen ? await markSeen(user.id, ids) : await markUnseen(user.id, ids);
  return Response.json({ seen: parsed.data.seen, changed }, { headers });
}
