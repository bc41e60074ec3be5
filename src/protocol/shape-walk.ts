/**
 * The one schema walker every protocol uses. Readers turn a parsed wire tree (JSON, CBOR, or the string tree the
 * query and REST decoders build) into the typed input; writers turn a typed output into a JSON/CBOR tree. Only
 * modelled members cross in either direction, so unknown client keys and stray provider fields are dropped.
 */
import { CommonErrors, type ErrorFamily, type ServiceError } from './errors.js';
import {
  decodeBase64, encodeBase64, formatNumberText, formatTimestamp, parseNumberText, parseTimestamp, setKey, specialFloat,
  toBytes, type TimestampFormat,
} from './scalars.js';
import type { Member, ServiceModel, Shape, StructureShape } from './schema.js';

/** How scalars arrive: JSON values, CBOR values (bytes, Dates), or text (query parameters, headers, URIs). */
export type WireFormat = 'json' | 'cbor' | 'text';

export interface ReadOptions {
  model: ServiceModel;
  format: WireFormat;
  family: ErrorFamily;
}

/** A reference to a shape: a structure member, list member, map key/value, or a bare `{ shape }`. */
export type ShapeRef = Pick<Member, 'shape'> & Partial<Member>;

/** Far beyond any real AWS input; stops hostile nesting of recursive shapes before the stack does. */
export const MAX_DEPTH = 64;

const NUMERIC_TARGET: Record<string, string> = {
  integer: 'an Integer', long: 'a Long', float: 'a Float', double: 'a Double', bigdecimal: 'a BigDecimal',
};
const TARGET: Record<string, string> = {
  ...NUMERIC_TARGET, boolean: 'a Boolean', string: 'a String', timestamp: 'a Timestamp', blob: 'a Blob',
  structure: 'a Structure', list: 'a List', map: 'a Map',
};

export function shapeOf(model: ServiceModel, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`model ${model.metadata.serviceId} has no shape ${name}`);
  return shape;
}

/** Wire key of a structure member in a body (botocore's serialized name). */
export function wireName(name: string, member: Member): string {
  return member.locationName ?? name;
}

/** Reads a structure; `raw` undefined or null gives {} (an empty body is an empty input). */
export function readStructure(opts: ReadOptions, shapeName: string, raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  return readShape(opts, { shape: shapeName }, raw, '', 0) as Record<string, unknown>;
}

export function readShape(opts: ReadOptions, ref: ShapeRef, raw: unknown, path: string, depth: number): unknown {
  if (raw === undefined || raw === null) return undefined;
  if (depth > MAX_DEPTH) throw serialization(opts, `Input nesting exceeds the maximum depth of ${MAX_DEPTH}`);
  const shape = shapeOf(opts.model, ref.shape);
  switch (shape.type) {
    case 'structure': return shape.document ? raw : readMembers(opts, shape, raw, path, depth);
    case 'list': {
      if (!Array.isArray(raw)) throw mismatch(opts, shape, raw, path);
      const out: unknown[] = [];
      for (let i = 0; i < raw.length; i++) {
        const item = readShape(opts, shape.member, raw[i], `${path}.${i + 1}`, depth + 1);
        if (item !== undefined) out.push(item);
      }
      return out;
    }
    case 'map': {
      if (!isPlainObject(raw)) throw mismatch(opts, shape, raw, path);
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(raw)) {
        const item = readShape(opts, shape.value, value, `${path}.${key}`, depth + 1);
        if (item !== undefined) setKey(out, key, item);
      }
      return out;
    }
    default: return readScalar(opts, shape, raw, path);
  }
}

