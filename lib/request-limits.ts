// Limits on what a request may bring, shared by proxy.ts (bodies that declare their length) and
// the route handlers that read a body (bodies sent in chunks, whose length is known only by reading).
// The app takes no uploads; its largest legitimate body is a sign-up form.

export const MAX_BODY_BYTES = 1024 * 1024;

/** The words of a 413, whether the size was declared (Content-Length) or found by reading. */
export function bodyTooLargeMessage(bytes: number | "more"): string {
  const size = bytes === "more" ? `more than ${MAX_BODY_BYTES} bytes` : `${bytes} bytes`;
  return `The request body is too large (${size}); the limit is ${MAX_BODY_BYTES} bytes (1 MB).\n`;
}

export function bodyTooLargeResponse(bytes: number | "more"): Response {
  return new Response(bodyTooLargeMessage(bytes), {
    status: 413,
    headers: { "content-type": "text/plain; charset=utf-8", connection: "close" },
  });
}

export class BodyTooLargeError extends Error {
  constructor() {
    super(bodyTooLargeMessage("more").trim());
    this.name = "BodyTooLargeError";
  }
}

/**
 * Reads the body as UTF-8 text, stopping as soon as it passes `limit` bytes (BodyTooLargeError):
 * a chunked body carries no Content-Length for proxy.ts to check, so only reading can measure it.
 */
export async function readBodyText(request: Request, limit = MAX_BODY_BYTES): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The request's body parsed as JSON (read with the cap), or the answer to give: 413 past it, `notJson()` otherwise. */
export async function readJsonBody(request: Request, notJson: () => Response): Promise<{ body: unknown } | { refused: Response }> {
  try {
    return { body: JSON.parse(await readBodyText(request)) };
  } catch (error) {
    return { refused: error instanceof BodyTooLargeError ? bodyTooLargeResponse("more") : notJson() };
  }
}

/** True when every percent-escape in `pathname` decodes to UTF-8 (what Next needs to route it). */
export function isDecodablePath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}
