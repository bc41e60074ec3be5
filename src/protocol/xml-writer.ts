/**
 * Shape-driven XML output for awsQuery (and later restXml): lists as `<member>` (or flattened), maps as
 * `<entry><key/><value/></entry>`, timestamps ISO-8601 with milliseconds, booleans lowercase.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#response-serialization
 */
import type { ServiceModel } from './schema.js';
import { MAX_DEPTH, scalarText, shapeOf, type ShapeRef } from './shape-walk.js';

// XML 1.0 cannot carry these code points even escaped; AWS would never emit them, so they become U+FFFD.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' };

export function escapeXml(text: string): string {
  return text.replace(INVALID_XML, '\uFFFD').replace(/[&<>"'\r]/g, (c) => ESCAPES[c]);
}

export function element(name: string, inner: string): string {
  return inner === '' ? `<${name}/>` : `<${name}>${inner}</${name}>`;
}

/** The members of a structure value as a sequence of elements (the caller writes the wrapper). */
export function writeXmlMembers(model: ServiceModel, shapeName: string, value: Record<string, unknown> | undefined): string {
  const shape = shapeOf(model, shapeName);
  if (!value || shape.type !== 'structure') return '';
  return new XmlWriter(model).members(shape.members, value, 0);
}

class XmlWriter {
  constructor(private readonly model: ServiceModel) {}

  members(members: Record<string, ShapeRef>, value: Record<string, unknown>, depth: number): string {
    let out = '';
    for (const [name, member] of Object.entries(members)) {
      const item = value[name];
      if (item === undefined || item === null) continue;
      out += this.named(member.locationName ?? name, member, item, depth + 1);
    }
    return out;
  }

  /** One member as element(s) named `name` (flattened lists and maps repeat the name instead of wrapping). */
  private named(name: string, ref: ShapeRef, value: unknown, depth: number): string {
    if (depth > MAX_DEPTH * 2) throw new Error('output nesting too deep (cyclic provider output?)');
    const shape = shapeOf(this.model, ref.shape);
    if (shape.type === 'list' && Array.isArray(value)) {
      if (ref.flattened || shape.flattened) {
        const itemName = shape.member.locationName ?? name;
        return value.map((v) => this.named(itemName, shape.member, v, depth + 1)).join('');
      }
      const itemName = shape.member.locationName ?? 'member';
      return element(name, value.map((v) => this.named(itemName, shape.member, v, depth + 1)).join(''));
    }
    if (shape.type === 'map' && value && typeof value === 'object') {
      const keyName = shape.key.locationName ?? 'key';
      const valueName = shape.value.locationName ?? 'value';
      const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) =>
        element(keyName, escapeXml(k)) + (v === undefined || v === null ? '' : this.named(valueName, shape.value, v, depth + 1)));
      if (ref.flattened || shape.flattened) return entries.map((e) => element(name, e)).join('');
      return element(name, entries.map((e) => element('entry', e)).join(''));
    }
    if (shape.type === 'structure') {
      return value && typeof value === 'object' ? element(name, this.members(shape.members, value as Record<string, unknown>, depth)) : '';
    }
    const text = scalarText(shape, ref, value);
    return text === undefined ? '' : element(name, escapeXml(text));
  }
}
