/**
 * Reading restXml request bodies safely. XML from the network is hostile: DTDs (and with them entity expansion,
 * "billion laughs" and external entities) are refused outright, only XML's five predefined entities and numeric
 * character references are decoded, and nesting is bounded. The parsed element tree is then turned, guided by the
 * operation's shapes, into the plain string tree shape-walk.ts types (as query-form.ts does for awsQuery).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ServiceModel } from './schema.js';
import { MAX_DEPTH, shapeOf, type ShapeRef } from './shape-walk.js';
import { setKey } from './scalars.js';

export interface XmlElement {
  /** Qualified name as written (`xsi:type`); compare with localName(). */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Character data directly inside this element (entities decoded, CDATA literal). */
  text: string;
}

/** Thrown for any body that is not one well-formed, DTD-free XML document; rest-xml.ts answers MalformedXML. */
export class XmlSyntaxError extends Error {}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // We decode entities ourselves: the parser's own pass would also expand DTD-declared ones.
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const DTD = /<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i;
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));|&/g;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

type Raw = Record<string, unknown>;

export function parseXml(body: Buffer | string): XmlElement {
  const text = (typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, '');
  if (DTD.test(text)) throw new XmlSyntaxError('DTDs are not allowed');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlSyntaxError(valid.err.msg);
  const roots = (parser.parse(text) as Raw[]).map((n) => toElement(n, 0)).filter((e): e is XmlElement => e !== undefined);
  if (roots.length !== 1) throw new XmlSyntaxError('A document must have exactly one root element');
  return roots[0];
}

function toElement(node: Raw, depth: number): XmlElement | undefined {
  if (depth > MAX_DEPTH) throw new XmlSyntaxError(`XML nesting exceeds ${MAX_DEPTH}`);
  const name = Object.keys(node).find((k) => k !== ':@');
  if (name === undefined || name === '#text' || name === '#cdata') return undefined;
  const element: XmlElement = { name, attrs: (node[':@'] as Record<string, string> | undefined) ?? {}, children: [], text: '' };
  for (const child of node[name] as Raw[]) {
    if ('#text' in child) element.text += decodeEntities(String(child['#text']));
    else if ('#cdata' in child) element.text += (child['#cdata'] as Raw[]).map((c) => String(c['#text'] ?? '')).join('');
    else {
      const sub = toElement(child, depth + 1);
      if (sub) element.children.push(sub);
    }
  }
  return element;
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, named: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (named) return PREDEFINED[named];
    const code = dec !== undefined ? Number(dec) : hex !== undefined ? parseInt(hex, 16) : NaN;
    if (!Number.isInteger(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0) {
      throw new XmlSyntaxError(`Undefined or invalid entity ${whole === '&' ? "'&'" : whole}`);
    }
    return String.fromCodePoint(code);
  });
}

export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/**
 * The string tree for `ref` read from `el` (the element carrying the value): structures become objects keyed by
 * member wire name, lists arrays, maps objects, scalars their text. shape-walk's readShape types it afterwards.
 * Members bound to HTTP locations are skipped; unknown elements are ignored, as S3 does.
 */
export function xmlToTree(model: ServiceModel, ref: ShapeRef, el: XmlElement, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new XmlSyntaxError(`XML nesting exceeds ${MAX_DEPTH}`);
  const shape = shapeOf(model, ref.shape);
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        if (member.location) continue;
        const wire = member.locationName ?? name;
        const value = member.xmlAttribute ? attribute(el, wire) : memberValue(model, member, wire, el, depth);
        if (value !== undefined) setKey(out, wire, value);
      }
      return out;
    }
    case 'list': return listItems(model, shape.member, el.children, shape.member.locationName ?? 'member', depth);
    case 'map': return mapEntries(model, shape, el.children.filter((c) => localName(c.name) === 'entry'), depth);
    default: return el.text;
  }
}

function memberValue(model: ServiceModel, member: ShapeRef, wire: string, parent: XmlElement, depth: number): unknown {
  const shape = shapeOf(model, member.shape);
  const named = parent.children.filter((c) => localName(c.name) === localName(wire));
  if ((shape.type === 'list' || shape.type === 'map') && (member.flattened || shape.flattened)) {
    if (!named.length) return undefined;
    if (shape.type === 'list') return named.map((c) => xmlToTree(model, shape.member, c, depth + 1));
    return mapEntries(model, shape, named, depth);
  }
  return named.length ? xmlToTree(model, member, named[0], depth + 1) : undefined;
}

function listItems(model: ServiceModel, item: ShapeRef, children: XmlElement[], itemName: string, depth: number): unknown[] {
  return children.filter((c) => localName(c.name) === localName(itemName)).map((c) => xmlToTree(model, item, c, depth + 1));
}

function mapEntries(model: ServiceModel, shape: { key: ShapeRef; value: ShapeRef }, entries: XmlElement[], depth: number): Record<string, unknown> {
  const keyName = shape.key.locationName ?? 'key';
  const valueName = shape.value.locationName ?? 'value';
  const out: Record<string, unknown> = {};
  for (const entry of entries) {
    const key = entry.children.find((c) => localName(c.name) === keyName);
    const value = entry.children.find((c) => localName(c.name) === valueName);
    if (key && value) setKey(out, key.text, xmlToTree(model, shape.value, value, depth + 1));
  }
  return out;
}

function attribute(el: XmlElement, wire: string): string | undefined {
  if (wire in el.attrs) return el.attrs[wire];
  const local = localName(wire);
  const hit = Object.keys(el.attrs).find((k) => localName(k) === local && !k.startsWith('xmlns'));
  return hit === undefined ? undefined : el.attrs[hit];
}
