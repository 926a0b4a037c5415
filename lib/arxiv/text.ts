// Turning arXiv's raw text into plain text: whitespace,
// TeX accents in names, HTML in the legacy feed, comma-joined author lists, mis-decoded UTF-8.
// Titles and abstracts keep their LaTeX: only names are converted to Unicode.


// ---------------------------------------------------------------------------------------------
// Whitespace

/** Collapses hard line wraps and runs of whitespace into single spaces and trims. */
export function cleanText(s: string): string {
  // Abstracts are most of a feed's bytes and most are already one line: checking first, then
  // rewriting only runs that are not a single plain space, is ~4x faster than replace(/\s+/g).
  const dirty = s.includes("  ") || NON_SPACE_WHITESPACE_RE.test(s);
  return (dirty ? s.replace(WHITESPACE_RUN_RE, " ") : s).trim();
}
const NON_SPACE_WHITESPACE_RE = /[^\S ]/;
const WHITESPACE_RUN_RE = /[^\S ]\s*| \s+/g;

// ---------------------------------------------------------------------------------------------
// TeX → Unicode

// Accent commands → the Unicode combining mark they put on the following letter.
const COMBINING: Record<string, string> = {
  "'": "\u0301",
  "`": "\u0300",
  "^": "\u0302",
  '"': "\u0308",
  "~": "\u0303",
  "=": "\u0304",
  ".": "\u0307",
  u: "\u0306",
  v: "\u030C",
  H: "\u030B",
  c: "\u0327",
  k: "\u0328",
  r: "\u030A",
  d: "\u0323",
};

// The accented letter may be \i or \j (dotless, so the accent does not sit on a dot); TeX's control
// word ends at the first non-letter, hence the lookahead.
const BASE = String.raw`\\[ij](?![A-Za-z])|[A-Za-z]`;
// \'e \'{e} \"{\i}: no space allowed after a control symbol (TeX would accent the space).
const SYMBOL_ACCENT_RE = new RegExp(String.raw`\\(['"\x60^~=.])(?:\{\s*(${BASE})\s*\}|(${BASE}))`, "g");
// \c{c} \v s \H{o}: a control word, so TeX skips spaces before an unbraced argument.
const WORD_ACCENT_RE = new RegExp(String.raw`\\([cvHukrd])(?:\s*\{\s*(${BASE})\s*\}|\s+(${BASE}))`, "g");

const LETTERS: Record<string, string> = {
  ss: "ß",
  aa: "å",
  AA: "Å",
  ae: "æ",
  AE: "Æ",
  oe: "œ",
  OE: "Œ",
  l: "ł",
  L: "Ł",
  o: "ø",
  O: "Ø",
  i: "ı",
  j: "ȷ",
};
// "Przemys\l aw" is TeX for Przemysław (the space ends the control word), but "Pawe\l Caban" is a
// sloppy "Paweł Caban": swallow the space only when the word visibly goes on in lowercase.
const LETTER_RE = /\\(ss|aa|AA|ae|AE|oe|OE|l|L|o|O|i|j)(?![A-Za-z])(?:\{\})?( (?=[a-z]))?/g;
const ESCAPE_RE = /\\([&%$#_{}])/g;
// Innermost group whose content is plain (no nested group, no command, no math left), unless it
// is the argument of a command that is still there (\emph{x} stays as written).
const GROUP_RE = /(?<!\\[A-Za-z]+\s*)\{([^{}\\$]*)\}/g;

function accentBase(base: string): string {
  // An accent on \i or \j means an accented i or j; Unicode has no precomposed dotless forms.
  return base === "\\i" ? "i" : base === "\\j" ? "j" : base;
}

// Composed at once, so a following "\L" or "\o" sees a non-ASCII letter rather than a bare "o" and
// still ends its control word ("\L\'od\'z" → "Łódź").
function accented(_m: string, acc: string, braced?: string, bare?: string): string {
  return (accentBase(braced ?? bare ?? "") + (COMBINING[acc] ?? "")).normalize("NFC");
}

function convertTexText(s: string): string {
  if (!s.includes("\\") && !s.includes("{") && !s.includes("~")) return s;
  let t = s.replace(SYMBOL_ACCENT_RE, accented).replace(WORD_ACCENT_RE, accented);
  t = t.replace(LETTER_RE, (_m, name: string) => LETTERS[name] ?? "");
  // Ties are spaces; "\~" was consumed above as an accent when it had a letter to sit on.
  t = t.replace(/(?<!\\)~/g, " ").replace(/\\[ ,]/g, " ");
  let prev: string;
  do {
    prev = t;
    t = t.replace(GROUP_RE, "$1");
  } while (t !== prev);
  return t.replace(ESCAPE_RE, "$1");
}

/**
 * Applies f to the parts of s outside math ($...$, $$...$$, \(...\), \[...\]), keeping math
 * verbatim. A lone "$" (a price, "$35,000") is plain text.
 */
function mapOutsideMath(s: string, f: (text: string) => string): string {
  if (!s.includes("$") && !s.includes("\\(") && !s.includes("\\[")) return f(s);
  let out = "";
  let textStart = 0;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === "\\") {
      const d = s[i + 1];
      if (d === "(" || d === "[") {
        const end = s.indexOf(d === "(" ? "\\)" : "\\]", i + 2);
        if (end >= 0) {
          out += f(s.slice(textStart, i)) + s.slice(i, end + 2);
          i = textStart = end + 2;
          continue;
        }
      }
      i += 2; // an escaped "$" does not open math
      continue;
    }
    if (c === "$") {
      const delim = s[i + 1] === "$" ? "$$" : "$";
      let j = i + delim.length;
      let end = -1;
      while (j < s.length) {
        if (s[j] === "\\") {
          j += 2;
          continue;
        }
        if (s.startsWith(delim, j)) {
          end = j;
          break;
        }
        j++;
      }
      if (end >= 0) {
        out += f(s.slice(textStart, i)) + s.slice(i, end + delim.length);
        i = textStart = end + delim.length;
        continue;
      }
    }
    i++;
  }
  return out + f(s.slice(textStart));
}

