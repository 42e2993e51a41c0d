/**
 * The few S3 XML documents the client reads (errors, listings, multipart replies) are flat
 * and machine-written, so their fields are picked by element name instead of parsing a tree.
 */

/** The text of every `<tag>…</tag>` in document order, entities decoded. */
export function xmlValues(xml: string, tag: string): string[] {
  return xmlElements(xml, tag).map(decodeEntities);
}

/** The first `<tag>` value, or undefined when there is none (`<tag/>` included). */
export function xmlValue(xml: string, tag: string): string | undefined {
  return xmlValues(xml, tag)[0];
}

/** The raw inner markup of every `<tag>` element (a listing's `<Contents>`), for `xmlValue` on each. */
export function xmlElements(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&${ENTITY_BY_CHAR[c]};`);
}

const ENTITY_BY_CHAR: Record<string, string> = { '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' };
const CHAR_BY_ENTITY: Record<string, string> = Object.fromEntries(Object.entries(ENTITY_BY_CHAR).map(([c, e]) => [e, c]));

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name[0] === '#') return String.fromCodePoint(name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1)));
    return CHAR_BY_ENTITY[name] ?? whole;
  });
}
