// Next.js configuration. Server-only packages that load native or WebAssembly code at run time are
// kept out of the bundle.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // forbidden() for the admin pages (a signed-in reader without the role gets a 403 page).
  experimental: { authInterrupts: true },
  serverExternalPackages: ["pg", "pino", "bullmq", "ioredis", "@electric-sql/pglite", "@electric-sql/pglite-socket", "onnxruntime-node", "@huggingface/tokenizers", "unpdf"],
};

export default nextConfig;
