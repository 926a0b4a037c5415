// Whether the production build of the web app is missing or older than its sources, and building it.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");

/** True when there is no production build or a source file is newer than it. */
export function buildIsStale(root = ROOT): boolean {
  const buildId = path.join(root, ".next/BUILD_ID");
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  const newer = (p: string): boolean => {
    if (!existsSync(p)) return false;
    const stat = statSync(p);
    if (!stat.isDirectory()) return stat.mtimeMs > builtAt;
    return readdirSync(p).some((entry) => entry !== "generated" && newer(path.join(p, entry)));
  };
  // The generated Prisma client (lib/generated) follows prisma/schema.prisma.
  return ["app", "lib", "next.config.mjs", "proxy.ts", "package.json", "prisma/schema.prisma"].some((p) => newer(path.join(root, p)));
}

/** Runs `next build`; returns its exit status. */
export function buildWebApp(env: NodeJS.ProcessEnv, root = ROOT): number | null {
  const nextBin = path.join(root, "node_modules/next/dist/bin/next");
  return spawnSync(process.execPath, [nextBin, "build"], { cwd: root, env, stdio: "inherit" }).status;
}
