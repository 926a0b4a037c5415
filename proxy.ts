// Runs before routes and server actions (Next's proxy, formerly middleware), for three kinds of
// request only (see `config`):
// - a body over 1 MB is refused at once with 413 and words, before any route or server action
//   reads it. Without this, a server action over Next's 1 MB limit answers 500, and route handlers
//   that read JSON would read any size. Chunked bodies declare no length: the route handlers that
//   read a body cap it themselves (lib/request-limits.ts readBodyText).
// - a path with a percent-escape that is not UTF-8 (`/papers/%ff`) gets 400 with words; Next
//   itself would answer 500 when it decodes the path for a dynamic route.
// - a page view whose address the page cannot read (a date such as 2026-02-30, an unknown tab or
//   category, a page number out of range: lib/query-params.ts) gets HTTP 400. The page still
//   renders, and says which parameter is wrong and the form it takes; a page cannot set its own
//   status, so the status is set here, by the same check the page makes. Only GET and HEAD: a
//   server action posted from such a page is not refused for the page's address.
import { NextResponse, type NextRequest } from "next/server";
import { pageAddressProblem } from "./lib/query-params";
import { bodyTooLargeResponse, isDecodablePath, MAX_BODY_BYTES } from "./lib/request-limits";

export function proxy(request: NextRequest) {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) return bodyTooLargeResponse(length);
  if (request.nextUrl.pathname.includes("%") && !isDecodablePath(request.nextUrl.pathname)) {
    return new NextResponse(
      "This address has a percent-escape that is not UTF-8 (such as %ff), so it names no page. Check the link.\n",
      { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } },
    );
  }
  if ((request.method === "GET" || request.method === "HEAD") && pageAddressProblem(request.nextUrl.pathname, request.nextUrl.searchParams)) {
    return NextResponse.next({ status: 400 });
  }
  return NextResponse.next();
}

export const config = {
  matcher: [
    // Requests with a declared body length: page views and static files never reach it.
    { source: "/:path*", has: [{ type: "header", key: "content-length" }] },
    // Paths holding a percent-escape (checked above); plain addresses never reach it.
    { source: "/:path(.*%.*)" },
    // Pages that read their address (lib/query-params.ts PAGE_QUERIES lists the same).
    { source: "/" },
    { source: "/list/:spec" },
    { source: "/search" },
    { source: "/starred" },
    { source: "/admin/history" },
    { source: "/admin/audit" },
  ],
};
