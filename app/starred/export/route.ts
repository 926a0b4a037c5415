// GET /starred/export?format=bibtex|ris|csv[&label=…]: the signed-in reader's starred papers (all, or
// those filed under one label) as a file, with the reader's labels and notes in every format. A label
// the reader does not have gives an empty file, as the Starred page gives an empty list.
import { toBibtex, toCsv } from "@/lib/bibtex";
import { userFromHeaders } from "@/lib/auth";
import { findStarLabel, listStarred, type StarredPaper } from "@/lib/queries/stars";
import { badQueryResponse, readQuery, starredExportQuery } from "@/lib/query-params";
import { toRisFile } from "@/lib/ris";

export const dynamic = "force-dynamic";

const FORMATS = {
  bibtex: { type: "application/x-bibtex; charset=utf-8", extension: "bib" },
  ris: { type: "application/x-research-info-systems; charset=utf-8", extension: "ris" },
  csv: { type: "text/csv; charset=utf-8", extension: "csv" },
} as const;

type Format = keyof typeof FORMATS;

const plain = (status: number, text: string) =>
  new Response(`${text}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });

async function allStarred(userId: string, label: string | undefined): Promise<StarredPaper[]> {
  const papers: StarredPaper[] = [];
  let cursor: string | undefined;
  do {
    const page = await listStarred(userId, { limit: 500, cursor, label });
    papers.push(...page.papers);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return papers;
}

const year = (d: Date | null) => (d ? String(d.getUTCFullYear()) : undefined);

function render(format: Format, papers: StarredPaper[]): string {
  switch (format) {
    case "bibtex":
      return papers.map((p) => toBibtex({ ...p, year: year(p.publishedAt) })).join("\n\n") + (papers.length ? "\n" : "");
    case "ris":
      return toRisFile(papers);
    case "csv":
      return toCsv([
        ["id", "version", "title", "authors", "categories", "published", "url", "labels", "note"],
        ...papers.map((p) => [
          p.id,
          String(p.version),
          p.title,
          p.authors.join("; "),
          p.categories.join(" "),
          p.publishedAt ? p.publishedAt.toISOString().slice(0, 10) : "",
          `https://arxiv.org/abs/${p.id}v${p.version}`,
          p.labels.join("; "),
          p.note ?? "",
        ]),
      ]);
  }
}

/** starred-papers.bib, or starred-to-read.bib for a label (letters and digits of it, in ASCII). */
function fileName(format: Format, label: string | undefined): string {
  const slug = (label ?? "")
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40);
  return `starred-${label === undefined ? "papers" : slug || "label"}.${FORMATS[format].extension}`;
}

export async function GET(request: Request): Promise<Response> {
  const read = readQuery(starredExportQuery, new URL(request.url).searchParams);
  if (!read.ok) return badQueryResponse(read.problem);
  const format: Format = read.data.format ?? "bibtex";
  const user = await userFromHeaders(request.headers);
  if (!user) return plain(401, "Sign in to export your starred papers: /sign-in?next=/starred");

  // The label as the reader spells it; one they do not have matches no star.
  const wanted = read.data.label;
  const label = wanted === undefined ? undefined : await findStarLabel(user.id, wanted);
  const papers = wanted !== undefined && label === undefined ? [] : await allStarred(user.id, label);
  return new Response(render(format, papers), {
    headers: {
      "content-type": FORMATS[format].type,
      "content-disposition": `attachment; filename="${fileName(format, wanted === undefined ? undefined : (label ?? wanted))}"`,
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
