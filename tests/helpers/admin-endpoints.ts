// Endpoints found by walking folders of app/ (so a new one is covered without editing a list): pages
// (page.tsx → URL), route handlers (route.ts → URL and exported HTTP methods), and server actions
// (exported functions of "use server" files, with the id and page the build gave them). The admin
// area's are below; tests/helpers/star-endpoints.ts asks the same of the stars' folders.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../../lib/build";

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

export interface EndpointPage { file: string; url: string }
export interface EndpointRoute { file: string; url: string; methods: string[] }
export interface EndpointAction { file: string; name: string; id: string; pageUrl: string }
export type AdminPage = EndpointPage;
export type AdminRoute = EndpointRoute;
export type AdminAction = EndpointAction;

/** The files under these folders of the repository (e.g. "app/admin"), relative to its root. */
const filesUnder = (dirs: readonly string[]) => dirs.flatMap((d) => walk(path.join(ROOT, d))).map((f) => path.relative(ROOT, f));

export function pagesUnder(dirs: readonly string[]): EndpointPage[] {
  return filesUnder(dirs)
    .filter((f) => /(^|\/)page\.(tsx|ts|jsx|js)$/.test(f))
    .map((file) => ({ file, url: urlOf(path.join(ROOT, file)) }));
}

export function routesUnder(dirs: readonly string[]): EndpointRoute[] {
  return filesUnder(dirs)
    .filter((f) => /(^|\/)route\.(tsx|ts|js)$/.test(f))
    .map((file) => {
      const source = readFileSync(path.join(ROOT, file), "utf8");
      const methods = [...source.matchAll(/export\s+(?:async\s+)?(?:function|const)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g)].map((m) => m[1]!);
      return { file, url: urlOf(path.join(ROOT, file)), methods };
    });
}

/** Exported function names of the "use server" files under these folders. */
export function actionExportsUnder(dirs: readonly string[]): { file: string; name: string }[] {
  return filesUnder(dirs)
    .filter((f) => /\.(ts|tsx)$/.test(f))
    .flatMap((file) => {
      const source = readFileSync(path.join(ROOT, file), "utf8");
      if (!/^\s*(?:\/\/[^\n]*\n\s*)*["']use server["']/.test(source)) return [];
      return [...source.matchAll(/export\s+(?:async\s+function\s+(\w+)|const\s+(\w+)\s*=)/g)].map((m) => ({ file, name: (m[1] ?? m[2])! }));
    });
}

interface ManifestEntry { workers: Record<string, unknown>; filename?: string; exportedName?: string }

/**
 * The actions under these folders with the ids the production build gave them; throws when one is
 * missing from the build. `pickPage` chooses, among the pages that use an action (as "app/x/page"),
 * the one to post it to (any of them answers it).
 */
export function actionsUnder(dirs: readonly string[], pickPage: (pages: string[]) => string | undefined): EndpointAction[] {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, ManifestEntry>;
  };
  return actionExportsUnder(dirs).map(({ file, name }) => {
    const found = Object.entries(manifest.node).find(([, e]) => e.filename === file && e.exportedName === name);
    if (!found) throw new Error(`server action ${name} of ${file} is not in the build's manifest`);
    const [id, entry] = found;
    const pages = Object.keys(entry.workers);
    const page = pickPage(pages) ?? pages[0]!;
    return { file, name, id, pageUrl: `/${page.replace(/^app\//, "").replace(/\/?page$/, "")}` };
  });
}

const ADMIN_DIRS = ["app/admin"];

export const adminPages = (): AdminPage[] => pagesUnder(ADMIN_DIRS);
export const adminRoutes = (): AdminRoute[] => routesUnder(ADMIN_DIRS);
/** Exported function names of the "use server" files under app/admin. */
export const adminActionExports = () => actionExportsUnder(ADMIN_DIRS);
/** The admin actions, posted to an admin page that uses them. */
export const adminActions = (): AdminAction[] => actionsUnder(ADMIN_DIRS, (pages) => pages.find((w) => w.startsWith("app/admin")));
