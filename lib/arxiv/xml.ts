// The XML element tree the arXiv feed parsers read: a strict streaming parse (saxes) into a small
// tree, with clear FeedErrors for empty bodies, HTML error pages and malformed or truncated XML.
import { SaxesParser } from "saxes";
import { cleanText, htmlToText, repairMojibake } from "./text";
import { FeedError } from "./types";

export interface XmlElement {
  /** Local name without namespace prefix: "announce_type" for <arxiv:announce_type>. */
  name: string;
  /** Name as written, prefix included. */
  qname: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Text directly inside this element (CDATA included), entities decoded, not trimmed. */
  text: string;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function htmlTitle(s: string): string | undefined {
  const m = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(s);
  return m ? cleanText(htmlToText(m[1]!)) || undefined : undefined;
}

/**
 * Parses a whole XML document into an element tree and returns its root element. Throws FeedError
 * for an empty body, an HTML page, and anything that is not well-formed XML (a truncated
 * download, a proxy's error text). `what` names the document in messages ("arXiv RSS feed").
 */
export function readXmlDocument(xml: string, what: string): XmlElement {
  let s = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  if (s.trim() === "") throw new FeedError(`${what}: empty response`);
  // Error pages from arXiv, its CDN or a proxy come as HTML; name them instead of reporting the
  // first place the HTML stops being well-formed XML.
  if (/^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!doctype\s+html|<html[\s>])/i.test(s)) {
    const title = htmlTitle(s);
    throw new FeedError(`${what}: got an HTML page instead of XML${title ? ` ("${title}")` : ""}`);
  }
  const first = s.trimStart()[0];
  if (first !== "<") {
    throw new FeedError(`${what}: not XML (starts with ${JSON.stringify(s.trimStart().slice(0, 60))})`);
  }
  s = repairMojibake(s);

  const root: XmlElement = { name: "#document", qname: "#document", attrs: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  let top = root;
  const parser = new SaxesParser({ position: true });
  parser.on("opentag", (tag) => {
    const colon = tag.name.indexOf(":");
    const el: XmlElement = {
      name: colon >= 0 ? tag.name.slice(colon + 1) : tag.name,
      qname: tag.name,
      // Without namespace processing saxes gives plain string values.
      attrs: tag.attributes as Record<string, string>,
      children: [],
      text: "",
    };
    top.children.push(el);
    stack.push(el);
    top = el;
  });
  parser.on("text", (t) => {
    top.text += t;
  });
  parser.on("cdata", (t) => {
    top.text += t;
  });
  parser.on("closetag", () => {
    stack.pop();
    top = stack[stack.length - 1] ?? root;
  });
  try {
    parser.write(s);
  } catch (err) {
    throw new FeedError(`${what}: malformed XML: ${errorText(err)}`, { cause: err });
  }
  try {
    parser.close();
  } catch (err) {
    // Only the end of input is wrong: the body was cut off (a dropped connection, a size limit).
    const open = stack.length > 1 ? `; <${stack[stack.length - 1]!.qname}> never closed` : "";
    throw new FeedError(`${what}: truncated XML: ${errorText(err)}${open}`, { cause: err });
  }
  const doc = root.children[0];
  if (!doc) throw new FeedError(`${what}: no root element`);
  return doc;
}

/** First child element with this local name. */
export function xmlChild(el: XmlElement, name: string): XmlElement | undefined {
  for (const c of el.children) if (c.name === name) return c;
  return undefined;
}

/** All child elements with this local name, in document order. */
export function xmlChildren(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** Whitespace-collapsed text of the first child with this local name; undefined when absent or empty. */
export function xmlChildText(el: XmlElement, name: string): string | undefined {
  const c = xmlChild(el, name);
  if (!c) return undefined;
  const t = cleanText(c.text);
  return t === "" ? undefined : t;
}
