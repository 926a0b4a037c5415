// Runs before every request that carries a body (Next's proxy, formerly middleware): bodies over
// 1 MB are refused at once with 413 and words, before any route or server action reads them.
// Without this, a server action over Next's 1 MB limit answers 500, and route handlers that read
// JSON would read any size. The app takes no uploads; its largest legitimate body is a sign-up form.
import { NextResponse, type NextRequest } from "next/server";

export const MAX_BODY_BYTES = 1024 * 1024;

export function proxy(request: NextRequest) {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) {
    return new NextResponse(`The request body is too large (${length} bytes); the limit is ${MAX_BODY_BYTES} bytes (1 MB).\n`, {
      status: 413,
      headers: { "content-type": "text/plain; charset=utf-8", connection: "close" },
    });
  }
  return NextResponse.next();
}

export const config = {
  // Only requests with a declared body length: page views and static files never reach it.
  matcher: [{ source: "/:path*", has: [{ type: "header", key: "content-length" }] }],
};
