// Every endpoint that reads or changes a reader's stars, found by walking app/stars and app/starred
// (so a new one is covered without editing a list; the walking is tests/helpers/admin-endpoints.ts's,
// which does the same for the admin area): server actions (exported functions of "use server" files,
// with the id the build gave them) and route handlers (route.ts → URL and exported HTTP methods).
import { actionExportsUnder, actionsUnder, routesUnder, type EndpointAction, type EndpointRoute } from "./admin-endpoints";

const STAR_DIRS = ["app/stars", "app/starred"];

export type StarRoute = EndpointRoute;
export type StarAction = EndpointAction;

export const starRoutes = (): StarRoute[] => routesUnder(STAR_DIRS);

/** Exported function names of the "use server" files under app/stars and app/starred. */
export const starActionExports = () => actionExportsUnder(STAR_DIRS);

/**
 * The actions with the ids the production build gave them, posted to the Starred page (or another
 * page without path parameters to fill in); throws when one is missing.
 */
export const starActions = (): StarAction[] =>
  actionsUnder(STAR_DIRS, (pages) => pages.find((w) => w === "app/starred/page") ?? pages.find((w) => !w.includes("[")));

/** Calls a server action the way the browser does; `result` is the action's return value. */
export async function callStarAction(baseUrl: string, action: StarAction, args: unknown[], cookie?: string): Promise<{ status: number; result: unknown }> {
  const response = await fetch(`${baseUrl}${action.pageUrl}`, {
    method: "POST",
    headers: {
      "next-action": action.id,
      "content-type": "text/plain;charset=UTF-8",
      accept: "text/x-component",
      origin: baseUrl,
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify(args),
    redirect: "manual",
  });
  const text = await response.text();
  // The RSC answer carries the action's return value as one JSON row ("1:{...}").
  const row = text.split("\n").find((line) => /^[0-9a-f]+:\{"(?:error|labels|note|starred)"/.test(line));
  return { status: response.status, result: row ? JSON.parse(row.slice(row.indexOf(":") + 1)) : undefined };
}
