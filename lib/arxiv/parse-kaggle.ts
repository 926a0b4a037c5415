// One line of the Kaggle arXiv metadata snapshot (arxiv-metadata-oai-snapshot.json, JSON lines)
// → ParsedEntry. Pure: a string in, plain data out; the caller reads the file line by line.

import { normalizeArxivId } from "./ids";
import { cleanText, splitAuthors, texToUnicode } from "./text";
import type { ParsedEntry } from "./types";

type Json = Record<string, unknown>;

function fail(why: string, id?: string): never {
  throw new Error(`Bad Kaggle arXiv metadata line${id ? ` (${id})` : ""}: ${why}`);
}

function optionalString(o: Json, key: string, id: string): string | undefined {
  const v = o[key];
  if (v === null || v === undefined) return undefined;
  if (typeof v !== "string") fail(`"${key}" is not a string`, id);
  const t = cleanText(v);
  return t === "" ? undefined : t;
}

function dateOf(s: string): Date | undefined {
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** authors_parsed rows are [last, first, suffix, ...affiliations]; the name is "first last suffix". */
function namesFromParsed(rows: unknown, id: string): string[] | undefined {
  if (!Array.isArray(rows) || rows.length === 0) return undefined;
  const names: string[] = [];
  for (const row of rows) {
    if (!Array.isArray(row) || !row.every((p) => typeof p === "string")) {
      fail("authors_parsed is not a list of string lists", id);
    }
    const [last = "", first = "", suffix = ""] = row as string[];
    // The snapshot's name splitter spaces out hyphenated initials: "C.-P." comes back as "C. -P.".
    const given = first.replace(/\. -(?=\p{Lu})/gu, ".-");
    const name = cleanText(texToUnicode([given, last, suffix].join(" ")));
    if (name !== "") names.push(name);
  }
  return names;
}

/**
 * Parses one snapshot line. Names come from `authors_parsed` when present (already split by
 * arXiv), else from splitting `authors`; the latest of `versions` gives the version, the first's
 * `created` gives publishedAt, `update_date` gives updatedAt. Throws an Error naming the problem
 * for a line that is not a JSON object with an id, title and categories.
 */
export function parseKaggleLine(line: string): ParsedEntry {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    fail(`not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail("not a JSON object");
  const o = value as Json;

  if (typeof o.id !== "string") fail('no "id" string');
  let parts: { id: string; version?: number };
  try {
    parts = normalizeArxivId(o.id);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const { id } = parts;

  const title = optionalString(o, "title", id);
  if (!title) fail("no title", id);
  const categories = [...new Set((optionalString(o, "categories", id) ?? "").split(" ").filter((c) => c !== ""))];
  const primaryCategory = categories[0];
  if (primaryCategory === undefined) fail("no categories", id);

  // versions: [{ version: "v1", created: "Mon, 2 Apr 2007 19:18:42 GMT" }, ...], oldest first.
  let version = parts.version ?? 1;
  let publishedAt: Date | undefined;
  if (o.versions !== undefined && o.versions !== null) {
    if (!Array.isArray(o.versions)) fail('"versions" is not a list', id);
    (o.versions as unknown[]).forEach((v, i) => {
      const rec = (typeof v === "object" && v !== null ? v : {}) as Json;
      const n = typeof rec.version === "string" ? Number(/^v(\d+)$/.exec(rec.version)?.[1]) : Number.NaN;
      if (!Number.isSafeInteger(n)) fail(`bad entry in "versions": ${JSON.stringify(v)}`, id);
      if (n > version) version = n;
      // v1 is listed first; going by the number too guards against a reordered list.
      if ((i === 0 || n === 1) && typeof rec.created === "string") publishedAt = dateOf(rec.created);
    });
  }
  const updateDate = optionalString(o, "update_date", id);
  const updatedAt = updateDate ? dateOf(updateDate) : undefined;

  const authors = namesFromParsed(o.authors_parsed, id) ?? splitAuthors(optionalString(o, "authors", id) ?? "");
  const comments = optionalString(o, "comments", id);
  const journalRef = optionalString(o, "journal-ref", id);
  const doi = optionalString(o, "doi", id);
  return {
    id,
    version,
    title,
    abstract: optionalString(o, "abstract", id) ?? "",
    authors,
    categories,
    primaryCategory,
    ...(comments !== undefined && { comments }),
    ...(journalRef !== undefined && { journalRef }),
    ...(doi !== undefined && { doi }),
    ...(publishedAt !== undefined && { publishedAt }),
    ...(updatedAt !== undefined && { updatedAt }),
  };
}
