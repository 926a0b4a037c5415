// Prisma 6 CLI configuration used ONLY to create migrations without Prisma's native schema
// engine (which Prisma 7 downloads on first use): Prisma 6.19 runs Migrate through its
// WebAssembly schema engine when a driver adapter is configured. See README "Database migrations".
import { PrismaPg } from "prisma6-adapter-pg";
import type { PrismaConfig } from "prisma6";

export default {
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  experimental: { adapter: true },
  engine: "js",
  adapter: async () =>
    new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://localhost:5432/postgres" }),
} satisfies PrismaConfig;
