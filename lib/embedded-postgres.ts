// The embedded default database: PostgreSQL compiled to WebAssembly (PGlite), with its data in a
// directory, served on 127.0.0.1 by a wire-protocol server (lib/pglite-server.ts) so that Prisma,
// BullMQ and the web server connect to it like to any PostgreSQL.
import { existsSync, readdirSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite/vector";
import { PgliteServer } from "./pglite-server";

export interface EmbeddedPostgres {
  url: string;
  dataDir: string | undefined;
  stop(): Promise<void>;
}

export class EmbeddedDatabaseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EmbeddedDatabaseError";
  }
}

/**
 * Opens (or creates) the database in `dataDir` (in memory when undefined) and serves it on
 * 127.0.0.1:`port` (0 = any free port). Never deletes or rewrites what it cannot open.
 */
export async function startEmbeddedPostgres(options: {
  dataDir?: string;
  port?: number;
}): Promise<EmbeddedPostgres> {
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    const entries = readdirSync(dataDir);
    if (entries.length > 0 && !existsSync(path.join(dataDir, "PG_VERSION"))) {
      throw new EmbeddedDatabaseError(
        `${dataDir} is not empty and does not hold a PostgreSQL database (no PG_VERSION file). ` +
          `Nothing was changed. Move it aside or point DATA_DIR elsewhere.`,
      );
    }
  }
  let database: PGlite;
  try {
    database = await PGlite.create({ dataDir, extensions: { vector } });
    await database.query("SELECT 1");
  } catch (error) {
    throw new EmbeddedDatabaseError(
      `The embedded database in ${dataDir ?? "memory"} could not be opened (${describe(error)}). ` +
        `It may be corrupt or written by another PGlite version. Nothing was deleted; ` +
        `move the directory aside to start with an empty database, or restore a backup.`,
      { cause: error },
    );
  }
  const server = new PgliteServer(database);
  const address = await server.listen(options.port ?? 0, "127.0.0.1");
  return {
    url: `postgresql://postgres:postgres@${address.host}:${address.port}/postgres?sslmode=disable`,
    dataDir,
    async stop() {
      await server.close();
      await database.close();
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
