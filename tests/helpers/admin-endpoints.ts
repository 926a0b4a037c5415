// Every admin endpoint, found by walking app/admin (so a new one is covered without editing a list):
// pages (page.tsx → URL), route handlers (route.ts → URL and exported HTTP methods), and server
// actions (exported functions of "use server" files, with the id and page the build gave them).
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../lib/build";

const ADMIN_DIR = path.join(ROOT, "app/admin");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

/** app/admin/(group)/x/[id]/page.tsx → /admin/x/test-id */
function urlOf(file: string): string {
  const rel = path.relative(path.join(ROOT, "app"), path.dirname(file)).split(path.sep);
  const parts = rel.filter((p) => !/^\(.*\)$/.test(p)).map((p) => (/^\[.*\]$/.test(p) ? "test-id" : p));
  return `/${parts.join("/")}`;
}

export interface AdminPage { file: string; url: string }
export interface AdminRoute { file: string; url: string; methods: string[] }
export interface AdminAction { file: string; name: string; id: string; pageUrl: string }

const files = () => walk(ADMIN_DIR).map((f) => path.relative(ROOT, f));

export function adminPages(): AdminPage[] {
  return files().filter((f) => /(^|\/)page\.(tsx|ts|jsx|js)$/.test(f)).map((file) => ({ file, url: urlOf(path.join(ROOT, file)) }));
}

export function adminRoutes(): AdminRoute[] {
  return files()
    .filter((f) => /(^|\/)route\.(tsx|ts|js)$/.test(f))
    .map((file) => {
      const source = readFileSync(path.join(ROOT, file), "utf8");
      const methods = [...source.matchAll(/export\s+(?:async\s+)?(?:function|const)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g)].map((m) => m[1]!);
      return { file, url: urlOf(path.join(ROOT, file)), methods };
    });
}

/** Exported function names of the "use server" files under app/admin. */
export function adminActionExports(): { file: string; name: string }[] {
  return files()
    .filter((f) => /\.(ts|tsx)$/.test(f))
    .flatMap((file) => {
      const source = readFileSync(path.join(ROOT, file), "utf8");
      if (!/^\s*(?:\/\/[^\n]*\n\s*)*["']use server["']/.test(source)) return [];
      return [...source.matchAll(/export\s+(?:async\s+function\s+(\w+)|const\s+(\w+)\s*=)/g)].map((m) => ({ file, name: (m[1] ?? m[2])! }));
    });
}

interface ManifestEntry { workers: Record<string, unknown>; filename?: string; exportedName?: string }

/** The actions with the ids the production build gave them; throws when one is missing from the build. */
export function adminActions(): AdminAction[] {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, ManifestEntry>;
  };
  return adminActionExports().map(({ file, name }) => {
    const found = Object.entries(manifest.node).find(([, e]) => e.filename === file && e.exportedName === name);
    if (!found) throw new Error(`server action ${name} of ${file} is not in the build's manifest`);
    const [id, entry] = found;
    const page = Object.keys(entry.workers).find((w) => w.startsWith("app/admin")) ?? Object.keys(entry.workers)[0]!;
    return { file, name, id, pageUrl: `/${page.replace(/^app\//, "").replace(/\/page$/, "")}` };
  });
}