/**
 * Converts TeX accents, special letters and escapes to Unicode (NFC) and strips leftover grouping
 * braces around plain text: "R\'emy" → "Rémy", "Przemys{\l}aw" → "Przemysław", "{\"u}" → "ü".
 * Math ($...$) and unknown commands are left as written.
 */
export function texToUnicode(s: string): string {
  if (PLAIN_ASCII_RE.test(s)) return s;
  return mapOutsideMath(s, convertTexText).normalize("NFC");
}
// Nothing to convert and nothing to normalise: no command, group, tie, math, or non-ASCII.
const PLAIN_ASCII_RE = /^[^\\{}~$\u0080-\uFFFF]*$/;

// ---------------------------------------------------------------------------------------------
// Author lists

const ET_AL_RE = /^et\.? al\.?$/i;
const TRAILING_ET_AL_RE = /\s+et\.? al\.?$/i;
const SUFFIX_RE = /^(?:Jr|Sr|Jnr|Snr|II|III|IV)\.?$/;
// "J. M. Zanotti, for the RBC and UKQCD Collaborations", "A. Smith on behalf of the ATLAS
// Collaboration": the group is kept as an author name, without the "for the".
const ON_BEHALF_START_RE = /^\s*(?:for|on behalf of) the\s/i;
const ON_BEHALF_RE = /^(.*?)\s*\b(?:for|on behalf of) the\s+(.+)$/i;
// "CDF Collaboration: T. Aaltonen, et al" names the group and then a member.
const GROUP_PREFIX_RE = /^(.*\b(?:collaboration|consortium|team|group|project|survey|experiment)s?)\s*:\s*(.+)$/i;

/** Positions of parentheses that have a partner; an unbalanced one is treated as ordinary text. */
function matchedParens(s: string): Set<number> {
  const open: number[] = [];
  const matched = new Set<number>();
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "(") open.push(i);
    else if (c === ")") {
      const o = open.pop();
      if (o !== undefined) {
        matched.add(o);
        matched.add(i);
      }
    }
  }
  return matched;
}

/**
 * Splits arXiv's one-string author list ("A (X, Y and Z), B and C") into names: commas, ";" and
 * " and " separate authors only outside parentheses and TeX groups; parenthesised affiliations are
 * dropped; "et al" is dropped; "Jr." stays with its name; each name is converted with texToUnicode.
 */
export function splitAuthors(s: string): string[] {
  const text = cleanText(s);
  const names: string[] = [];
  for (const raw of topLevelPieces(text)) addAuthor(names, raw);
  return names;
}

// Most lists have no parentheses, groups or escapes: a plain split is then exact and much faster.
const PLAIN_SPLIT_RE = /[,;]| and /;
const PLAIN_SPLIT_G_RE = /[,;]| and /g;

