import { setHeader } from './error-wire.js';
import type { Member, ServiceModel, StructureShape } from './schema.js';
import { scalarText, shapeOf } from './shape-walk.js';

// Header values cannot carry CR, LF or other controls (Node refuses them); a provider's stray one must not 500.
const HEADER_UNSAFE = /[\u0000-\u0008\u000A-\u001F\u007F]/g;

/**
 * Writes the header-, headers- (prefix map, e.g. x-amz-meta-*) and status-bound members of a REST output (restJson1
 * and restXml alike); returns the status code when a member is bound to it.
 */
export function writeBound(model: ServiceModel, shape: StructureShape, output: Record<string, unknown>, headers: Record<string, string>): number | undefined {
  let status: number | undefined;
  for (const [name, member] of Object.entries(shape.members)) {
    const value = output[name];
    if (value === undefined || value === null || !member.location) continue;
    const wire = member.locationName ?? name;
    if (member.location === 'statusCode') status = Number(value);
    else if (member.location === 'header') {
      const text = headerText(model, member, value);
      if (text !== undefined) setHeader(headers, wire, text.replace(HEADER_UNSAFE, ' '));
    } else if (member.location === 'headers' && typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v !== undefined && v !== null) setHeader(headers, `${wire}${k}`, String(v).replace(HEADER_UNSAFE, ' '));
      }
    }
  }
  return status;
}

function headerText(model: ServiceModel, member: Member, value: unknown): string | undefined {
  const shape = shapeOf(model, member.shape);
  if (member.jsonvalue) return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
  if (shape.type === 'list' && Array.isArray(value)) {
    return value.map((v) => scalarText(shapeOf(model, shape.member.shape), shape.member, v, 'rfc822')).join(', ');
  }
  return scalarText(shape, member, value, 'rfc822');
}
