// The Prisma client: one instance per process, over node-postgres through the pg driver adapter.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";
import { env } from "./env";

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient; databaseUrl?: string };

/**
 * Points this process's client at `url` instead of DATABASE_URL: command-line scripts on the
 * embedded database (lib/runtime.ts) reach it through the running app or open it themselves.
 */
export function useDatabaseUrl(url: string): void {
  if (globalForPrisma.prisma && globalForPrisma.databaseUrl !== url) {
    throw new Error("useDatabaseUrl() must come before the first query");
  }
  globalForPrisma.databaseUrl = url;
}

/**
 * The address the Prisma client uses (or will use): the one given to useDatabaseUrl, else
 * DATABASE_URL. Code that needs a second driver on the same database (the snapshot import's COPY,
 * lib/import/sql.ts) connects here.
 */
export function databaseUrl(): string {
  const url = globalForPrisma.databaseUrl ?? env().DATABASE_URL;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set. Start the app with `npm start` (it provides an embedded database) or set DATABASE_URL.",
    );
  }
  return url;
}

function createClient(): PrismaClient {
  const url = databaseUrl();
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: 10 }),
    // Prisma's defaults (2 s to begin, 5 s to finish) turn a busy moment into a 500: eight readers
    // starting one FAQ at once on a 2-core machine waited past 2 s to begin their counted
    // transactions (P2028). These only bound waiting; the transactions themselves stay short.
    transactionOptions: { maxWait: 15_000, timeout: 30_000 },
  });
}

/** The process-wide Prisma client (kept across hot reloads in development). */
export function db(): PrismaClient {
  globalForPrisma.prisma ??= createClient();
  return globalForPrisma.prisma;
}

export async function disconnectDb(): Promise<void> {
  await globalForPrisma.prisma?.$disconnect();
  globalForPrisma.prisma = undefined;
}
