// The secret that signs session cookies when AUTH_SECRET is not set, for `npm start` and `npm run
// web` on one machine: made once, kept beside the data (owner-only), so sessions survive restarts
// and every process started from this directory signs alike. Several machines or replicas need one
// AUTH_SECRET set for all of them (README, Deploying).
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export function keptAuthSecret(dataDir: string): string {
  const file = path.join(dataDir, "auth-secret");
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return readFileSync(file, "utf8").trim();
}