function topLevelPieces(text: string): string[] {
  if (!/[(){}\\]/.test(text) && !/(?:for|on behalf of) the\s/i.test(text)) {
    return PLAIN_SPLIT_RE.test(text) ? text.split(PLAIN_SPLIT_G_RE) : [text];
  }
  const parens = text.includes("(") || text.includes(")") ? matchedParens(text) : undefined;
  const pieces: string[] = [];
  let cur = "";
  let start = 0; // start of the pending run of kept characters, copied into cur in one slice
  let parenDepth = 0;
  let braceDepth = 0;
  const flush = (end: number) => {
    if (end > start) cur += text.slice(start, end);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (parens?.has(i)) {
      // Affiliations are dropped whole, including nested "((1) Univ. X, (2) Univ. Y)".
      if (parenDepth === 0) flush(i);
      parenDepth += c === "(" ? 1 : -1;
      start = i + 1;
      continue;
    }
    if (parenDepth > 0) continue;
    if (c === "(" || c === ")") {
      // Unbalanced: drop the character, keep the words.
      flush(i);
      start = i + 1;
      continue;
    }
    if (c === "\\") {
      i++; // a TeX escape like \{ or \, never separates names
      continue;
    }
    if (c === "{") braceDepth++;
    else if (c === "}") braceDepth = Math.max(0, braceDepth - 1);
    if (braceDepth > 0) continue;
    if (c === "," || c === ";") {
      flush(i);
      pieces.push(cur);
      cur = "";
      start = i + 1;
      continue;
    }
    if (c === " " && text.startsWith(" and ", i)) {
      flush(i);
      // "..., for the RBC and UKQCD Collaborations" is one group, not two authors.
      if (ON_BEHALF_START_RE.test(cur)) {
        cur += " and ";
      } else {
        pieces.push(cur);
        cur = "";
      }
      i += 4; // skip "and"; the loop's i++ skips the space after it
      start = i + 1;
    }
  }
  if (parenDepth === 0) flush(text.length);
  pieces.push(cur);
  return pieces;
}

function addAuthor(names: string[], raw: string): void {
  // ", and B" leaves "and B"; a list ending in "and" leaves "B and".
  let p = raw.trim().replace(/^and\s+/, "").replace(/\s+and$/, "").replace(TRAILING_ET_AL_RE, "");
  if (p === "" || p === "and" || ET_AL_RE.test(p)) return;
  // The includes() checks keep the backtracking regexes off the common plain name.
  const behalf = p.includes("the") ? ON_BEHALF_RE.exec(p) : null;
  if (behalf) {
    const member = cleanText(texToUnicode(behalf[1]!));
    if (member !== "") names.push(member);
    names.push(cleanText(texToUnicode(behalf[2]!)));
    return;
  }
  const group = p.includes(":") ? GROUP_PREFIX_RE.exec(p) : null;
  if (group) {
    names.push(cleanText(texToUnicode(group[1]!)));
    p = group[2]!;
    if (ET_AL_RE.test(p.trim())) return;
  }
  const name = cleanText(texToUnicode(p));
  if (name === "") return;
  if (SUFFIX_RE.test(name) && names.length > 0) {
    names[names.length - 1] += ` ${name}`;
    return;
  }
  names.push(name);
}

// ---------------------------------------------------------------------------------------------
// HTML (the legacy RDF feed puts escaped HTML in descriptions and author lists)

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00A0",
  ndash: "–",
  mdash: "—",
  hellip: "…",
};

/** Decodes numeric and the common named HTML entities; unknown names are left as written. */
export function decodeHtmlEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z]+));/g, (m, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return NAMED_ENTITIES[name] ?? m;
    const cp = dec !== undefined ? Number(dec) : Number.parseInt(hex ?? "", 16);
    const valid = cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    return valid ? String.fromCodePoint(cp) : "\uFFFD";
  });
}

// Block elements separate words; inline ones (<a>, <i>) may sit inside a word.
const BLOCK_TAG_RE = /<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|td|table|blockquote)\b[^>]*>/gi;
const TAG_RE = /<\/?[A-Za-z!][^>]*>/g;

/** Drops HTML tags and decodes entities, in that order so an encoded "&lt;" stays a character. */
export function htmlToText(s: string): string {
  if (!s.includes("<")) return decodeHtmlEntities(s);
  return decodeHtmlEntities(s.replace(BLOCK_TAG_RE, " ").replace(TAG_RE, ""));
}

// ---------------------------------------------------------------------------------------------
// Mis-decoded UTF-8

// A UTF-8 lead byte followed by a continuation byte, both read as Latin-1 characters ("Ã©").
const MOJIBAKE_RE = /[\u00C2-\u00F4][\u0080-\u00BF]/;
const BEYOND_LATIN1_RE = /[^\u0000-\u00FF]/;

/**
 * Repairs a document whose UTF-8 bytes were decoded as Latin-1 somewhere upstream ("RamÃ­rez" →
 * "Ramírez"), as HTTP clients do for a content type without charset. Only when the whole text is
 * consistent with that mistake: every character fits in a byte and the bytes are valid UTF-8.
 */
export function repairMojibake(s: string): string {
  if (!MOJIBAKE_RE.test(s) || BEYOND_LATIN1_RE.test(s)) return s;
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return s; // not valid UTF-8 after all: genuine Latin-1 text
  }
}
