// arXiv identifiers: parse any form a feed, URL or user gives into one canonical id + version.
// New style: YYMM.NNNN (0704-1412) or YYMM.NNNNN (1501 on); old style: archive/YYMMNNN, where a
// subject class ("math.GT/0309136") is dropped because arXiv resolves both spellings to one paper.

export interface ArxivIdParts {
  /** Canonical id without version: "2104.12255", "hep-th/9711200". */
  id: string;
  /** Version number when the input names one. */
  version?: number;
}

// Prefixes people and feeds put in front of ids; the id itself is matched separately below.
const PREFIX_RE =
  /^(?:(?:https?:\/\/)?(?:www\.|export\.|rss\.)?arxiv\.org\/(?:abs|pdf|html|format)\/|oai:arxiv\.org:|arxiv:)/i;
const NEW_RE = /^(\d{2})(\d{2})\.(\d{4,5})(?:v(\d+))?$/;
// Archive names are lowercase words joined by "-" (hep-th, cond-mat, q-bio); the optional subject
// class after the dot is as arXiv wrote it (GT, AI, stat-mech).
const OLD_RE = /^([a-z]+(?:-[a-z]+)*)(?:\.[a-z][a-z-]*)?\/(\d{2})(\d{2})(\d{3})(?:v(\d+))?$/i;

function fail(raw: string, why: string): never {
  throw new Error(`Not an arXiv id: ${JSON.stringify(raw.slice(0, 100))} (${why})`);
}

function parseVersion(raw: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) fail(raw, "version must be v1 or higher");
  return n;
}

function checkMonth(raw: string, mm: string): void {
  const m = Number(mm);
  if (m < 1 || m > 12) fail(raw, `month ${mm} does not exist`);
}

/** Parses any accepted spelling of an arXiv id; throws an Error naming the input otherwise. */
export function normalizeArxivId(raw: string): ArxivIdParts {
  let s = raw.trim().replace(PREFIX_RE, "");
  // Links to the PDF carry the extension; a trailing slash comes from hand-pasted URLs.
  s = s.replace(/\.pdf$/i, "").replace(/\/$/, "");

  const n = NEW_RE.exec(s);
  if (n) {
    const [, yy, mm, num, v] = n as unknown as [string, string, string, string, string | undefined];
    checkMonth(raw, mm);
    // Four-digit numbers were used from 0704 to 1412, five-digit ones since 1501; a mismatch is a
    // typo (or a truncated id), not a paper.
    const yymm = Number(yy + mm);
    const five = num.length === 5;
    if (yymm < 704) fail(raw, "new-style ids start in April 2007 (0704)");
    if (five && yymm < 1501) fail(raw, "five-digit numbers start in 1501");
    if (!five && yymm >= 1501) fail(raw, "ids since 1501 have five digits after the dot");
    const version = parseVersion(raw, v);
    return version === undefined ? { id: `${yy}${mm}.${num}` } : { id: `${yy}${mm}.${num}`, version };
  }

  const o = OLD_RE.exec(s);
  if (o) {
    const [, archive, yy, mm, num, v] = o as unknown as [
      string,
      string,
      string,
      string,
      string,
      string | undefined,
    ];
    checkMonth(raw, mm);
    // Old-style ids ran from August 1991 (9108) to March 2007 (0703).
    const y = Number(yy);
    if (!(y >= 91 || (y <= 7 && Number(yy + mm) <= 703))) {
      fail(raw, "old-style ids run from 9108 to 0703");
    }
    const id = `${archive.toLowerCase()}/${yy}${mm}${num}`;
    const version = parseVersion(raw, v);
    return version === undefined ? { id } : { id, version };
  }

  return fail(raw, "expected e.g. 2104.12255, 2104.12255v3 or hep-th/9711200");
}

/** True when normalizeArxivId would accept s. */
export function isArxivId(s: string): boolean {
  try {
    normalizeArxivId(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * Canonical text form: "2104.12255v3", or "2104.12255" without a version. Accepts any spelling
 * normalizeArxivId accepts; an explicit version wins over one embedded in the id.
 */
export function formatArxivId(id: string, version?: number): string {
  const parts = normalizeArxivId(id);
  const v = version ?? parts.version;
  if (v === undefined) return parts.id;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new Error(`Invalid arXiv version ${String(v)} for ${parts.id}: must be 1 or higher`);
  }
  return `${parts.id}v${v}`;
}

/**
 * The year v1 of a canonical id was submitted, read from the id itself (YYMM in both styles; old
 * style ran from 1991 to March 2007), or undefined for a string that is not a canonical id.
 */
export function submissionYear(id: string): number | undefined {
  const yy = NEW_RE.exec(id)?.[1] ?? OLD_RE.exec(id)?.[2];
  if (yy === undefined) return undefined;
  return Number(yy) >= 91 ? 1900 + Number(yy) : 2000 + Number(yy);
}
