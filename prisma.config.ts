// Prisma CLI configuration (Prisma 7): where the schema and migrations live and which database
// the CLI talks to. The app itself never reads this file; it connects through lib/db.ts.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/postgres" },
});