function readMembers(opts: ReadOptions, shape: StructureShape, raw: unknown, path: string, depth: number): Record<string, unknown> {
  if (!isPlainObject(raw)) throw mismatch(opts, shape, raw, path);
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(shape.members)) {
    // HTTP-bound members (headers, labels, query) never come from a body; rest-json.ts reads them itself.
    if (member.location) continue;
    const value = readShape(opts, member, raw[wireName(name, member)], path ? `${path}.${name}` : name, depth + 1);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Coerces one scalar; the only place the protocols' type rules live. */
export function readScalar(opts: ReadOptions, shape: Shape, raw: unknown, path: string): unknown {
  const text = opts.format === 'text';
  switch (shape.type) {
    case 'string':
      if (typeof raw === 'string') return raw;
      break;
    case 'boolean':
      if (typeof raw === 'boolean' && !text) return raw;
      if (typeof raw === 'string' && text && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
      break;
    case 'integer': case 'long': case 'float': case 'double': case 'bigdecimal': {
      const value = readNumber(raw, shape.type === 'integer' || shape.type === 'long', text);
      if (value !== undefined) return value;
      break;
    }
    case 'timestamp': {
      // Numbers and strings are both accepted: clients disagree (epoch seconds in JSON, ISO-8601 in query).
      const value = typeof raw === 'boolean' ? undefined : parseTimestamp(raw);
      if (value) return value;
      break;
    }
    case 'blob': {
      if (raw instanceof Uint8Array && opts.format === 'cbor') return raw;
      const value = typeof raw === 'string' ? decodeBase64(raw) : undefined;
      if (value) return value;
      break;
    }
  }
  throw mismatch(opts, shape, raw, path);
}

function readNumber(raw: unknown, integral: boolean, text: boolean): number | undefined {
  if (typeof raw === 'number' && !text) return integral ? Math.trunc(raw) : raw;
  if (typeof raw !== 'string') return undefined;
  if (text) return parseNumberText(raw, integral);
  return integral ? undefined : specialFloat(raw);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
    && !(value instanceof Date);
}

/** Jackson-style token names, as AWS's JSON services print them in SerializationException messages. */
function tokenOf(raw: unknown): string {
  if (Array.isArray(raw)) return 'START_ARRAY';
  if (raw instanceof Uint8Array) return 'BYTE_STRING';
  if (raw instanceof Date) return 'TIMESTAMP';
  if (typeof raw === 'object') return 'START_OBJECT';
  return `${typeof raw === 'boolean' ? 'BOOLEAN' : String(typeof raw).toUpperCase()}_VALUE`;
}

function mismatch(opts: ReadOptions, shape: Shape, raw: unknown, path: string): ServiceError {
  const target = TARGET[shape.type] ?? shape.type;
  if (opts.format === 'text') {
    const shown = String(raw).slice(0, 100);
    return serialization(opts, `Unable to parse '${shown}' as ${target.replace(/^an? /, '')} for parameter ${path || '(root)'}`);
  }
  if (isPlainObject(raw) && shape.type !== 'structure' && shape.type !== 'map') {
    return serialization(opts, 'Start of structure or map found where not expected.');
  }
  if (Array.isArray(raw) && shape.type !== 'list') return serialization(opts, 'Start of list found where not expected');
  return serialization(opts, `${tokenOf(raw)} can not be converted to ${target}`);
}

export function serialization(opts: { family: ErrorFamily }, message: string): ServiceError {
  return CommonErrors.serialization(message, opts.family);
}

// ---------------------------------------------------------------------------------------------------------------
// Writing (JSON and CBOR trees). XML has its own walker in xml-writer.ts, sharing the scalar helpers.

export interface WriteOptions {
  model: ServiceModel;
  format: 'json' | 'cbor';
}

/** Writes the body members of a structure (HTTP-bound members are left to the REST encoder). */
export function writeStructure(opts: WriteOptions, shapeName: string, value: Record<string, unknown> | undefined): Record<string, unknown> {
  const out = value ? writeShape(opts, { shape: shapeName }, value, 0) : undefined;
  return (out ?? {}) as Record<string, unknown>;
}

export function writeShape(opts: WriteOptions, ref: ShapeRef, value: unknown, depth: number): unknown {
  if (value === undefined || value === null) return undefined;
  if (depth > MAX_DEPTH * 2) throw new Error('output nesting too deep (cyclic provider output?)');
  const shape = shapeOf(opts.model, ref.shape);
  switch (shape.type) {
    case 'structure':
      if (shape.document) return value;
      return typeof value === 'object' ? writeMembers(opts, shape, value as Record<string, unknown>, depth) : undefined;
    case 'list': {
      if (!Array.isArray(value)) return undefined;
      // Unwritable elements (a provider's invalid date) are dropped rather than sent as null: AWS lists are dense.
      return value.map((v) => writeShape(opts, shape.member, v, depth + 1)).filter((v) => v !== undefined);
    }
    case 'map': {
      if (typeof value !== 'object') return undefined;
      const out: Record<string, unknown> = {};
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
      for (const [k, v] of entries) {
        const item = writeShape(opts, shape.value, v, depth + 1);
        if (item !== undefined) setKey(out, String(k), item);
      }
      return out;
    }
    default: return writeScalar(opts, shape, ref, value);
  }
}

function writeMembers(opts: WriteOptions, shape: StructureShape, value: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(shape.members)) {
    if (member.location) continue;
    const item = writeShape(opts, member, value[name], depth + 1);
    if (item !== undefined) setKey(out, wireName(name, member), item);
  }
  return out;
}

function writeScalar(opts: WriteOptions, shape: Shape, ref: ShapeRef, value: unknown): unknown {
  switch (shape.type) {
    case 'timestamp': {
      const date = parseTimestamp(value);
      if (!date) return undefined;
      if (opts.format === 'cbor') return date;
      const format = (ref.timestampFormat ?? shape.timestampFormat ?? 'unixTimestamp') as TimestampFormat;
      return formatTimestamp(date, format);
    }
    case 'blob': {
      const bytes = toBytes(value);
      if (!bytes) return undefined;
      return opts.format === 'cbor' ? bytes : encodeBase64(bytes);
    }
    case 'boolean': return typeof value === 'string' ? value === 'true' : Boolean(value);
    case 'string': return typeof value === 'string' ? value : String(value);
    default: {
      const n = typeof value === 'number' ? value : Number(value);
      // JSON has no NaN/Infinity literals; AWS sends them as strings. CBOR carries them natively.
      return opts.format === 'json' && !Number.isFinite(n) ? formatNumberText(n) : n;
    }
  }
}

/**
 * A scalar as text (XML, headers, query strings). `defaultTimestamp` differs by location: ISO-8601 in XML and query
 * strings, HTTP date in headers.
 */
export function scalarText(shape: Shape, ref: ShapeRef, value: unknown, defaultTimestamp: TimestampFormat = 'iso8601'): string | undefined {
  switch (shape.type) {
    case 'timestamp': {
      const date = parseTimestamp(value);
      const format = (ref.timestampFormat ?? shape.timestampFormat ?? defaultTimestamp) as TimestampFormat;
      return date ? String(formatTimestamp(date, format)) : undefined;
    }
    case 'blob': {
      const bytes = toBytes(value);
      return bytes ? encodeBase64(bytes) : undefined;
    }
    case 'boolean': return String(value === true || value === 'true');
    case 'string': return String(value);
    case 'structure': case 'list': case 'map': return undefined;
    default: return formatNumberText(typeof value === 'number' ? value : Number(value));
  }
}
