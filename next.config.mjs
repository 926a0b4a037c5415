// Next.js configuration. Server-only packages that load native or WebAssembly code at run time are
// kept out of the bundle. Every response carries the security headers below.

// Content-Security-Policy, measured against the pages in Chromium (tests/reliability/headers.test.ts
// fails on any violation):
// - script-src 'unsafe-inline': Next's App Router streams its page data as inline <script> tags
//   (self.__next_f.push). The only way around it is a per-request nonce set in a proxy, which turns
//   every page dynamic and uncacheable; our own code has no inline script (the theme comes from a
//   cookie). No 'unsafe-eval': production React does not need it.
// - style-src 'unsafe-inline': Temml's MathML carries a few style attributes, and React style props
//   render as attributes too. Styles cannot run code.
// - font-src/img-src 'self' data:: the math font (Temml's) is bundled under /_next/static; data: covers small
//   inlined assets. Nothing is loaded from another origin.
// - frame-ancestors 'none' (and X-Frame-Options for old browsers): no clickjacking by framing.
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // forbidden() for the admin pages (a signed-in reader without the role gets a 403 page).
  experimental: { authInterrupts: true },
  serverExternalPackages: ["pg", "pino", "bullmq", "ioredis", "@electric-sql/pglite", "@electric-sql/pglite-socket", "onnxruntime-node", "@huggingface/tokenizers", "unpdf"],
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
