// Next.js configuration. Server-only packages that load native or WebAssembly code at run time are
// kept out of the bundle.
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  serverExternalPackages: ["pg", "pino", "bullmq", "ioredis", "@electric-sql/pglite", "@electric-sql/pglite-socket", "onnxruntime-node", "@huggingface/tokenizers", "unpdf"],
};

export default nextConfig;
