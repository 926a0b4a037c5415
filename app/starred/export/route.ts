// GET /starred/export?format=bibtex|csv: all of the signed-in reader's starred papers as a file.
import { toBibtex, toCsv } from "@/lib/bibtex";
import { userFromHeaders } from "@/lib/auth";
import { listStarred, type StarredPaper } from "@/lib/queries/stars";
import { badQueryResponse, readQuery, starredExportQuery } from "@/lib/query-params";

export const dynamic = "force-dynamic";

const FORMATS = {
  bibtex: { type: "application/x-bibtex; charset=utf-8", file: "starred-papers.bib" },
  csv: { type: "text/csv; charset=utf-8", file: "starred-papers.csv" },
} as const;

type Format = keyof typeof FORMATS;

const plain = (status: number, text: string) =>
  new Response(`${text}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });

async function allStarred(userId: string): Promise<StarredPaper[]> {
  const papers: StarredPaper[] = [];
  let cursor: string | undefined;
  do {
    const page = await listStarred(userId, { limit: 500, cursor });
    papers.push(...page.papers);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return papers;
}

const year = (d: Date | null) => (d ? String(d.getUTCFullYear()) : undefined);

export async function GET(request: Request): Promise<Response> {
  const read = readQuery(starredExportQuery, new URL(request.url).searchParams);
  if (!read.ok) return badQueryResponse(read.problem);
  const format: Format = read.data.format ?? "bibtex";
  const user = await userFromHeaders(request.headers);
  if (!user) return plain(401, "Sign in to export your starred papers: /sign-in?next=/starred");

  const papers = await allStarred(user.id);
  const body =
    format === "bibtex"
      ? papers.map((p) => toBibtex({ ...p, year: year(p.publishedAt) })).join("\n\n") + (papers.length ? "\n" : "")
      : toCsv([
          ["id", "version", "title", "authors", "categories", "published", "url"],
          ...papers.map((p) => [
            p.id,
            String(p.version),
            p.title,
            p.authors.join("; "),
            p.categories.join(" "),
            p.publishedAt ? p.publishedAt.toISOString().slice(0, 10) : "",
            `https://arxiv.org/abs/${p.id}v${p.version}`,
          ]),
        ]);
  const { type, file } = FORMATS[format];
  return new Response(body, {
    headers: {
      "content-type": type,
      "content-disposition": `attachment; filename="${file}"`,
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
